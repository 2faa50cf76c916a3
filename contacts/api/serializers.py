from rest_framework import serializers

from contacts.filters import is_current
from contacts.models import Organization, Person, Post
from core.api.serializers import BriefRelatedField, RecordSerializer
from core.prefetch import related


class OrganizationSerializer(RecordSerializer):
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
            "created_at",
            "updated_at",
        ]


class CurrentPostsField(serializers.ManyRelatedField):
    """The posts a person holds today, picked from the prefetched posts (no query)."""

    def __init__(self, **kwargs):
        super().__init__(child_relation=BriefRelatedField(read_only=True), read_only=True, **kwargs)

    def get_attribute(self, instance):
        return [post for post in related(instance, "posts") if is_current(post)]


class PersonSerializer(RecordSerializer):
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
