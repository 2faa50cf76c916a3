"""How the OpenAPI schema describes our own API pieces (drf-spectacular extensions)."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter

BRIEF_SCHEMA = {
    "type": "object",
    "description": "A related record: follow `url` for the whole of it.",
    "properties": {
        "id": {"type": "integer", "readOnly": True},
        "url": {"type": "string", "format": "uri", "readOnly": True, "nullable": True},
        "display": {"type": "string", "readOnly": True},
    },
    "required": ["id", "url", "display"],
}


class BriefRelatedFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "core.api.serializers.BriefRelatedField"

    def map_serializer_field(self, auto_schema, direction):
        if direction == "request":
            return {**build_basic_type(OpenApiTypes.INT), "description": "The record's id."}
        return BRIEF_SCHEMA


class APITokenAuthenticationExtension(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.APITokenAuthentication"
    name = "tokenAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Token <key>`: a key made by an administrator in the admin "
            "(API tokens), shown once at creation.",
        }


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description="The record's `ETag` as read: the write is refused (412) and nothing "
    "changes if someone else has changed the record since. `*` or no header: no check.",
)


def etag_header(status: int) -> OpenApiParameter:
    return OpenApiParameter(
        "ETag",
        OpenApiTypes.STR,
        OpenApiParameter.HEADER,
        response=[status],
        description="The record's version, to send back as `If-Match` with a write.",
    )


class RecordSchema(AutoSchema):
    """A record's operations with the headers of RecordViewSet's lost-update check:
    `If-Match` taken by the writes, `ETag` given with the record."""

    ETAG_STATUSES = {"retrieve": 200, "update": 200, "partial_update": 200, "create": 201}

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.method in ("PUT", "PATCH", "DELETE"):
            parameters.append(IF_MATCH)
        status = self.ETAG_STATUSES.get(getattr(self.view, "action", None))
        if status is not None:
            parameters.append(etag_header(status))
        return parameters


ERROR_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused, in the reader's language.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR_SCHEMA = {
    "type": "object",
    "description": "The messages for each parameter or field that is wrong (by name, "
    "`non_field_errors` for the record as a whole, by position inside a list), or `detail`.",
    "additionalProperties": True,
}
# What any operation may answer besides its success, so that a client (and a contract
# test) knows every status the API gives: (status, description, schema name, applies to).
ERROR_RESPONSES = (
    ("400", "A parameter or a field is wrong.", "ValidationError", "input"),
    ("401", "No credentials, or a token that is unknown, expired or revoked.", "Error", "all"),
    ("403", "The user's role or the token's scope does not allow it.", "Error", "all"),
    ("404", "No such record (or page).", "Error", "all"),
    (
        "409",
        "Other records conflict with or refer to this one; nothing was saved.",
        "Error",
        "write",
    ),
    ("412", "The record changed since the `If-Match` ETag was read.", "Error", "update"),
    (
        "428",
        "No `If-Match`, on a server that requires it (`API_REQUIRE_IF_MATCH`).",
        "Error",
        "update",
    ),
    ("415", "A body of a media type the operation does not take.", "Error", "body"),
    ("429", "Too many requests: wait and retry.", "Error", "all"),
)


BLANK_STRING = {"type": "string", "maxLength": 0}

# What a spreadsheet download is, whatever the list's records or the report's tables:
# a CSV is text, an Excel workbook bytes. drf-spectacular gives every renderer of an
# operation the JSON answer's schema.
SPREADSHEET_SCHEMAS = {
    "text/csv": {
        "type": "string",
        "description": "The filtered list, or the report's tables under a title row, as "
        "CSV (UTF-8).",
    },
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
        "type": "string",
        "format": "binary",
        "description": "The filtered list, or the report's tables under a title row, as an "
        "Excel workbook.",
    },
}


def spreadsheet_media_types(result, generator, request, public):
    """drf-spectacular post-processing hook: a list's or a report's `?format=csv|xlsx`
    answer is declared as the file it is, not as the JSON under a spreadsheet's media
    type."""
    for path_item in result.get("paths", {}).values():
        for operation in path_item.values():
            if not isinstance(operation, dict):
                continue
            for response in operation.get("responses", {}).values():
                content = response.get("content", {})
                for media_type, schema in SPREADSHEET_SCHEMAS.items():
                    if media_type in content:
                        content[media_type] = {"schema": dict(schema)}
    return result


def blank_or_formatted(result, generator, request, public):
    """drf-spectacular post-processing hook: a text that may be blank and otherwise has
    a format (a website, an e-mail address) is described as `oneOf` the formatted
    string and the empty one. For a validator that takes `format` as an annotation, as
    JSON Schema allows and many do, "" is both, so `oneOf` refuses it: `anyOf` says
    what is meant."""

    def visit(node):
        if isinstance(node, dict):
            alternatives = node.get("oneOf")
            if isinstance(alternatives, list) and BLANK_STRING in alternatives:
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(result)
    return result


def document_error_responses(result, generator, request, public):
    """drf-spectacular post-processing hook: every operation documents the errors the
    shared machinery (authentication, permissions, throttling, filters, ETags, the
    exception handler) answers, so that no status of ours goes undocumented."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    schemas.setdefault("Error", ERROR_SCHEMA)
    schemas.setdefault("ValidationError", VALIDATION_ERROR_SCHEMA)
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in {"get", "post", "put", "patch", "delete"}:
                continue
            applies = {
                "all": True,
                "input": bool(operation.get("parameters") or operation.get("requestBody")),
                "write": method != "get",
                "update": method in {"put", "patch", "delete"},
                "body": "requestBody" in operation,
            }
            responses = operation.setdefault("responses", {})
            # The HTTP server's own refusal, before the application: gunicorn answers a
            # request line longer than its limit (4,094 bytes) with an HTML page.
            responses.setdefault(
                "414",
                {
                    "description": "The address (with its parameters) is longer than the "
                    "server takes: send fewer or shorter parameters.",
                    "content": {"text/html": {"schema": {"type": "string"}}},
                },
            )
            for status, description, schema_name, scope in ERROR_RESPONSES:
                if applies[scope] and status not in responses:
                    responses[status] = {
                        "description": description,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": f"#/components/schemas/{schema_name}"}
                            }
                        },
                    }
    return result
