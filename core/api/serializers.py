"""What every record looks like in the API.

- Enumerations are codes (`"status": "in_force"`) with a read-only `<field>_label`
  in the reader's language; several codes (`"sectors": ["road"]`) with `<field>_labels`.
- Countries are ISO codes with `<field>_name`, `<field>_region` and its
  `<field>_region_label`; several countries with `<field>_names`, `<field>_regions`
  and `<field>_regions_labels`, in the same order as the codes.
- A related record is brief: `{id, url, display}`; a client that wants more follows `url`.
- Every write runs the model's own rules (full_clean) before the service saves it, so
  the API refuses exactly what the admin refuses, as a 400 with a message per field.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import models, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.fields import CountryField
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import get_error_detail
from rest_framework.relations import MANY_RELATION_KWARGS
from rest_framework.settings import api_settings
from rest_framework.validators import ProhibitSurrogateCharactersValidator

from core.classification import (
    Classification,
    LinkedRecords,
    access_list_errors,
    access_lists_after_save,
)
from core.models import TAG_MAX_LENGTH, Sector, Tag, validate_tag_name
from core.regions import Region, region_of
from core.services import validated_save
from core.tags import tags_named
from core.validators import TextCharactersValidator

# The columns the brief of a named record ({id, url, display}) reads: lists of many
# records prefetch only these (`.only(*BRIEF_COLUMNS)`).
BRIEF_COLUMNS = ("id", "name", "name_ja")
# Those of a classified record's brief: its level tells, without a query, that a reader
# may see it (core.classification.LinkedRecords).
CLASSIFIED_BRIEF_COLUMNS = (*BRIEF_COLUMNS, "classification")
# What DRF's CharField checks of its own accord, and the model's text rule covers.
DRF_CHARACTER_VALIDATORS = (ProhibitNullCharactersValidator, ProhibitSurrogateCharactersValidator)


def api_detail_url(request, model, pk):
    """The API address of a record, built from one reversed template per model and
    request: brief objects of a long list must not each pay for a URL reversal."""
    cache = request.__dict__.setdefault("_api_url_templates", {}) if request else {}
    template = cache.get(model)
    if template is None:
        try:
            path = reverse(f"api:{model._meta.model_name}-detail", args=[0])
        except NoReverseMatch:
            path = ""
        template = (request.build_absolute_uri(path[:-2]) if request else path[:-2]) if path else ""
        cache[model] = template
    return f"{template}{pk}/" if template else None


class BriefManyRelatedField(serializers.ManyRelatedField):
    """Several related records; those the reader may not see are left out."""

    def to_representation(self, iterable):
        return [shown for shown in super().to_representation(iterable) if shown is not None]


class BriefRelatedField(serializers.RelatedField):
    """Reads as `{id, url, display}` (null for a record the reader may not see); writes
    as the related record's id."""

    @classmethod
    def many_init(cls, *args, **kwargs):
        # DRF's RelatedField.many_init, with the list that leaves hidden records out.
        list_kwargs = {"child_relation": cls(*args, **kwargs)}
        for key in kwargs:
            if key in MANY_RELATION_KWARGS:
                list_kwargs[key] = kwargs[key]
        return BriefManyRelatedField(**list_kwargs)

    default_error_messages = {
        "does_not_exist": _("There is no record with id {pk_value}."),
        "incorrect_type": _("Give the record's id as a number, not {data_type}."),
    }

    def to_representation(self, value):
        from core.api.representation import brief_reader

        # None for a record the reader may not see (core.classification.LinkedRecords).
        return brief_reader(self.context.get("request"))(value)

    def to_internal_value(self, data):
        if isinstance(data, dict):
            data = data.get("id")
        if isinstance(data, bool) or not isinstance(data, int | str):
            self.fail("incorrect_type", data_type=type(data).__name__)
        try:
            return self.get_queryset().get(pk=int(data))
        except (TypeError, ValueError):
            self.fail("incorrect_type", data_type=type(data).__name__)
        except self.get_queryset().model.DoesNotExist:
            self.fail("does_not_exist", pk_value=data)

    def use_pk_only_optimization(self):
        return False

    def get_choices(self, cutoff=None):
        # The browsable API's form keys its options by value: the id, not the brief dict.
        queryset = self.get_queryset()
        if queryset is None:
            return {}
        if cutoff is not None:
            queryset = queryset[:cutoff]
        return {item.pk: self.display_value(item) for item in queryset}


class CodeRelatedField(serializers.SlugRelatedField):
    """A row that stands for an enumeration's value (a sector), read and written as its
    code. Anything but one of the codes is refused as the enumeration's own field
    refuses it, before any query: PostgreSQL would refuse a NUL byte in the query."""

    default_error_messages = {
        "invalid_choice": serializers.ChoiceField.default_error_messages["invalid_choice"],
    }

    def to_internal_value(self, data):
        model_field = self.get_queryset().model._meta.get_field(self.slug_field)
        if not isinstance(data, str) or data not in dict(model_field.flatchoices):
            self.fail("invalid_choice", input=data)
        return super().to_internal_value(data)


@extend_schema_field({"type": "string", "minLength": 1, "maxLength": TAG_MAX_LENGTH})
class TagNameField(serializers.SlugRelatedField):
    """A tag, read and written as its name. A name no tag has yet is a new tag (tags are
    free): it is validated here and created with the record (core.tags.tags_named)."""

    default_error_messages = {
        "invalid": serializers.CharField.default_error_messages["invalid"],
        "blank": serializers.CharField.default_error_messages["blank"],
        "max_length": serializers.CharField.default_error_messages["max_length"],
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("slug_field", "name")
        kwargs.setdefault("queryset", Tag.objects.all())
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        name = " ".join(data.split())
        if not name:
            self.fail("blank")
        if len(name) > TAG_MAX_LENGTH:
            self.fail("max_length", max_length=TAG_MAX_LENGTH)
        try:
            TextCharactersValidator()(name)
            validate_tag_name(name)
        except DjangoValidationError as error:
            raise serializers.ValidationError(error.messages) from error
        return name


class CountryCodeField(serializers.ChoiceField):
    """An ISO 3166-1 alpha-2 code, checked against the list of countries."""

    def __init__(self, **kwargs):
        kwargs["choices"] = list(countries)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return getattr(value, "code", value) or ""


class SelfURLField(serializers.Field):
    """The record's own API address (see api_detail_url)."""

    def __init__(self, **kwargs):
        kwargs.update(read_only=True, source="*")
        super().__init__(**kwargs)

    def to_representation(self, instance):
        return api_detail_url(self.context.get("request"), type(instance), instance.pk)


extend_schema_field({"type": "string", "format": "uri", "readOnly": True})(SelfURLField)


class TextOnly:
    """A text field that takes text only: DRF's CharField would store the number 12 as
    "12", which the schema (`type: string`) says is wrong, so that a client sending a
    number by mistake is told so rather than guessed for."""

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class TextField(TextOnly, serializers.CharField):
    pass


class EmailField(TextOnly, serializers.EmailField):
    pass


class URLField(TextOnly, serializers.URLField):
    pass


class SlugField(TextOnly, serializers.SlugField):
    pass


class RecordSerializer(serializers.ModelSerializer):
    """Base of every record's serializer. Meta.fields is always an explicit list."""

    serializer_field_mapping = {
        **serializers.ModelSerializer.serializer_field_mapping,
        models.CharField: TextField,
        models.TextField: TextField,
        models.EmailField: EmailField,
        models.URLField: URLField,
        models.SlugField: SlugField,
    }
    serializer_related_field = BriefRelatedField
    # Fields the model's full_clean() must not check here (set later by a parent).
    clean_exclude: tuple[str, ...] = ()

    def build_url_field(self, field_name, model_class):
        return SelfURLField, {}

    def build_relational_field(self, field_name, relation_info):
        if relation_info.related_model is Sector:
            # Sectors read and write as their codes: ["road", "port"].
            return CodeRelatedField, {
                "slug_field": "code",
                "queryset": Sector.objects.all(),
                "many": True,
                "required": False,
            }
        if relation_info.related_model is Tag:
            # Tags read and write as their names: ["港湾", "Ghana ports"].
            return TagNameField, {"many": True, "required": False}
        return super().build_relational_field(field_name, relation_info)

    def build_field(self, field_name, info, model_class, nested_depth):
        field_class, kwargs = super().build_field(field_name, info, model_class, nested_depth)
        model_field = info.fields.get(field_name)
        if isinstance(model_field, CountryField):
            # ISO codes in and out; django-countries validates them.
            if model_field.multiple:
                field_class = serializers.ListField
                kwargs = {"child": CountryCodeField(), "required": False, "allow_empty": True}
            else:
                field_class = CountryCodeField
                kwargs.pop("max_length", None)
        return field_class, kwargs

    def get_fields(self):
        fields = super().get_fields()
        model = self.Meta.model
        self._only_visible(fields)
        for field in fields.values():
            if TextCharactersValidator() in field.validators:
                # The model's rule (core.validators) refuses NUL and lone surrogates
                # too, with the message the admin gives: not DRF's as well.
                field.validators = [
                    v for v in field.validators if type(v) not in DRF_CHARACTER_VALIDATORS
                ]
        for name in list(fields):
            model_field = next(
                (
                    f
                    for f in [*model._meta.concrete_fields, *model._meta.many_to_many]
                    if f.name == name
                ),
                None,
            )
            if model_field is None:
                continue
            if isinstance(model_field, CountryField):
                if model_field.multiple:
                    fields[f"{name}_names"] = CountryNamesField(source=name)
                    fields[f"{name}_regions"] = CountryRegionsField(source=name)
                    fields[f"{name}_regions_labels"] = CountryRegionLabelsField(source=name)
                else:
                    fields[f"{name}_name"] = CountryNameField(source=name)
                    fields[f"{name}_region"] = CountryRegionField(source=name)
                    fields[f"{name}_region_label"] = CountryRegionLabelField(source=name)
            elif model_field.many_to_many and model_field.related_model._meta.pk.choices:
                # Rows that stand for an enumeration's values (sectors).
                fields[f"{name}_labels"] = ChoiceLabelsField(model_field)
            elif model_field.choices:
                fields[f"{name}_label"] = ChoiceLabelField(model_field)
        return fields

    def to_representation(self, instance):
        # The same output as DRF's, through readers compiled once per serializer.
        from core.api.representation import represent

        return represent(self, instance)

    def _only_visible(self, fields):
        """A record written may point only at records its writer may read: one hidden
        from them is "no record with that id" (core.classification)."""
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None:
            return
        for field in fields.values():
            related = getattr(field, "child_relation", field)
            queryset = getattr(related, "queryset", None)
            if queryset is not None and hasattr(queryset, "visible_to"):
                related.queryset = queryset.visible_to(user)

    # -- writes -------------------------------------------------------------------

    def validate(self, attrs):
        if "access_users" in self.fields:
            level = attrs.get("classification", getattr(self.instance, "classification", None))
            errors = access_list_errors(
                level, attrs.get("access_users"), attrs.get("access_groups")
            )
            if errors:
                raise serializers.ValidationError(errors)
        attrs = super().validate(attrs)
        if self.instance is not None:
            attrs = self._keep_hidden_links(self.instance, attrs)
        instance = self.instance or self.Meta.model()
        for name, value in self._own_fields(attrs).items():
            setattr(instance, name, value)
        try:
            instance.full_clean(exclude=self.clean_exclude)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_as_field_errors(error)) from error
        return attrs

    def _keep_hidden_links(self, instance, attrs):
        """A writer cannot remove a link they cannot see: the API showed it as nothing
        (null, left out of a list), so a record read and written back must keep it. A
        hidden `supersedes` given as null stays; a hidden project stays in `projects`
        whatever list is given. Another, visible, value given for a single link
        replaces it, as in the admin (core.classification.LinkedRecords)."""
        request = self.context.get("request")
        linked = LinkedRecords.of(request) if request is not None else None
        if linked is None or linked.everything:
            return attrs
        kept = dict(attrs)
        for field in instance._meta.get_fields():
            if field.name not in attrs or not hasattr(field.related_model, "classification"):
                continue
            if field.many_to_many and field.concrete:
                current = getattr(instance, field.name).all()
                hidden = linked.only_hidden(current)
                if hidden:
                    kept[field.name] = [*attrs[field.name], *hidden]
            elif isinstance(field, models.ForeignKey) and attrs[field.name] is None:
                current = getattr(instance, field.name)
                if linked.hidden(current):
                    kept[field.name] = current
        return kept

    def _own_fields(self, attrs):
        """The values stored on the row itself (not many-to-many, not nested)."""
        concrete = {field.name for field in self.Meta.model._meta.concrete_fields}
        return {name: value for name, value in attrs.items() if name in concrete}

    def _many_to_many(self, attrs):
        many = {field.name for field in self.Meta.model._meta.many_to_many}
        return {name: value for name, value in attrs.items() if name in many}

    def save_instance(self, instance):
        """Store the validated instance; records with side effects override this to
        call their service."""
        return validated_save(instance)

    @transaction.atomic
    def create(self, validated_data):
        return self._write(self.Meta.model(), validated_data)

    @transaction.atomic
    def update(self, instance, validated_data):
        return self._write(instance, validated_data)

    def _write(self, instance, validated_data):
        was_restricted = (
            getattr(instance, "classification", None) == Classification.NEED_TO_KNOW
            if instance.pk
            else False
        )
        for name, value in self._own_fields(validated_data).items():
            setattr(instance, name, value)
        try:
            self.save_instance(instance)
        except DjangoValidationError as error:
            raise serializers.ValidationError(_as_field_errors(error)) from error
        for name, value in self._many_to_many(validated_data).items():
            field = self.fields.get(name)
            if isinstance(getattr(field, "child_relation", None), TagNameField):
                value = tags_named(value)
            getattr(instance, name).set(value)
        request = self.context.get("request")
        access_lists_after_save(
            instance, getattr(request, "user", None), was_restricted=was_restricted
        )
        return instance


class ChoiceLabelField(serializers.CharField):
    """The label of an enumeration's value (`get_<field>_display`), in the reader's
    language."""

    def __init__(self, model_field, **kwargs):
        self.model_field = model_field
        kwargs.update(source=f"get_{model_field.name}_display", read_only=True)
        super().__init__(**kwargs)


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class ChoiceLabelsField(serializers.ReadOnlyField):
    """The labels of a many-to-many relation to rows keyed by an enumeration's codes
    (sectors), in the reader's language and in the order of the codes."""

    def __init__(self, model_field, **kwargs):
        self.code_field = model_field.related_model._meta.pk
        kwargs.update(source=model_field.name)
        super().__init__(**kwargs)

    def to_representation(self, value):
        labels = dict(self.code_field.flatchoices)
        return [str(labels.get(item.pk, item.pk)) for item in value.all()]


@extend_schema_field(OpenApiTypes.STR)
class CountryNameField(serializers.ReadOnlyField):
    """The country's name in the reader's language."""

    def to_representation(self, country):
        return str(country.name) if country else ""


@extend_schema_field(serializers.ChoiceField(choices=Region.choices, allow_null=True))
class CountryRegionField(serializers.ReadOnlyField):
    """MLIT's statistical region of the country (core.regions)."""

    def to_representation(self, country):
        return region_of(country.code) if country else None


@extend_schema_field(serializers.ListField(child=serializers.CharField()))
class CountryNamesField(serializers.ReadOnlyField):
    """The names of several countries in the reader's language."""

    def to_representation(self, value):
        return [str(country.name) for country in value or ()]


@extend_schema_field(
    serializers.ListField(child=serializers.ChoiceField(choices=Region.choices, allow_null=True))
)
class CountryRegionsField(serializers.ReadOnlyField):
    """MLIT's statistical region of each of several countries (core.regions)."""

    def to_representation(self, value):
        return [region_of(country.code) for country in value or ()]


def region_label(code: str | None) -> str | None:
    """The name of a country's region in the reader's language; None for no region."""
    region = region_of(code) if code else None
    return None if region is None else str(region.label)


@extend_schema_field(serializers.CharField(allow_null=True))
class CountryRegionLabelField(serializers.ReadOnlyField):
    """The name of the country's region in the reader's language; null, as the region
    is, when there is none (no country, or Japan, which is in no region of MLIT's)."""

    def to_representation(self, country):
        return region_label(country.code if country else None)


@extend_schema_field(serializers.ListField(child=serializers.CharField(allow_null=True)))
class CountryRegionLabelsField(serializers.ReadOnlyField):
    """The names of the regions of several countries, in the reader's language."""

    def to_representation(self, value):
        return [region_label(country.code) for country in value or ()]


def _as_field_errors(error: DjangoValidationError):
    """Django's errors keyed by field, with `__all__` renamed as DRF names it."""
    if hasattr(error, "error_dict"):
        return {
            (api_settings.NON_FIELD_ERRORS_KEY if key == "__all__" else key): get_error_detail(
                DjangoValidationError(messages)
            )
            for key, messages in error.error_dict.items()
        }
    return {api_settings.NON_FIELD_ERRORS_KEY: list(error.messages)}
