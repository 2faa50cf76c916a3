"""The one door through which a search, and a saved filter, reads records; and the
saved filters' writes and alert e-mails."""

import datetime
import logging

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import ValidationError as DRFValidationError

from core.services import validated_save
from exports import resources
from exports.services import filters_as_query
from search.choices import AlertFrequency
from search.models import SavedFilter, SavedFilterDigest


def searchable_queryset(model, user) -> QuerySet:
    """The records of `model` that `user` may find.

    Every query of the search (and of saved filters and their alerts) starts here, so
    that what a user may see is decided in one place: the records of a model the user
    may view (the callers check the model's view permission) that classification lets
    them read (core.classification: `visible_to`, on the models that have it; a
    level-3 record only for those on its access list)."""
    records = model._default_manager.all()
    visible_to = getattr(records, "visible_to", None)
    return visible_to(user) if visible_to is not None else records


# -- saved filters -----------------------------------------------------------------------


logger = logging.getLogger(__name__)

# Records listed per saved filter in an alert e-mail (the rest are counted).
ALERT_RECORDS_LISTED = 20
# The analysts' page of each list that has one (the others link to the API list).
LIST_PAGES = {
    "missions": "reports:mission-list",
    "meetings": "reports:meeting-list",
    "agreements": "reports:agreement-list",
    "projects": "reports:project-list",
}


def saved_filters_visible_to(user):
    """The user's own saved filters and those shared with one of their groups."""
    return SavedFilter.objects.filter(
        Q(owner=user) | Q(shared_with__in=user.groups.all())
    ).select_related("owner", "shared_with")


def saved_filter_records(saved_filter: SavedFilter, user):
    """The records of the saved filter's list that match its filters, for `user`:
    the list's FilterSet applied to what searchable_queryset lets the user find.
    Raises DRF's ValidationError for a filter the list refuses."""
    view = resources.list_view(saved_filter.resource, user, filters_as_query(saved_filter.filters))
    return view.filter_queryset(
        searchable_queryset(resources.model_of(saved_filter.resource), user)
    )


def _check(saved_filter: SavedFilter):
    """The list exists, the owner may view its records, the filters are the list's and
    valid, the group shared with is one of the owner's: a ValidationError naming the
    field otherwise."""
    resource = saved_filter.resource
    if resource not in resources.exportable():
        raise ValidationError(
            {
                "resource": _("Choose one of: %(names)s.")
                % {"names": ", ".join(sorted(resources.exportable()))}
            }
        )
    owner = saved_filter.owner
    if not owner.has_perm(resources.view_permission(resource)):
        raise ValidationError({"resource": _("You may not view the records of this list.")})
    if not isinstance(saved_filter.filters, dict):
        raise ValidationError({"filters": _("Give the filters as an object of query parameters.")})

    def plain(value):
        return isinstance(value, str | int | float | bool) and "\x00" not in str(value)

    for name, value in saved_filter.filters.items():
        values = value if isinstance(value, list) else [value]
        if "\x00" in name or not values or not all(plain(v) for v in values):
            raise ValidationError(
                {"filters": _("Give each filter a value, or a list of values, as the list takes.")}
            )
    unknown = set(saved_filter.filters) - resources.filter_names(resource)
    if unknown:
        raise ValidationError(
            {
                "filters": _("There is no such filter: %(names)s.")
                % {"names": ", ".join(sorted(unknown))}
            }
        )
    try:
        saved_filter_records(saved_filter, owner)
    except DRFValidationError as error:
        detail = error.detail if isinstance(error.detail, dict) else {"": error.detail}
        messages = [f"{name}: {' '.join(map(str, errors))}" for name, errors in detail.items()]
        raise ValidationError({"filters": messages}) from error
    group = saved_filter.shared_with
    if (
        group is not None
        and not owner.is_superuser
        and not owner.groups.filter(pk=group.pk).exists()
    ):
        raise ValidationError({"shared_with": _("Share it with one of your own groups.")})


@transaction.atomic
def saved_filter_create(
    *, owner, name, resource, filters=None, shared_with=None, alert=""
) -> SavedFilter:
    saved_filter = SavedFilter(
        owner=owner,
        name=name,
        resource=resource,
        filters=filters or {},
        shared_with=shared_with,
        alert=alert or AlertFrequency.NONE,
        # The first e-mail lists what changes from now on.
        alerted_until=timezone.now(),
    )
    _check(saved_filter)
    return validated_save(saved_filter)


@transaction.atomic
def saved_filter_update(*, saved_filter: SavedFilter, **changes) -> SavedFilter:
    """Rename, re-share, change the filters or the alert. Only its owner may."""
    for field, value in changes.items():
        setattr(saved_filter, field, value)
    if "alert" in changes and saved_filter.alert and saved_filter.alerted_until is None:
        saved_filter.alerted_until = timezone.now()
    _check(saved_filter)
    return validated_save(saved_filter)


@transaction.atomic
def saved_filter_delete(*, saved_filter: SavedFilter) -> None:
    saved_filter.delete()


def list_address(saved_filter: SavedFilter) -> str:
    """The analysts' page of the list with these filters, or the API list."""
    query = filters_as_query(saved_filter.filters)
    name = LIST_PAGES.get(saved_filter.resource)
    try:
        path = (
            reverse(name)
            if name
            else reverse(f"api:{resources.exportable()[saved_filter.resource][1]}-list")
        )
    except (KeyError, NoReverseMatch):
        return ""
    return f"{path}?{query}" if query else path


# -- alerts ------------------------------------------------------------------------------


class SavedFilterDigestError(Exception):
    """Some alert e-mails could not be sent; the others were, and a retry sends only the rest."""


def _due(today: datetime.date) -> list[str]:
    """The frequencies whose e-mail goes out on `today`: daily ones every day, weekly
    ones on Mondays."""
    return [AlertFrequency.DAILY] + ([AlertFrequency.WEEKLY] if today.weekday() == 0 else [])


def _alerting(today):
    return SavedFilter.objects.filter(alert__in=_due(today), owner__is_active=True).exclude(
        owner__email=""
    )


def saved_filters_send_digests(*, today: datetime.date | None = None, now=None) -> int:
    """One e-mail per user with saved filters due today (daily, or weekly on Mondays)
    listing, for each, the matching records created or changed since its last e-mail.
    Returns how many were sent; a user already e-mailed today is skipped, so running it
    twice sends nothing more."""
    now = now or timezone.now()
    today = today or timezone.localdate(now)
    owner_ids = _alerting(today).order_by().values_list("owner_id", flat=True).distinct()
    sent, failed = 0, []
    for user in get_user_model().objects.filter(pk__in=list(owner_ids)).order_by("pk"):
        try:
            sent += saved_filter_send_digest(user=user, today=today, now=now)
        except SoftTimeLimitExceeded as error:
            raise SavedFilterDigestError(
                "time limit reached before every e-mail was sent"
            ) from error
        except Exception:
            logger.exception("Could not send the saved-filter e-mail of user %s", user.pk)
            failed.append(user.pk)
    if failed:
        raise SavedFilterDigestError(f"saved-filter e-mails not sent to users {failed}")
    return sent


@transaction.atomic
def saved_filter_send_digest(*, user, today: datetime.date, now) -> bool:
    """One user's e-mail for `today`, unless sent already. The record of it and the new
    `alerted_until` of each filter are written in the same transaction as the sending:
    if the e-mail fails, both roll back and a retry sends the same changes; a second run
    waits for the first (the unique constraint) and sends nothing. A filter with no new
    or changed record is left out; no e-mail when none has any."""
    saved_filters = list(
        _alerting(today).filter(owner=user).select_for_update().order_by("resource", "name", "id")
    )
    sections = []
    for saved_filter in saved_filters:
        since = saved_filter.alerted_until or saved_filter.created_at
        try:
            records = saved_filter_records(saved_filter, user)
        except DRFValidationError:
            # A filter the list no longer takes: the user is told in the e-mail.
            sections.append((saved_filter, None, 0, []))
            continue
        changed = records.filter(updated_at__gt=since, updated_at__lte=now).order_by(
            "-updated_at", "-pk"
        )
        count = changed.count()
        if count:
            sections.append((saved_filter, since, count, list(changed[:ALERT_RECORDS_LISTED])))
    if not sections:
        return False
    _digest, created = SavedFilterDigest.objects.get_or_create(
        user=user, day=today, defaults={"item_count": sum(section[2] for section in sections)}
    )
    if not created:
        return False
    SavedFilter.objects.filter(pk__in=[f.pk for f in saved_filters]).update(alerted_until=now)
    _digest_message(user, sections).send()
    return True


def _languages_for(user):
    """The user's language first, then the other one: one e-mail reads in both."""
    codes = [code for code, _name in settings.LANGUAGES]
    first = (
        getattr(user, "language", "")
        if getattr(user, "language", "") in codes
        else settings.LANGUAGE_CODE
    )
    return [first, *(code for code in codes if code != first)]


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}" if path else ""


def _record_address(user, record, resource: str) -> str:
    """Where the e-mail links a record: its analysts' page (a mission, meeting,
    agreement or project, for a reader who may open it), else its admin page for staff,
    else its API address."""
    from search.views import record_page

    page = record_page(user, record)
    if page is None:
        basename = resources.exportable()[resource][1]
        page = reverse(f"api:{basename}-detail", args=[record.pk])
    return _absolute(page)


def _digest_section(user, sections):
    name = user.get_full_name() or user.get_username()
    lines = [gettext("Hello %(name)s,") % {"name": name}, ""]
    lines.append(gettext("New and changed records in your saved filters:"))
    for saved_filter, since, count, records in sections:
        lines += ["", f"■ {saved_filter.name}"]
        if since is None:
            lines.append(gettext("This saved filter no longer works: open it and save it again."))
            continue
        lines.append(
            gettext("%(count)d new or changed since %(since)s")
            % {"count": count, "since": date_format(timezone.localtime(since), "DATETIME_FORMAT")}
        )
        lines.append(f"  {_absolute(list_address(saved_filter))}")
        for record in records:
            mark = gettext("new") if record.created_at > since else gettext("changed")
            lines += [
                f"- [{mark}] {record}",
                f"  {_record_address(user, record, saved_filter.resource)}",
            ]
        if count > len(records):
            lines.append(gettext("… and %(more)d more") % {"more": count - len(records)})
    return "\n".join(lines)


def _digest_message(user, sections):
    total = sum(section[2] for section in sections)
    subjects, bodies = [], []
    for language in _languages_for(user):
        with translation.override(language):
            subjects.append(
                gettext("Saved filters: %(count)d new or changed records") % {"count": total}
            )
            bodies.append(_digest_section(user, sections))
    return EmailMessage(
        subject=" / ".join(subjects),
        body="\n\n----------------------------------------\n\n".join(bodies) + "\n",
        to=[user.email],
    )
