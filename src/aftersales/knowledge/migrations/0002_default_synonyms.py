"""Synonym groups an appliance hotline hears every day; administrators edit them in the admin."""

from django.db import migrations
from django.utils import timezone

GROUPS = [
    ("不制冷, 不冷, 不凉, 制冷效果差, 制冷差, 吹热风, 不降温, 冷气不足", "空调/冰箱不制冷"),
    ("不制热, 不热, 制热效果差, 制热差, 吹冷风, 暖气不热", "空调/热水器不制热"),
    ("漏水, 渗水, 滴水, 跑水, 漏水滴水", "漏水"),
    ("噪音大, 噪音, 噪声, 响声大, 异响, 嗡嗡响, 声音大", "噪音"),
    ("不开机, 开不了机, 无法开机, 通电没反应, 不通电, 打不开", "无法开机"),
    ("不排水, 排水慢, 排不出水, 积水", "排水故障"),
    ("不脱水, 甩不干, 脱水不干", "脱水故障"),
    ("异味, 臭味, 有味道, 发臭, 霉味", "异味"),
    ("跳闸, 漏电, 一开就跳闸", "电气安全"),
    ("结冰, 结霜, 挂霜", "结冰结霜"),
    ("遥控器, 遥控", "遥控器"),
    ("故障代码, 错误代码, 报错, 显示代码", "故障代码"),
    ("保修, 质保, 包修, 三包", "保修政策"),
    ("退货, 退机, 退款", "退货"),
    ("换货, 换机, 更换新机", "换货"),
    ("安装, 装机, 上门安装", "安装"),
    ("清洗, 清洁, 保养", "清洗保养"),
]


def create(apps, schema_editor):
    SynonymGroup = apps.get_model("knowledge", "SynonymGroup")
    at = timezone.now()
    for words, note in GROUPS:
        SynonymGroup.objects.create(words=words, note=note, updated_at=at)


def remove(apps, schema_editor):
    apps.get_model("knowledge", "SynonymGroup").objects.filter(note__in=[n for _w, n in GROUPS]).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
