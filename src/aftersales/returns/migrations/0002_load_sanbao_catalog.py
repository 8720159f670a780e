"""Load the shipped 三包 catalog and no-reason goods classes (data/sanbao_catalog.json).

Only codes not yet in the tables are added, so rows an administrator edited
are never overwritten and the migration can run against any state.
"""

import json
from decimal import Decimal
from importlib import resources

from django.db import migrations


def shipped_data():
    path = resources.files("aftersales.returns").joinpath("data", "sanbao_catalog.json")
    return json.loads(path.read_text(encoding="utf-8"))


def load(apps, schema_editor):
    SanbaoCategory = apps.get_model("returns", "SanbaoCategory")
    SanbaoPart = apps.get_model("returns", "SanbaoPart")
    NoReasonGoodsClass = apps.get_model("returns", "NoReasonGoodsClass")
    data = shipped_data()
    for row in data["categories"]:
        rate = row["daily_depreciation_percent"]
        category, created = SanbaoCategory.objects.get_or_create(
            code=row["code"],
            defaults={
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "product_rule": row["product_rule"],
                "whole_unit_months": row["whole_unit_months"],
                "daily_depreciation_percent": None if rate is None else Decimal(rate),
                "period_starts_on_installation": row["period_starts_on_installation"],
                "durable": row["durable"],
                "parts_delay_days": row["parts_delay_days"],
                "loaner_after_days": row["loaner_after_days"],
            },
        )
        if created:
            SanbaoPart.objects.bulk_create(
                SanbaoPart(
                    category=category,
                    code=part["code"],
                    name_zh=part["name_zh"],
                    name_en=part["name_en"],
                    kind=part["kind"],
                    months=part["months"],
                )
                for part in row["parts"]
            )
    for row in data["goods_classes"]:
        NoReasonGoodsClass.objects.get_or_create(
            code=row["code"],
            defaults={
                "name_zh": row["name_zh"],
                "name_en": row["name_en"],
                "no_reason_rule": row["no_reason_rule"],
                "description_zh": row["description_zh"],
                "description_en": row["description_en"],
            },
        )


def unload(apps, schema_editor):
    data = shipped_data()
    apps.get_model("returns", "SanbaoCategory").objects.filter(
        code__in=[row["code"] for row in data["categories"]]
    ).delete()
    apps.get_model("returns", "NoReasonGoodsClass").objects.filter(
        code__in=[row["code"] for row in data["goods_classes"]]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
