from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from contacts.filters import is_current
from contacts.models import Organization, Person, Post
from contacts.services import SAME_SCOPE, contact_similar
from core.api.errors import ConfirmationRequired
from core.api.serializers import BriefRelatedField, RecordSerializer
from core.prefetch import related


class ContactSerializer(RecordSerializer):
    """A new person or organisation whose name is the same or nearly the same as one on
    file (contacts.services.contact_similar) is refused with those records, unless the
    request says `"confirm_new": true`."""

    confirm_new = serializers.BooleanField(
        write_only=True,
        required=False,
        default=False,
        help_text=_(
            "On creation: true to create the record even though records with the same or a "
            "very similar name exist (without it, the answer is a 400 listing them)."
        ),
    )

    def validate(self, attrs):
        confirmed = attrs.pop("confirm_new", False)
        attrs = super().validate(attrs)
        if self.instance is None and not confirmed:
            self._refuse_likely_duplicates(attrs)
        return attrs

    def _refuse_likely_duplicates(self, attrs):
        model = self.Meta.model
        scope = {name: attrs.get(name) for name in SAME_SCOPE[model]}
        candidates = contact_similar(
            model, name=attrs.get("name", ""), name_ja=attrs.get("name_ja", ""), **scope
        )
        if not candidates:
            return
        brief = BriefRelatedField(read_only=True)
        brief.bind("candidates", self)
        raise ConfirmationRequired(
            field="confirm_new",
            message=gettext(
                "Records with the same or a very similar name exist (candidates). Use one "
                "of them, or send confirm_new=true to create this one anyway."
            ),
            data={"candidates": [brief.to_representation(record) for record in candidates]},
        )


class OrganizationSerializer(ContactSerializer):
    class Meta:
        model = Organization
        fields = [
            "id",
            "url",
            "name",
            "name_ja",
            "kind",
            "country",
            "parent",
            "website",
            "notes",
            "tags",
            "confirm_new",
            "created_at",
            "updated_at",
        ]


class CurrentPostsField(serializers.ManyRelatedField):
    """The posts a person holds today, picked from the prefetched posts (no query)."""

    def __init__(self, **kwargs):
        super().__init__(child_relation=BriefRelatedField(read_only=True), read_only=True, **kwargs)

    def get_attribute(self, instance):
        return [post for post in related(instance, "posts") if is_current(post)]


class PersonSerializer(ContactSerializer):
    posts = BriefRelatedField(many=True, read_only=True)
    current_posts = CurrentPostsField()

    class Meta:
        model = Person
        fields = [
            "id",
            "url",
            "name",
            "name_ja",
            "email",
            "phone",
            "notes",
            "confirm_new",
            "posts",
            "current_posts",
            "created_at",
            "updated_at",
        ]


class PostSerializer(RecordSerializer):
    class Meta:
        model = Post
        fields = [
            "id",
            "url",
            "person",
            "organization",
            "title",
            "title_ja",
            "start_date",
            "end_date",
            "created_at",
            "updated_at",
        ]
