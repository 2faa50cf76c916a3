"""The benchmark's data: reused when the database already holds it at full size,
otherwise (re)generated from scratch."""

from django.db import connection

from bench.generate import FULL, GENERATED_MODELS, Scale, current_size, generate
from missions.models import Meeting


def _truncate():
    tables = {model._meta.db_table for model in GENERATED_MODELS}
    for model in GENERATED_MODELS:
        for field in model._meta.many_to_many:
            tables.add(field.remote_field.through._meta.db_table)
    tables.add(Meeting.history.model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(table) for table in sorted(tables))
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE")


def ensure_data(scale: Scale = FULL, *, log=print):
    size = current_size()
    if size == scale:
        log(f"Reusing the data set: {size}")
        return False
    if size.meetings or size.missions or size.projects:
        log(f"The database holds {size}, not {scale}: generating again")
        _truncate()
    log(f"Generating {scale} (seed fixed)")
    counts = generate(scale, log=log)
    for label, count in sorted(counts.items()):
        log(f"  {label:32} {count:>10,}")
    log("  VACUUM ANALYZE")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    return True
