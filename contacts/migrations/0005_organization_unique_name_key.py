from django.db import migrations, models
from django.db.models import Count


def refuse_duplicates(apps, schema_editor):
    """Organisations entered twice before names compared folded ("Ministry of Roads"
    and "MINISTRY OF ROADS" in one country) would make the constraint fail with a bare
    database error: name them, and say how to merge them."""
    Organization = apps.get_model("contacts", "Organization")
    clashes = (
        Organization.objects.values("name_key", "country")
        .annotate(count=Count("pk"))
        .filter(count__gt=1)
        .order_by("country", "name_key")
    )
    lines = []
    for clash in clashes:
        same = Organization.objects.filter(
            name_key=clash["name_key"], country=clash["country"]
        ).order_by("pk")
        lines.append(", ".join(f"#{org.pk} {org.name!r} ({org.country})" for org in same))
    if lines:
        raise RuntimeError(
            "These organisations have the same name in the same country once case and "
            "character width are ignored:\n  "
            + "\n  ".join(lines)
            + "\nMerge each group into one in the admin (Organisations: tick two, action "
            "'Merge'; `manage.py find_duplicates` lists them), then run migrate again."
        )


class Migration(migrations.Migration):
    """An organisation's name is unique in its country as names compare (folded), not
    letter for letter: "MINISTRY OF ROADS" is refused beside "Ministry of Roads"."""

    dependencies = [
        ("contacts", "0004_organization_name_key"),
    ]

    operations = [
        migrations.RunPython(refuse_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="organization",
            name="organization_unique_name_country",
        ),
        migrations.AddConstraint(
            model_name="organization",
            constraint=models.UniqueConstraint(
                fields=("name_key", "country"),
                name="organization_unique_name_key_country",
                violation_error_message=(
                    "An organisation with this name already exists in this country."
                ),
            ),
        ),
    ]
