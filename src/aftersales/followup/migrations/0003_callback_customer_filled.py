from django.db import migrations


def fill_customer_and_unit(apps, schema_editor):
    """Callbacks written before 0002 were all about a request: take its customer and unit."""
    Callback = apps.get_model("followup", "Callback")
    for callback in Callback.objects.filter(customer__isnull=True).select_related("request"):
        callback.customer_id = callback.request.customer_id
        callback.unit_id = callback.request.unit_id
        callback.save(update_fields=["customer", "unit"])


class Migration(migrations.Migration):
    # Data and the NOT NULL change go in separate migrations (separate transactions): PostgreSQL
    # refuses to alter a table with pending deferred foreign-key checks from the update.
    dependencies = [("followup", "0002_callbacks_attempts_schedules_promises")]

    operations = [migrations.RunPython(fill_customer_and_unit, migrations.RunPython.noop)]
