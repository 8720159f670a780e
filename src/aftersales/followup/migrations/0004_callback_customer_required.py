import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("followup", "0003_callback_customer_filled")]

    operations = [
        migrations.AlterField(
            model_name="callback",
            name="customer",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="callbacks",
                to="customers.customer",
                verbose_name="customer",
            ),
        ),
    ]
