"""The official who held each meeting (Meeting.principal, principal_rank), and
engagements as (mission, principal, counterpart country) triples (domain.md).

Meetings already recorded were held by their mission's leader at the leader's rank,
which is all the records said until now; their versions in the history too, where
their mission still exists. The engagements are then recomputed from the meetings."""

from django.db import migrations, models
from django.db.models.deletion import CASCADE, DO_NOTHING, PROTECT

RANKS = [
    ("minister", "Minister"),
    ("state_minister", "State Minister"),
    ("parliamentary_vice_minister", "Parliamentary Vice-Minister"),
    ("senior_official", "Senior official"),
    ("other", "Other"),
]


def principal(**kwargs):
    kwargs.setdefault(
        "help_text", "The MLIT official who held the meeting. Blank: the mission's leader."
    )
    return models.ForeignKey(to="contacts.person", verbose_name="held by", **kwargs)


def principal_rank(**kwargs):
    kwargs.setdefault(
        "help_text", "As held on the day. Blank: the leader's rank, for the mission's leader."
    )
    return models.CharField(
        choices=RANKS, max_length=32, verbose_name="rank of the official who held it", **kwargs
    )


FILL_PRINCIPALS_SQL = [
    f"""
    UPDATE {table} SET
        principal_id = (SELECT leader_id FROM missions_mission
                        WHERE missions_mission.id = {table}.mission_id),
        principal_rank = COALESCE((SELECT leader_rank FROM missions_mission
                                   WHERE missions_mission.id = {table}.mission_id), '')
    """
    for table in ("missions_meeting", "missions_historicalmeeting")
]

# The triples of the meetings, as the table is defined here (a later migration may
# change it: missions.services.FILL_ENGAGEMENTS_SQL is always today's).
FILL_ENGAGEMENTS_SQL = """
    INSERT INTO missions_engagement
        (mission_id, principal_id, counterpart_country, principal_rank,
         first_date, last_date, meetings)
    SELECT mission_id, principal_id, counterpart_country, first_rank,
           MIN(date), MAX(date), COUNT(*)
    FROM (
        SELECT mission_id, principal_id, counterpart_country, date,
               FIRST_VALUE(principal_rank) OVER (
                   PARTITION BY mission_id, principal_id, counterpart_country
                   ORDER BY date, id
               ) AS first_rank
        FROM missions_meeting
    ) AS held
    GROUP BY mission_id, principal_id, counterpart_country, first_rank
"""

# Unapplied: the (mission, country) pairs again.
FILL_PAIRS_SQL = """
    INSERT INTO missions_engagement
        (mission_id, counterpart_country, first_date, last_date, meetings)
    SELECT mission_id, counterpart_country, MIN(date), MAX(date), COUNT(*)
    FROM missions_meeting
    GROUP BY mission_id, counterpart_country
"""


def _fill(schema_editor, sql):
    schema_editor.execute(sql)
    if schema_editor.connection.vendor == "postgresql":
        # The new rows' foreign keys are checked now rather than at commit: PostgreSQL
        # cannot alter or index a table with checks pending.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def fill_engagements(apps, schema_editor):
    _fill(schema_editor, FILL_ENGAGEMENTS_SQL)


def fill_pairs(apps, schema_editor):
    _fill(schema_editor, FILL_PAIRS_SQL)


def empty_engagements(apps, schema_editor):
    # TRUNCATE on PostgreSQL: the table is refilled whole, and DELETE would leave it
    # twice its size until a VACUUM FULL (a slower statistics read on every call).
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("TRUNCATE missions_engagement")
    else:
        schema_editor.execute("DELETE FROM missions_engagement")


class Migration(migrations.Migration):
    dependencies = [
        ("contacts", "0002_trigram_indexes"),
        ("missions", "0004_delegation_japanese_only"),
    ]

    operations = [
        # Meetings: the principal, filled from the mission, then required.
        migrations.RemoveIndex(model_name="meeting", name="meeting_engagement_idx"),
        migrations.AddField(
            model_name="meeting",
            name="principal",
            field=principal(null=True, blank=True, on_delete=PROTECT, related_name="meetings_held"),
        ),
        migrations.AddField(
            model_name="meeting", name="principal_rank", field=principal_rank(blank=True)
        ),
        migrations.AddField(
            model_name="historicalmeeting",
            name="principal",
            field=principal(
                null=True, blank=True, db_constraint=False, on_delete=DO_NOTHING, related_name="+"
            ),
        ),
        migrations.AddField(
            model_name="historicalmeeting",
            name="principal_rank",
            field=principal_rank(blank=True),
        ),
        migrations.RunSQL(FILL_PRINCIPALS_SQL, reverse_sql=migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="meeting",
            name="principal",
            field=principal(blank=True, on_delete=PROTECT, related_name="meetings_held"),
        ),
        migrations.AddIndex(
            model_name="meeting",
            index=models.Index(
                fields=["mission", "principal", "counterpart_country", "date"],
                name="meeting_engagement_idx",
            ),
        ),
        migrations.AddConstraint(
            model_name="meeting",
            constraint=models.CheckConstraint(
                condition=models.Q(("principal_rank", ""), _negated=True),
                name="meeting_principal_rank_given",
                violation_error_message=(
                    "Give the rank of the official who held the meeting, as held that day."
                ),
            ),
        ),
        # Engagements: keyed by the principal too, recomputed from the meetings.
        migrations.AlterModelOptions(
            name="engagement",
            options={
                "ordering": ["mission", "principal", "counterpart_country"],
                "verbose_name": "top-sales engagement",
                "verbose_name_plural": "top-sales engagements",
            },
        ),
        migrations.RemoveConstraint(model_name="engagement", name="engagement_unique_pair"),
        migrations.RunPython(empty_engagements, reverse_code=fill_pairs),
        migrations.AddField(
            model_name="engagement",
            name="principal",
            field=principal(default=None, on_delete=CASCADE, related_name="+", help_text=""),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="engagement",
            name="principal_rank",
            field=principal_rank(default="", help_text=""),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="engagement",
            constraint=models.UniqueConstraint(
                fields=("mission", "principal", "counterpart_country"),
                name="engagement_unique_triple",
            ),
        ),
        migrations.RunPython(fill_engagements, reverse_code=empty_engagements),
    ]
