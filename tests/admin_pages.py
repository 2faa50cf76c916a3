"""Helpers for tests that drive the admin's change pages as a browser would."""

from django.db.models.fields.files import FieldFile

from missions.choices import LeaderRank, MissionKind, MissionStatus


def posted_back(page):
    """What the browser posts back from a rendered admin change page: the record's
    fields and every inline row's, hidden versions and management forms included."""
    forms = [page.context["adminform"].form]
    for inline in page.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.forms]
    data = {}
    for form in forms:
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False or isinstance(value, FieldFile):
                # An empty field, an unticked box, a file already stored: the browser
                # sends nothing.
                continue
            if isinstance(value, list | tuple):
                value = [str(item) for item in value]
            data[form[name].html_name] = "on" if value is True else value
    return data


def no_rows(prefix):
    """The management form of an inline left empty: without it the page is refused."""
    return {
        f"{prefix}-TOTAL_FORMS": "0",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


# The follow-ups inline of a mission's, meeting's, agreement's or project's page.
FOLLOW_UPS = "followups-followup-content_type-object_id"
# The notes inline at the foot of every record's page (missions to people).
NOTES = "notes-note-content_type-object_id"


def mission_form(leader, meetings, **overrides):
    """The add page of a mission as posted: the mission, its `meetings` inline (dicts of
    their fields), no follow-ups, and `overrides`."""
    data = {
        "title": "Minister's visit to Viet Nam and Cambodia",
        "title_ja": "大臣のベトナム・カンボジア訪問",
        "leader": leader.pk,
        "leader_rank": LeaderRank.MINISTER,
        "kind": MissionKind.OVERSEAS_VISIT,
        "status": MissionStatus.PLANNED,
        "start_date": "2018-05-01",
        "end_date": "2018-05-04",
        "purpose": "",
        "summary": "",
        "meetings-TOTAL_FORMS": str(len(meetings)),
        "meetings-INITIAL_FORMS": "0",
        "meetings-MIN_NUM_FORMS": "0",
        "meetings-MAX_NUM_FORMS": "1000",
        **no_rows(FOLLOW_UPS),
        **no_rows(NOTES),
        **overrides,
    }
    for index, meeting in enumerate(meetings):
        for field, value in meeting.items():
            data[f"meetings-{index}-{field}"] = value
    return data
