from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.db.models import F, Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from simple_history.models import HistoricalRecords

from contacts.choices import JAPANESE_KINDS
from contacts.models import Organization, Person
from core.classification import ClassifiedModel, ParentLink, raise_attached
from core.i18n import localized
from core.models import Sector, Tag, TimeStampedModel
from core.regions import JAPAN
from missions.choices import LeaderRank, MissionKind, MissionStatus
from projects.models import Project


class Mission(ClassifiedModel, TimeStampedModel):
    """One trip or occasion led by one official: a top-sales mission (トップセールス)."""

    # Either title may be left blank, not both (mission_has_a_title): staff working in
    # Japanese often have no English title yet, and other tools (the API, imports) write
    # missions from English sources that have no Japanese one.
    title = models.CharField(_("title (English)"), max_length=255, blank=True)
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

    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="missions", blank=True)

    history = HistoricalRecords(m2m_fields=[delegation, sectors, tags])

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
            models.CheckConstraint(
                condition=~Q(title="", title_ja=""),
                name="mission_has_a_title",
                violation_error_message=_(
                    "Give the mission a title, in Japanese or in English (or both)."
                ),
            ),
        ]

    def __str__(self):
        return localized(self.title, self.title_ja)

    def save(self, *args, **kwargs):
        # The meetings its leader held follow a change of leader or rank in post_save
        # (missions.signals): in the mission's own transaction.
        with transaction.atomic(
            using=kwargs.get("using") or router.db_for_write(Mission), savepoint=False
        ):
            super().save(*args, **kwargs)
            # Its meetings are at least as restricted as the mission (core.classification).
            raise_attached(Meeting._default_manager.filter(mission=self), self.classification)

    def clean(self):
        super().clean()
        if self.pk and self.status == MissionStatus.COMPLETED:
            # Whoever writes it (admin, API, import, mission_complete): a mission that
            # did not take place cannot be counted as top sales.
            if "_status_on_file" in self.__dict__:
                # Read with the mission, in this transaction (an import reads its
                # missions once, not once each).
                stored = self._status_on_file
            else:
                stored = (
                    type(self)
                    ._default_manager.filter(pk=self.pk)
                    .values_list("status", flat=True)
                    .first()
                )
            if stored == MissionStatus.CANCELLED:
                raise ValidationError(
                    {"status": _("A cancelled mission cannot be marked completed.")}
                )

    def covers(self, day):
        return self.start_date <= day <= self.end_date


# The meeting's fields its engagement depends on: the engagement's key (mission,
# principal, country) first, then what it records of its meetings.
ENGAGEMENT_FIELDS = ("mission_id", "principal_id", "counterpart_country", "date", "principal_rank")


def as_engagement_key(mission_id, principal_id, country, day, rank) -> tuple:
    """A meeting's ENGAGEMENT_FIELDS, the country as a plain code."""
    return (mission_id, principal_id, str(country or "").upper(), day, rank)


def engagement_key(meeting, written=None, before=None) -> tuple | None:
    """ENGAGEMENT_FIELDS as the instance holds them; a field it does not hold
    (deferred), or one a save leaves out of `written`, is taken from `before`. None
    when neither knows."""
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


class Meeting(ClassifiedModel, TimeStampedModel):
    """What a mission did with one counterpart (会談)."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="meetings"
    )
    date = models.DateField(_("date"), db_index=True)
    # Who held the meeting: the mission's leader unless another member of the mission
    # did (fill_principal). Top-sales statistics count the principal, not the leader.
    principal = models.ForeignKey(
        Person,
        verbose_name=_("held by"),
        on_delete=models.PROTECT,
        blank=True,
        related_name="meetings_held",
        help_text=_("The MLIT official who held the meeting. Blank: the mission's leader."),
    )
    principal_rank = models.CharField(
        _("rank of the official who held it"),
        max_length=32,
        choices=LeaderRank.choices,
        blank=True,
        help_text=_("As held on the day. Blank: the leader's rank, for the mission's leader."),
    )
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

    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), related_name="meetings", blank=True)

    history = HistoricalRecords(
        m2m_fields=[counterparts, counterpart_organizations, projects, tags]
    )

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-date", "id"]
        # The analysts' filters, the default order, and the sync cursor (updated_at, id).
        indexes = [
            models.Index(fields=["counterpart_country", "date"], name="meeting_country_date_idx"),
            models.Index(fields=["-date", "id"], name="meeting_order_idx"),
            models.Index(fields=["updated_at", "id"], name="meeting_sync_idx"),
            # Top-sales engagements: (mission, principal, country) and their meetings
            # in date order, read from the index.
            models.Index(
                fields=["mission", "principal", "counterpart_country", "date"],
                name="meeting_engagement_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(counterpart_country=JAPAN),
                name="meeting_counterpart_not_japan",
                violation_error_message=_("Japan cannot be the counterpart country."),
            ),
            models.CheckConstraint(
                condition=~Q(principal_rank=""),
                name="meeting_principal_rank_given",
                violation_error_message=_(
                    "Give the rank of the official who held the meeting, as held that day."
                ),
            ),
        ]

    def __str__(self):
        # In the reader's language: 2018年6月11日 in Japanese, June 11, 2018 in English.
        day = date_format(self.date) if self.date else ""
        return f"{day} {self.counterpart_country.name}".strip()

    @classmethod
    def classification_parents(cls):
        return (ParentLink(Mission, "mission"),)

    def classification_floor(self):
        mission = self._mission_or_none()
        if mission is None:
            return super().classification_floor()
        return mission.classification, mission

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # What the row held, so that a meeting moved to another mission or country
        # also refreshes the engagement it leaves (missions.signals).
        instance._engagement_loaded = engagement_key(instance)
        return instance

    def save(self, *args, **kwargs):
        self.fill_principal()
        # The engagement is refreshed by post_save: in the meeting's own transaction,
        # so that neither is ever stored without the other.
        with transaction.atomic(
            using=kwargs.get("using") or router.db_for_write(Meeting), savepoint=False
        ):
            super().save(*args, **kwargs)

    def fill_principal(self):
        """A meeting left without its principal was held by the mission's leader, at the
        leader's rank; so is the rank of the leader named as principal. Another
        official's rank cannot be guessed: clean() asks for it."""
        if self.principal_id is not None and self.principal_rank:
            return
        mission = self._mission_or_none()
        if mission is None:
            return
        if self.principal_id is None and mission.leader_id is not None:
            self.principal = mission.leader
        if not self.principal_rank and self.principal_id == mission.leader_id:
            self.principal_rank = mission.leader_rank

    def _mission_or_none(self):
        try:
            # The mission may be new and unsaved (admin inline), so no mission_id yet.
            return self.mission
        except Mission.DoesNotExist:
            return None

    def clean(self):
        super().clean()
        if self.pk:
            self._check_agreements_signed_here()
        mission = self._mission_or_none()
        if mission is None:
            return
        self.fill_principal()
        if self.principal_id is not None and not self.principal_rank:
            raise ValidationError(
                {
                    "principal_rank": _(
                        "Give the rank %(person)s held that day: only the leader's is known."
                    )
                    % {"person": self.principal}
                }
            )
        if self.principal_id == mission.leader_id and self.principal_rank != mission.leader_rank:
            raise ValidationError(
                {
                    "principal_rank": _(
                        "%(person)s led this mission as %(rank)s: give that rank, or the "
                        "official who held the meeting."
                    )
                    % {"person": mission.leader, "rank": mission.get_leader_rank_display()}
                }
            )
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
        (Agreement.clean): a meeting cannot move away from an agreement signed at it.
        `_agreements_on_file`: those agreements, when read already (an import)."""
        from core.classification import RESTRICTED_LINK, LinkedRecords

        errors = {}
        agreements = self.__dict__.get("_agreements_on_file")
        if agreements is None:
            agreements = self.agreements_signed.only(
                "title",
                "title_ja",
                "counterpart_country",
                "signed_on",
                "signed_at_meeting",
                "classification",
            )
        # The message may reach someone who may not read the agreement: a level-3 one
        # is named without its title (LinkedRecords without a reader: levels 1 and 2).
        linked = LinkedRecords(None)
        for agreement in agreements:
            named = RESTRICTED_LINK if linked.hidden(agreement) else agreement
            if agreement.counterpart_country != self.counterpart_country:
                errors.setdefault("counterpart_country", []).append(
                    _("“%(agreement)s” was signed at this meeting, with %(country)s.")
                    % {"agreement": named, "country": agreement.counterpart_country.name}
                )
            if agreement.signed_on and self.date and agreement.signed_on != self.date:
                errors.setdefault("date", []).append(
                    _("“%(agreement)s” was signed at this meeting, on %(date)s.")
                    % {"agreement": named, "date": date_format(agreement.signed_on)}
                )
        if errors:
            raise ValidationError(errors)


class Engagement(models.Model):
    """One (mission, principal, counterpart country) triple and its meetings: the unit
    of top-sales statistics (domain.md), kept so that they are not regrouped from every
    meeting on every read. Two meetings of one official with one country on one mission
    are one engagement; a minister and a vice-minister who each meet it are two.

    Derived data: missions.services.refresh_engagements recomputes a triple whenever one
    of its meetings is saved or deleted, in the same transaction; nobody edits it. It
    holds the triples of every mission and rank, since a mission's status can change
    without a meeting changing: the statistics join the mission to choose."""

    mission = models.ForeignKey(
        Mission, verbose_name=_("mission"), on_delete=models.CASCADE, related_name="engagements"
    )
    principal = models.ForeignKey(
        Person, verbose_name=_("held by"), on_delete=models.CASCADE, related_name="+"
    )
    # The rank held at the first meeting: an official's rank does not change during a
    # mission but for a reshuffle on its very days.
    principal_rank = models.CharField(
        _("rank of the official who held it"), max_length=32, choices=LeaderRank.choices
    )
    counterpart_country = CountryField(_("counterpart country"))
    first_date = models.DateField(_("date of the first meeting"))
    last_date = models.DateField(_("date of the last meeting"))
    meetings = models.PositiveIntegerField(_("number of meetings"))

    class Meta:
        verbose_name = _("top-sales engagement")
        verbose_name_plural = _("top-sales engagements")
        ordering = ["mission", "principal", "counterpart_country"]
        constraints = [
            models.UniqueConstraint(
                fields=["mission", "principal", "counterpart_country"],
                name="engagement_unique_triple",
            ),
        ]
        # A period reads the pairs whose first meeting falls in it, and finds those
        # that straddle one of its ends by their last.
        indexes = [
            models.Index(fields=["first_date", "last_date"], name="engagement_first_date_idx"),
            models.Index(fields=["last_date"], name="engagement_last_date_idx"),
        ]

    def __str__(self):
        return f"{self.mission_id} {self.principal_id} {self.counterpart_country.code}"
