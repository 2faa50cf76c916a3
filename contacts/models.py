from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from contacts.choices import OrganizationKind
from core import folding
from core.i18n import localized
from core.models import Tag, TimeStampedModel
from core.prefetch import related


class Organization(TimeStampedModel):
    """A ministry, agency, company or international body the bureau deals with."""

    name = models.CharField(_("name (English)"), max_length=255)
    # The name as names compare (core.folding.name_key), kept by save() and by
    # validate_constraints(): the database refuses a second "MINISTRY OF ROADS" beside
    # "Ministry of Roads". Text: NFKC may lengthen a name (㈱ is (株)).
    name_key = models.TextField(_("name as compared"), blank=True, editable=False)
    name_ja = models.CharField(_("name (Japanese)"), max_length=255, blank=True)
    kind = models.CharField(_("kind"), max_length=32, choices=OrganizationKind.choices)
    country = CountryField(_("country"))
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        help_text=_("For a department: the ministry it belongs to."),
    )
    website = models.URLField(_("website"), blank=True)
    notes = models.TextField(_("notes"), blank=True)
    tags = models.ManyToManyField(
        Tag, verbose_name=_("tags"), related_name="organizations", blank=True
    )

    # name_key follows name: its history is the name's.
    history = HistoricalRecords(excluded_fields=["name_key"], m2m_fields=[tags])

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["name_key", "country"],
                name="organization_unique_name_key_country",
                violation_error_message=_(
                    "An organisation with this name already exists in this country."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(parent=F("id")),
                name="organization_not_own_parent",
                violation_error_message=_("An organisation cannot be its own parent."),
            ),
        ]

    def __str__(self):
        return localized(self.name, self.name_ja)

    def save(self, *args, **kwargs):
        self.name_key = folding.name_key(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_key"}
        super().save(*args, **kwargs)

    def validate_constraints(self, exclude=None):
        # name_key is in no form: it is checked whenever the name it comes from is.
        self.name_key = folding.name_key(self.name)
        if exclude and "name" not in exclude:
            exclude = set(exclude) - {"name_key"}
        super().validate_constraints(exclude=exclude)

    def clean(self):
        super().clean()
        # Walk up the chain: a department must not end up inside itself.
        ancestor, seen = self.parent, set()
        while ancestor is not None and ancestor.pk not in seen:
            if self.pk and ancestor.pk == self.pk:
                raise ValidationError({"parent": _("An organisation cannot be inside itself.")})
            seen.add(ancestor.pk)
            ancestor = ancestor.parent


class Person(TimeStampedModel):
    """A counterpart official or an MLIT official; their positions are Posts."""

    name = models.CharField(_("name (English)"), max_length=255)
    name_ja = models.CharField(_("name (Japanese)"), max_length=255, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=64, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["name"]

    def __str__(self):
        return localized(self.name, self.name_ja)

    def post_on(self, day):
        """The post held on `day` (the latest-started if several), or None.

        Reads prefetched `posts` when present, so that a list of meetings that
        prefetches them shows every counterpart's post without a query per row."""
        held = [post for post in related(self, "posts") if post.covers(day)]
        return max(held, key=lambda post: post.start_date, default=None)


class Post(TimeStampedModel):
    """A position a person held in an organisation over a period (役職)."""

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="posts"
    )
    organization = models.ForeignKey(
        Organization, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="posts"
    )
    title = models.CharField(_("title (English)"), max_length=255)
    title_ja = models.CharField(_("title (Japanese)"), max_length=255, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(
        _("end date"), null=True, blank=True, help_text=_("Leave blank while the post is held.")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("post")
        verbose_name_plural = _("posts")
        ordering = ["person", "-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="post_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return f"{localized(self.title, self.title_ja)}, {self.organization}"

    def covers(self, day):
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)
