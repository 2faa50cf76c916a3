from django.db import migrations, models

from core.folding import name_key


def fill_name_keys(apps, schema_editor):
    Organization = apps.get_model("contacts", "Organization")
    organizations = list(Organization.objects.only("pk", "name"))
    for organization in organizations:
        organization.name_key = name_key(organization.name)
    Organization.objects.bulk_update(organizations, ["name_key"], batch_size=1000)


class Migration(migrations.Migration):
    """Each organisation's name as names compare (NFKC, lower case, spaces evened out:
    core.folding.name_key), filled for the organisations already there. The next
    migration makes it unique per country."""

    dependencies = [
        ("contacts", "0003_folded_trigram_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="organization",
            name="name_key",
            field=models.TextField(blank=True, editable=False, verbose_name="name as compared"),
        ),
        migrations.RunPython(fill_name_keys, migrations.RunPython.noop, elidable=True),
    ]
