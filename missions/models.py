from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from contacts.choices import JAPANESE_KINDS
from contacts.models import Organization, Person
from core.i18n import localized
from core.models import Sector, TimeStampedModel
from core.regions import JAPAN
from missions.choices import LeaderRank, MissionKind, MissionStatus
from projects.models import Project


class Mission(TimeStampedModel):
    """One trip or occasion led by one official: a top-sales mission (トップセールス)."""

    title = models.CharField(_("title (English)"), max_length=255)
    title_ja = models.CharField(_("title (Japanese)"), max_length=255, blank=True)
    leader = models.ForeignKey(
        Person, verbose_name=_("leader"), on_delete=models.PROTECT, related_name="led_missions"
    )
    leader_rank = models.CharField(
        _("leader's rank"), max_length=32, choices=LeaderRank.choices, db_index=True
    )
    kind = models.CharField(_("kind"), max_length=32, choices=MissionKind.choices)
    start_date = models.DateField(_("start date"), db_index=True)
    end_date = models.DateField(_("end date"))
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=MissionStatus.choices,
        default=MissionStatus.PLANNED,
        db_index=True,
    )
    purpose = models.TextField(_("purpose"), blank=True)
    summary = models.TextField(_("summary"), blank=True)
    delegation = models.ManyToManyField(
        Organization,
        verbose_name=_("delegation"),
        related_name="missions_joined",
        blank=True,
        # What forms (the admin's autocomplete) offer; missions.services.
        # mission_check_delegation refuses the others where the relation is written.
        limit_choices_to={"kind__in": JAPANESE_KINDS},
        help_text=_("Japanese companies and bodies that took part."),
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), related_name="missions", blank=True
    )

    history = HistoricalRecords(m2m_fields=[delegation, sectors])

    class Meta:
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["-start_date", "title"]
        # The analysts' filters, the default order, and the sync cursor (updated_at, id).
        indexes = [
            models.Index(
                fields=["status", "leader_rank", "start_date"], name="mission_status_rank_idx"
            ),
            models.Index(fields=["-start_date", "title"], name="mission_order_idx"),
            models.Index(fields=["updated_at", "id"], name="mission_sync_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=F("start_date")),
                name="mission_end_after_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
        ]

    def __str__(self):
        return localized(self.title, self.title_ja)

    def clean(self):
        super().clean()
        if self.pk and self.status == MissionStatus.COMPLETED:
            # Whoever writes it (admin, API, import, mission_complete): a mission that
            # did not take place cannot be counted as top sales.
            stored = type(self)._default_manager.filter(pk=self.pk).values_list("status", flat=True)
            if stored.first() == MissionStatus.CANCELLED:
                raise ValidationError(
                    {"status": _("A cancelled mission cannot be marked completed.")}
                )

    def covers(self, day):
        return self.start_date <= day <= self.end_date


# The meeting's fields its engagement depends on.
ENGAGEMENT_FIELDS = ("mission_id", "counterpart_country", "date")


def as_engagement_key(mission_id, country, day) -> tuple:
    """A meeting's (mission id, country code, date), the country as a plain code."""
    return (mission_id, str(country or "").upper(), day)


def engagement_key(meeting, written=None, before=None) -> tuple | None:
    """(mission id, country code, date) as the instance holds them; a field it does not
    hold (deferred), or one a save leaves out of `written`, is taken from `before`.
    None when neither knows."""
    key = []
    for index, name in enumerate(ENGAGEMENT_FIELDS):
        if name in meeting.__dict__ and (written is None or name in written):
            value = meeting.__dict__[name]
        elif before is not None:
            value = before[index]
        else:
            return None
        key.append(value)
    return as_engagement_key(*key)


class Meeting(TimeStampedModel):
    """What a mission did with one counterpart (会談)."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField(_("date"), db_index=True)
    counterpart_country = CountryField(_("counterpart country"), db_index=True)
    venue_city = models.CharField(_("venue city"), max_length=255, blank=True)
    venue_country = CountryField(_("venue country"), blank=True)
    counterparts = models.ManyToManyField(
        Person, verbose_name=_("counterparts"), related_name="meetings", blank=True
    )
    counterpart_organizations = models.ManyToManyField(
        Organization,
        verbose_name=_("counterpart organisations"),
        related_name="meetings",
        blank=True,
    )
    topics = models.TextField(_("topics"), blank=True)
    projects = models.ManyToManyField(
        Project, verbose_name=_("projects promoted"), related_name="meetings", blank=True
    )
    outcome = models.TextField(_("outcome"), blank=True)

    history = HistoricalRecords(m2m_fields=[counterparts, counterpart_organizations, projects])

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "id"]
        # The analysts' filters, the default order, and the sync cursor (updated_at, id).
        indexes = [
            models.Index(fields=["counterpart_country", "date"], name="meeting_country_date_idx"),
            models.Index(fields=["-date", "id"], name="meeting_order_idx"),
            models.Index(fields=["updated_at", "id"], name="meeting_sync_idx"),
            # Top-sales engagements: (mission, country) pairs and their first date,
            # read from the index alone.
            models.Index(
                fields=["mission", "counterpart_country", "date"], name="meeting_engagement_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(counterpart_country=JAPAN),
                name="meeting_counterpart_not_japan",
                violation_error_message=_("Japan cannot be the counterpart country."),
            ),
        ]

    def __str__(self):
        # In the reader's language: 2018年6月11日 in Japanese, June 11, 2018 in English.
        day = date_format(self.date) if self.date else ""
        return f"{day} {self.counterpart_country.name}".strip()

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row held, so that a meeting moved to another mission or country
        # also refreshes the engagement it leaves (missions.signals).
        instance._engagement_loaded = engagement_key(instance)
        return instance

    def save(self, *args, **kwargs):
        # The engagement is refreshed by post_save: in the meeting's own transaction,
        # so that neither is ever stored without the other.
        with transaction.atomic(
            using=kwargs.get("using") or router.db_for_write(Meeting), savepoint=False
        ):
            super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if self.pk:
            self._check_agreements_signed_here()
        try:
            # The mission may be new and unsaved (admin inline), so no mission_id yet.
            mission = self.mission
        except Mission.DoesNotExist:
            return
        if self.date and mission.start_date and mission.end_date and not mission.covers(self.date):
            raise ValidationError(
                {
                    "date": _(
                        "The meeting must fall within the mission's dates (%(start)s – %(end)s)."
                    )
                    % {
                        "start": date_format(mission.start_date),
                        "end": date_format(mission.end_date),
                    }
                }
            )

    def _check_agreements_signed_here(self):
        """An agreement signed at this meeting was signed with its country, on its day
        (Agreement.clean): a meeting cannot move away from an agreement signed at it."""
        errors = {}
        for agreement in self.agreements_signed.only(
            "title", "title_ja", "counterpart_country", "signed_on", "signed_at_meeting"
        ):
            if agreement.counterpart_country != self.counterpart_country:
                errors.setdefault("counterpart_country", []).append(
                    _("“%(agreement)s” was signed at this meeting, with %(country)s.")
                    % {"agreement": agreement, "country": agreement.counterpart_country.name}
                )
            if agreement.signed_on and self.date and agreement.signed_on != self.date:
                errors.setdefault("date", []).append(
                    _("“%(agreement)s” was signed at this meeting, on %(date)s.")
                    % {"agreement": agreement, "date": date_format(agreement.signed_on)}
                )
        if errors:
            raise ValidationError(errors)


class Engagement(models.Model):
    """One (mission, counterpart country) pair and its meetings: the unit of top-sales
    statistics, kept so that they are not regrouped from every meeting on every read.

    Derived data: missions.services.refresh_engagements recomputes a pair whenever one
    of its meetings is saved or deleted, in the same transaction; nobody edits it. It
    holds the pairs of every mission, whatever its status or leader, since those can
    change without a meeting changing: the statistics join the mission to choose."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="engagements"
    )
    counterpart_country = CountryField(_("counterpart country"))
    first_date = models.DateField(_("date of the first meeting"))
    last_date = models.DateField(_("date of the last meeting"))
    meetings = models.PositiveIntegerField(_("number of meetings"))

    class Meta:
        verbose_name = _("mission–country engagement")
        verbose_name_plural = _("mission–country engagements")
        ordering = ["mission", "counterpart_country"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "counterpart_country"], name="engagement_unique_pair"
            ),
        ]
        # A period reads the pairs whose first meeting falls in it, and finds those
        # that straddle one of its ends by their last.
        indexes = [
            models.Index(fields=["first_date", "last_date"], name="engagement_first_date_idx"),
            models.Index(fields=["last_date"], name="engagement_last_date_idx"),
        ]

    def __str__(self):
        return f"{self.mission_id} {self.counterpart_country.code}"
