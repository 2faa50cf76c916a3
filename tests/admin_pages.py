"""Helpers for tests that drive the admin's change pages as a browser would."""


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
            if value is None or value is False:
                continue  # an empty field, an unticked box: the browser sends nothing
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
