from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models, router, transaction
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from contacts.choices import JAPANESE_WINNER_KINDS
from contacts.models import Organization
from core.classification import AttachedManager, ClassifiedModel
from core.i18n import localized
from core.models import Tag, TimeStampedModel
from core.regions import Region
from core.sectors import SectorCode
from projects.choices import (
    WON_STATUSES,
    FigureKind,
    ParticipantRole,
    ProjectStatus,
    Scheme,
    Stage,
    WatchListOutcome,
)


class Project(ClassifiedModel, TimeStampedModel):
    """An overseas infrastructure project (案件) the bureau follows, from first survey
    to operation."""

    name = models.CharField(_("name (English)"), max_length=255)
    name_ja = models.CharField(_("name (Japanese)"), max_length=255, blank=True)
    country = CountryField(_("country"), db_index=True)
    other_countries = CountryField(
        _("other countries"), multiple=True, blank=True, help_text=_("For cross-border projects.")
    )
    sector = models.CharField(_("sector"), max_length=32, choices=SectorCode.choices, db_index=True)
    stage = models.CharField(_("stage"), max_length=32, choices=Stage.choices, db_index=True)
    status = models.CharField(
        _("status"),
        max_length=32,
        choices=ProjectStatus.choices,
        default=ProjectStatus.ACTIVE,
        db_index=True,
    )
    scheme = models.CharField(_("scheme"), max_length=32, choices=Scheme.choices, blank=True)
    description = models.TextField(_("description"), blank=True)
    estimated_cost_jpy = models.BigIntegerField(
        _("estimated cost (yen)"), null=True, blank=True, validators=[MinValueValidator(0)]
    )
    owner = models.ForeignKey(
        Organization,
        verbose_name=_("owner (implementing agency)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_projects",
    )
    participants = models.ManyToManyField(
        Organization,
        verbose_name=_("participants"),
        through="ProjectParticipant",
        related_name="participating_projects",
        blank=True,
    )
    tender_due_on = models.DateField(_("tender due on"), null=True, blank=True)
    awarded_on = models.DateField(_("awarded on"), null=True, blank=True)
    awarded_to = models.ForeignKey(
        Organization,
        verbose_name=_("awarded to"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="won_projects",
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="projects", blank=True)

    history = HistoricalRecords(m2m_fields=[tags])

    class Meta:
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        ordering = ["name"]
        # The analysts' filters, the default order, the sync cursor (updated_at, id),
        # and the admin's date hierarchy (its first and last dates, the years between).
        indexes = [
            models.Index(fields=["country", "sector", "status"], name="project_country_sector_idx"),
            models.Index(fields=["name", "id"], name="project_order_idx"),
            models.Index(fields=["updated_at", "id"], name="project_sync_idx"),
            models.Index(fields=["awarded_on"], name="project_awarded_on_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status__in=WON_STATUSES) | Q(awarded_on__isnull=False),
                name="project_won_needs_awarded_on",
                violation_error_message=_("A won project needs the date it was awarded."),
            ),
            models.CheckConstraint(
                condition=~Q(status=ProjectStatus.WON_JAPANESE) | Q(awarded_to__isnull=False),
                name="project_won_japanese_needs_awarded_to",
                violation_error_message=_(
                    "A project won by a Japanese firm needs the organisation it was awarded to."
                ),
            ),
            models.CheckConstraint(
                condition=Q(estimated_cost_jpy__isnull=True) | Q(estimated_cost_jpy__gte=0),
                name="project_cost_not_negative",
                violation_error_message=_("The estimated cost cannot be negative."),
            ),
        ]

    def __str__(self):
        return localized(self.name, self.name_ja)

    def clean(self):
        super().clean()
        if (
            self.status == ProjectStatus.WON_JAPANESE
            and self.awarded_to_id
            and self.awarded_to.kind not in JAPANESE_WINNER_KINDS
        ):
            raise ValidationError(
                {
                    "awarded_to": _(
                        "A project won by a Japanese firm must be awarded to a Japanese company or public body."
                    )
                }
            )
        if self.country and self.country.code in [c.code for c in self.other_countries]:
            raise ValidationError(
                {"other_countries": _("The other countries must not repeat the primary country.")}
            )
        if self.pk and not self.awarded_to_id:
            self._check_won_foreign_entries()

    def _check_won_foreign_entries(self):
        """A watch list that records this project as won by a foreign firm needs to know
        by whom (domain.md, "Consistency between records")."""
        entry = (
            self.watch_list_entries.filter(outcome_at_next_edition=WatchListOutcome.WON_FOREIGN)
            .select_related("watch_list")
            .first()
        )
        if entry is not None:
            raise ValidationError(
                {
                    "awarded_to": _(
                        "%(edition)s records this project as won by a foreign firm: it needs "
                        "the organisation it was awarded to."
                    )
                    % {"edition": entry.watch_list}
                }
            )


class ProjectParticipant(TimeStampedModel):
    """An organisation's role in a project (contractor, lender, ...)."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="participations"
    )
    organization = models.ForeignKey(
        Organization,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="project_participations",
    )
    role = models.CharField(_("role"), max_length=32, choices=ParticipantRole.choices)

    history = HistoricalRecords()

    # Seen by those who may read its project (core.classification).
    objects = AttachedManager()
    classified_via = "project"

    class Meta:
        verbose_name = _("project participant")
        verbose_name_plural = _("project participants")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "organization", "role"],
                name="participant_unique_role",
                violation_error_message=_(
                    "This organisation already has this role in the project."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.organization} ({self.get_role_display()})"


class WatchList(TimeStampedModel):
    """One edition of the Action Plan's list of major projects to watch
    (注視すべき主要プロジェクト)."""

    name = models.CharField(_("name"), max_length=255, unique=True)
    edition_year = models.PositiveSmallIntegerField(_("edition year"), unique=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("previous edition"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next_edition",
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("watch list")
        verbose_name_plural = _("watch lists")
        ordering = ["-edition_year"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(previous=F("id")),
                name="watchlist_not_own_previous",
                violation_error_message=_("An edition cannot revise itself."),
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # The previous editions' outcomes follow in post_save (projects.signals): in
        # this save's own transaction, so that neither is stored without the other.
        with transaction.atomic(
            using=kwargs.get("using") or router.db_for_write(WatchList), savepoint=False
        ):
            super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.previous_id and self.previous.edition_year >= (self.edition_year or 0):
            raise ValidationError(
                {"previous": _("The previous edition must be of an earlier year.")}
            )
        if self.pk:
            self._check_outcomes_of_the_previous_edition()

    def _check_outcomes_of_the_previous_edition(self):
        """The outcomes on the edition this one revised are outcomes at this edition: it
        cannot stop revising it while they say what became of its projects (those
        saying "continued" follow by themselves: projects.signals)."""
        stored = WatchList.objects.filter(pk=self.pk).values_list("previous_id", flat=True).first()
        if stored is None or stored == self.previous_id:
            return
        recorded = WatchListEntry.objects.filter(watch_list_id=stored).exclude(
            outcome_at_next_edition__in=["", WatchListOutcome.CONTINUED]
        )
        count = recorded.count()
        if count:
            raise ValidationError(
                {
                    "previous": ngettext(
                        "%(edition)s records what became of %(count)d of its projects by this "
                        "edition: clear that outcome there first, or keep it as the previous "
                        "edition.",
                        "%(edition)s records what became of %(count)d of its projects by this "
                        "edition: clear those outcomes there first, or keep it as the previous "
                        "edition.",
                        count,
                    )
                    % {"edition": WatchList.objects.get(pk=stored), "count": count}
                }
            )

    def next_or_none(self):
        """The edition that revises this one, if it exists yet."""
        return WatchList.objects.filter(previous_id=self.pk).first() if self.pk else None


class WatchListEntry(TimeStampedModel):
    """A project as listed in one edition, and what became of it by the next."""

    watch_list = models.ForeignKey(
        WatchList, verbose_name=_("watch list"), on_delete=models.CASCADE, related_name="entries"
    )
    project = models.ForeignKey(
        Project,
        verbose_name=_("project"),
        on_delete=models.PROTECT,
        related_name="watch_list_entries",
    )
    region = models.CharField(
        _("region as printed"), max_length=32, choices=Region.choices, db_index=True
    )
    outcome_at_next_edition = models.CharField(
        _("outcome at the next edition"),
        max_length=32,
        choices=WatchListOutcome.choices,
        blank=True,
        help_text=_(
            "Blank until the next edition exists. Putting the project on the next edition "
            "records “Continued”; otherwise record what became of it."
        ),
    )
    reason = models.TextField(_("reason"), blank=True)

    history = HistoricalRecords()

    # Seen by those who may read its project (core.classification).
    objects = AttachedManager()
    classified_via = "project"

    class Meta:
        verbose_name = _("watch-list entry")
        verbose_name_plural = _("watch-list entries")
        ordering = ["watch_list", "project__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["watch_list", "project"],
                name="watchlistentry_unique_project",
                violation_error_message=_("This project is already on this watch list."),
            ),
            models.CheckConstraint(
                condition=~Q(outcome_at_next_edition=WatchListOutcome.REMOVED) | ~Q(reason=""),
                name="watchlistentry_removed_needs_reason",
                violation_error_message=_("Say why the project was removed."),
            ),
        ]

    def __str__(self):
        return f"{self.watch_list}: {self.project}"

    def save(self, *args, **kwargs):
        # The previous edition's outcome follows in post_save (projects.signals): in this
        # save's own transaction, so that neither is stored without the other.
        with transaction.atomic(
            using=kwargs.get("using") or router.db_for_write(WatchListEntry), savepoint=False
        ):
            super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        try:
            # Either may still be unsaved (the admin's inline of a new edition) or missing
            # (reported by its own field).
            edition, project = self.watch_list, self.project
        except (WatchList.DoesNotExist, Project.DoesNotExist):
            return
        errors = {}
        outcome = self.outcome_at_next_edition
        next_edition = edition.next_or_none()
        if outcome and next_edition is None:
            errors["outcome_at_next_edition"] = _(
                "The outcome stays blank until the next edition exists."
            )
        elif outcome and next_edition is not None:
            listed = next_edition.entries.filter(project=project).exists()
            names = {"project": project, "edition": next_edition}
            if outcome == WatchListOutcome.CONTINUED and not listed:
                errors["outcome_at_next_edition"] = (
                    _(
                        "“%(project)s” is not on %(edition)s, so it did not continue: add it to "
                        "%(edition)s (which records it as continued), or record what became of it."
                    )
                    % names
                )
            elif outcome != WatchListOutcome.CONTINUED and listed:
                errors["outcome_at_next_edition"] = (
                    _(
                        "“%(project)s” is on %(edition)s, so it continued: take it off %(edition)s "
                        "first if it did not."
                    )
                    % names
                )
        if outcome == WatchListOutcome.WON_FOREIGN and not project.awarded_to_id:
            errors.setdefault(
                "outcome_at_next_edition",
                _(
                    "Record on “%(project)s” whom it was awarded to (“awarded to”) before "
                    "recording it as won by a foreign firm."
                )
                % {"project": project},
            )
        if self._joins(edition, project):
            self._check_previous_outcome(edition, project, errors)
        if errors:
            raise ValidationError(errors)

    def _joins(self, edition, project) -> bool:
        """Whether this save puts the project on the edition (a new entry, or one moved)."""
        if self.pk is None:
            return True
        stored = (
            WatchListEntry.objects.filter(pk=self.pk)
            .values_list("watch_list_id", "project_id")
            .first()
        )
        return stored != (edition.pk, project.pk)

    def _check_previous_outcome(self, edition, project, errors):
        """A project the previous edition records as won or removed by this one cannot
        be on this one; one recorded as continued, or not recorded yet, can (its outcome
        becomes "continued": projects.signals)."""
        previous = edition.previous
        if previous is None:
            return
        recorded = (
            previous.entries.filter(project=project)
            .exclude(outcome_at_next_edition__in=["", WatchListOutcome.CONTINUED])
            .first()
        )
        if recorded is not None:
            errors["project"] = _(
                "%(edition)s records “%(project)s” as “%(outcome)s” by the next edition, so it "
                "cannot be on this one: if it was carried over, clear that outcome on "
                "%(edition)s first."
            ) % {
                "edition": previous,
                "project": project,
                "outcome": recorded.get_outcome_at_next_edition_display(),
            }


class OrderFigure(TimeStampedModel):
    """Orders for infrastructure systems won by Japanese firms in a year
    (インフラシステム受注実績), or the government's target for a year."""

    year = models.PositiveSmallIntegerField(_("year"))
    amount_jpy = models.BigIntegerField(_("amount (yen)"), validators=[MinValueValidator(0)])
    kind = models.CharField(_("kind"), max_length=16, choices=FigureKind.choices)
    source = models.CharField(_("source"), max_length=500, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("order figure")
        verbose_name_plural = _("order figures")
        ordering = ["year", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["year", "kind"],
                name="orderfigure_unique_year_kind",
                violation_error_message=_("There is already a figure of this kind for this year."),
            ),
            models.CheckConstraint(
                condition=Q(amount_jpy__gte=0),
                name="orderfigure_amount_not_negative",
                violation_error_message=_("The amount cannot be negative."),
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.get_kind_display()}"
