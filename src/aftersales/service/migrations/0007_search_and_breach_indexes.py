"""Indexes for the request list's search box on PostgreSQL (nothing on SQLite).

The search matches a part of the description or of the contact phone anywhere (``icontains``),
which no B-tree can answer, and Chinese words are often two characters long, too short for
pg_trgm's trigrams. So each text is indexed by its two-character pieces: ``aftersales_bigrams``
turns '空调不冷' into {空调, 调不, 不冷}, a GIN index holds those arrays, and the search asks
for the rows whose pieces contain all of the query's pieces before checking the text itself
(see ``service.selectors``). The request number is matched in any case, hence UPPER(number).

On both databases: clocks by state and the time they were met (the dashboard's breach list).
"""

from django.db import migrations, models

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION aftersales_bigrams(value text) RETURNS text[]
    LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
    DECLARE
        pieces text[] := '{}';
    BEGIN
        FOR i IN 1 .. length(value) - 1 LOOP
            pieces := pieces || substr(value, i, 2);
        END LOOP;
        RETURN pieces;
    END
    $$
    """,
    "CREATE INDEX sr_description_bigrams_idx ON service_servicerequest "
    "USING gin (aftersales_bigrams(upper(description)))",
    "CREATE INDEX sr_contact_phone_bigrams_idx ON service_servicerequest "
    "USING gin (aftersales_bigrams(contact_phone))",
    "CREATE INDEX sr_number_upper_idx ON service_servicerequest (upper(number))",
]

BACKWARD = [
    "DROP INDEX IF EXISTS sr_number_upper_idx",
    "DROP INDEX IF EXISTS sr_contact_phone_bigrams_idx",
    "DROP INDEX IF EXISTS sr_description_bigrams_idx",
    "DROP FUNCTION IF EXISTS aftersales_bigrams(text)",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("service", "0006_indexes_for_queues"),
    ]

    operations = [
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
        migrations.AddIndex(
            model_name="slaclock",
            index=models.Index(fields=["state", "met_at"], name="slaclock_state_met_idx"),
        ),
    ]
