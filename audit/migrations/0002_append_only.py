"""The read audit is append-only in the database too: on PostgreSQL a trigger refuses
every UPDATE and DELETE of its rows, but the retention job's (audit.services.
audit_purge, which sets audit.retention for its own transaction). Administrators get
the permission to read it."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_readevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('audit.retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'The read audit is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_readevent_append_only
    BEFORE UPDATE OR DELETE ON audit_readevent
    FOR EACH ROW EXECUTE FUNCTION audit_readevent_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS audit_readevent_append_only ON audit_readevent;
DROP FUNCTION IF EXISTS audit_readevent_append_only();
"""


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


def sync_groups(apps, schema_editor):
    from accounts.roles import sync_groups

    sync_groups(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial"), ("accounts", "0008_groups_after_security_history")]
    operations = [
        migrations.RunPython(create_trigger, drop_trigger),
        migrations.RunPython(sync_groups, migrations.RunPython.noop),
    ]
