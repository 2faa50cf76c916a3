from django.db import migrations


def create_sectors(apps, schema_editor):
    from core.sectors import SectorCode

    Sector = apps.get_model("core", "Sector")
    for code in SectorCode.values:
        Sector.objects.get_or_create(code=code)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(create_sectors, migrations.RunPython.noop)]
