"""The regulations' default targets (服务时限) as policy rows an administrator may change."""

from django.db import migrations

FIELD_TYPES = ["delivery", "installation", "repair", "maintenance"]
TYPE_NAMES = {"delivery": "送货", "installation": "安装", "repair": "维修", "maintenance": "保养"}
ZONES = [("urban", "市区", 240), ("suburban", "郊区", 480), ("rural", "农村", 1440)]


def rows():
    for t in FIELD_TYPES:
        name = TYPE_NAMES[t]
        yield dict(name=f"{name}：接单后电话联系用户（30个工作分钟）", clock="first_contact", request_type=t,
                   target_minutes=30, basis="business")
        for zone, zname, minutes in ZONES:
            yield dict(name=f"{name}：{zname}到达现场（{minutes // 60}个工作小时）", clock="arrival", request_type=t,
                       zone_kind=zone, target_minutes=minutes, basis="business")
        # A request whose address has no zone yet is held to the suburban target until mapped.
        yield dict(name=f"{name}：区域未定到达现场（8个工作小时）", clock="arrival", request_type=t,
                   target_minutes=480, basis="business")
        yield dict(name=f"{name}：安防系统维保合同到达现场（24小时）", clock="arrival", request_type=t,
                   contract="security_system", target_minutes=1440, basis="calendar")
    yield dict(name="维修：到场后一般故障24小时内修复", clock="resolution", request_type="repair",
               target_minutes=1440, basis="calendar", starts="arrival")
    yield dict(name="投诉：24小时内答复", clock="complaint_reply", request_type="complaint", target_minutes=1440,
               basis="calendar")
    yield dict(name="投诉：1天内与客户商定处理方案", clock="complaint_plan", request_type="complaint",
               target_minutes=1440, basis="calendar")
    yield dict(name="投诉：一周内处理完毕", clock="complaint_close", request_type="complaint", target_minutes=7 * 1440,
               basis="calendar")
    yield dict(name="投诉：调查后3天内报总经理", clock="complaint_report", request_type="complaint",
               target_minutes=3 * 1440, basis="calendar", starts="explicit")
    yield dict(name="投诉：处理完毕24小时内反馈结果", clock="complaint_feedback", request_type="complaint",
               target_minutes=1440, basis="calendar", starts="explicit")
    yield dict(name="提案：60天内作出采纳/不采纳/保留决定", clock="suggestion_decided", request_type="suggestion",
               target_minutes=60 * 1440, basis="calendar")
    yield dict(name="现场收费：3天内开具发票", clock="invoice_due", target_minutes=3 * 1440, basis="calendar",
               starts="explicit")
    yield dict(name="退货：收到退货后7天内退款", clock="refund_due", target_minutes=7 * 1440, basis="calendar",
               starts="explicit")
    yield dict(name="退换修：15天内履行，逾期视为故意拖延", clock="return_deadline", target_minutes=15 * 1440,
               basis="calendar", starts="explicit")


def create(apps, schema_editor):
    SlaPolicy = apps.get_model("service", "SlaPolicy")
    for row in rows():
        SlaPolicy.objects.get_or_create(name=row["name"], defaults=row)


class Migration(migrations.Migration):
    dependencies = [("service", "0002_sla")]
    operations = [migrations.RunPython(create, migrations.RunPython.noop)]
