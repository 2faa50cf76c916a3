"""How the OpenAPI schema describes our own API pieces (drf-spectacular extensions)."""

from drf_spectacular.extensions import (
    OpenApiAuthenticationExtension,
    OpenApiSerializerFieldExtension,
)
from drf_spectacular.plumbing import build_basic_type
from drf_spectacular.types import OpenApiTypes

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
