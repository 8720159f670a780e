"""Default reward grades and departments; both are edited in the admin."""

from decimal import Decimal

from django.db import migrations

# Three criteria (creativity, feasibility, benefit) scored 1-5: totals 3-15.
GRADES = [
    ("special", "特等奖", 13, Decimal("1000.00")),
    ("first", "一等奖", 10, Decimal("500.00")),
    ("second", "二等奖", 7, Decimal("200.00")),
    ("encouragement", "鼓励奖", 3, Decimal("50.00")),
]
DEPARTMENTS = [
    ("after_sales", "售后服务部"),
    ("rnd", "研发部"),
    ("quality", "质量管理部"),
    ("logistics", "物流部"),
    ("sales", "销售部"),
    ("retail", "门店运营部"),
    ("purchasing", "采购部"),
]


def create(apps, schema_editor):
    RewardGrade = apps.get_model("suggestions", "RewardGrade")
    Department = apps.get_model("suggestions", "Department")
    for code, name, min_score, reward in GRADES:
        RewardGrade.objects.get_or_create(code=code, defaults={"name": name, "min_score": min_score, "reward": reward})
    for code, name in DEPARTMENTS:
        Department.objects.get_or_create(code=code, defaults={"name": name})


def remove(apps, schema_editor):
    apps.get_model("suggestions", "RewardGrade").objects.filter(code__in=[g[0] for g in GRADES]).delete()
    apps.get_model("suggestions", "Department").objects.filter(code__in=[d[0] for d in DEPARTMENTS]).delete()


class Migration(migrations.Migration):
    dependencies = [("suggestions", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
