"""The bureau's roles, as Django groups, and the permissions each one holds.

Kept as data so that a migration can apply it and a test can read it.
"""

from django.utils.translation import gettext_lazy as _

DATA_ENTRY = "Data entry"
ANALYST = "Analyst"
ADMINISTRATOR = "Administrator"

GROUP_LABELS = {
    DATA_ENTRY: _("Data entry"),
    ANALYST: _("Analyst"),
    ADMINISTRATOR: _("Administrator"),
}

# The apps whose records the roles cover.
RECORD_APPS = ("contacts", "projects", "missions", "agreements", "followups", "notes")
# Agreements are signed: data entry staff may correct them, not delete them. Everything
# else they may delete, an agreement's wrongly uploaded document included.
# (An expiry alert is the record that it was sent: deleting one would send it again.)
NO_DELETE_FOR_DATA_ENTRY = {("agreements", "agreement"), ("agreements", "expiryalert")}
# Tags (core.Tag) are free: whoever enters records may add one, everyone may read them;
# renaming, merging and deleting a tag changes every record that carries it, so only
# administrators may (they hold every permission).
TAG_PERMISSIONS = {
    ANALYST: {("core", "view_tag")},
    DATA_ENTRY: {("core", "view_tag"), ("core", "add_tag")},
}


def wanted_codenames(group, permissions):
    """The (app_label, codename) pairs a group should hold, out of `permissions`
    (an iterable of (app_label, codename))."""
    if group == ADMINISTRATOR:
        return set(permissions)
    chosen = {key for key in TAG_PERMISSIONS.get(group, ()) if key in set(permissions)}
    for app_label, codename in permissions:
        # History rows are written by the system and read through their record.
        if app_label not in RECORD_APPS or "_historical" in codename:
            continue
        action, _sep, model_name = codename.partition("_")
        if (
            group == ANALYST
            and action == "view"
            or group == DATA_ENTRY
            and (action != "delete" or (app_label, model_name) not in NO_DELETE_FOR_DATA_ENTRY)
        ):
            chosen.add((app_label, codename))
    return chosen


def sync_groups(apps, schema_editor=None):
    """Create the groups and give each exactly its permissions. Safe to run again:
    a later migration that adds models calls it once more."""
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrations; create them now so that
    # the groups can hold them on a fresh database.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    all_permissions = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type")
    }
    for name in GROUP_LABELS:
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(
            [all_permissions[key] for key in wanted_codenames(name, all_permissions)]
        )
