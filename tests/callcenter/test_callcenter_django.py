"""The call-center module with its database: imports, rollups, CLI, API and pages (SQLite and PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.test import Client

from aftersales.callcenter import selectors, services
from aftersales.callcenter.models import (
    Agent,
    CallRecord,
    ImportBatch,
    IntervalRollup,
    OpenCall,
    Team,
)
from aftersales.core.errors import ValidationFailed

pytestmark = pytest.mark.django_db

SHARED_DAY = dt.date(2018, 12, 29)  # 2018-12-28 16:43 UTC is 00:43 on the 29th in Shanghai


def _import(data: bytes, fmt: str = "queue_log", name: str = "queue_log", **kw) -> ImportBatch:
    return services.import_call_file(stream=io.BytesIO(data), file_name=name, fmt=fmt, **kw)


def _day(day: dt.date, **scope) -> dict:
    report = selectors.metrics_report(
        selectors.Selection(day, day, "day", **scope), language="en", with_periods=False
    )
    return report


def _metric(report: dict, code: str) -> dict:
    return next(m for m in report["metrics"] if m["code"] == code)


def _lines(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode()


# A small day on 2024-03-04 (Shanghai): three answered calls, one long and one short abandon.
BASE = 1709514000  # 2024-03-04 09:00:00 +08:00
DAY1 = dt.date(2024, 3, 4)


def day_file(base: int = BASE, prefix: str = "d1") -> bytes:
    b = base
    return _lines(
        f"{b}|NONE|service|SIP/2001|ADDMEMBER|",
        f"{b}|NONE|service|SIP/2002|ADDMEMBER|",
        f"{b + 10}|{prefix}.1|service|NONE|ENTERQUEUE||1380000{prefix[-1]}001|1",
        f"{b + 15}|{prefix}.1|service|SIP/2001|CONNECT|5|x|2",
        f"{b + 315}|{prefix}.1|service|SIP/2001|COMPLETECALLER|5|300|1",
        f"{b + 316}|NONE|NONE|SIP/2001|PAUSE|ACW",
        f"{b + 346}|NONE|NONE|SIP/2001|UNPAUSE|ACW",
        f"{b + 20}|{prefix}.2|service|NONE|ENTERQUEUE||1380000{prefix[-1]}002|1",
        f"{b + 60}|{prefix}.2|service|SIP/2002|CONNECT|40|y|3",
        f"{b + 260}|{prefix}.2|service|SIP/2002|COMPLETEAGENT|40|200|1",
        f"{b + 30}|{prefix}.3|consult|NONE|ENTERQUEUE||1380000{prefix[-1]}003|1",
        f"{b + 33}|{prefix}.3|consult|NONE|ABANDON|1|1|3",
        f"{b + 40}|{prefix}.4|consult|NONE|ENTERQUEUE||1380000{prefix[-1]}004|1",
        f"{b + 100}|{prefix}.4|consult|NONE|ABANDON|1|1|60",
        f"{b + 400}|{prefix}.5|service|NONE|ENTERQUEUE||1380000{prefix[-1]}005|1",
        f"{b + 410}|{prefix}.5|service|SIP/2002|CONNECT|10|z|1",
        f"{b + 510}|{prefix}.5|service|SIP/2002|COMPLETECALLER|10|100|1",
        f"{b + 3600}|NONE|service|SIP/2001|REMOVEMEMBER|",
        f"{b + 3600}|NONE|service|SIP/2002|REMOVEMEMBER|",
    )


def test_shared_queue_log_imports_three_calls_and_keeps_one_open(queue_log_path):
    batch = services.import_path(path=str(queue_log_path), fmt="queue_log")
    assert batch.status == ImportBatch.Status.DONE
    assert (batch.calls_new, batch.open_calls, batch.error_count, batch.lines) == (3, 1, 0, 23)
    call = CallRecord.objects.get(call_id="1546015415.757927")
    assert (call.agent_code, call.wait_seconds, call.talk_seconds, call.result) == (
        "Agent 04",
        10,
        122,
        "answered",
    )
    assert OpenCall.objects.filter(call_id="1546027663.761192").exists()
    assert Agent.objects.filter(code="Agent 04").exists()
    report = _day(SHARED_DAY)
    assert report["counts"]["calls_answered"] == 3
    assert _metric(report, "average_speed_of_answer")["value"] == pytest.approx((10 + 10 + 6) / 3)
    agent = _day(SHARED_DAY, agent="Agent 04")
    assert agent["counts"]["calls_answered"] == 2
    assert _metric(agent, "average_talk_time")["value"] == pytest.approx((122 + 228) / 2)


def test_importing_the_same_file_twice_changes_nothing(queue_log_path):
    services.import_path(path=str(queue_log_path), fmt="queue_log")
    rollups = list(
        IntervalRollup.objects.order_by(
            "granularity", "scope", "period_start", "agent_code", "queue"
        ).values()
    )
    again = services.import_path(path=str(queue_log_path), fmt="queue_log")
    assert again.status == ImportBatch.Status.DUPLICATE
    assert CallRecord.objects.count() == 3
    assert OpenCall.objects.count() == 1
    after = list(
        IntervalRollup.objects.order_by(
            "granularity", "scope", "period_start", "agent_code", "queue"
        ).values()
    )
    strip = [{k: v for k, v in r.items() if k != "id"} for r in rollups]
    assert [{k: v for k, v in r.items() if k != "id"} for r in after] == strip


def test_overlapping_files_add_only_the_new_calls():
    _import(day_file(), name="a")
    first = _day(DAY1)
    assert first["counts"]["calls_total"] == 5
    extra = _lines(
        f"{BASE + 900}|d1.9|service|NONE|ENTERQUEUE||13800009999|1",
        f"{BASE + 950}|d1.9|service|NONE|ABANDON|1|1|50",
    )
    batch = _import(day_file() + extra, name="b")
    assert batch.status == ImportBatch.Status.DONE and batch.calls_new == 1
    assert _day(DAY1)["counts"]["calls_total"] == 6
    assert CallRecord.objects.count() == 6


def test_a_call_cut_by_log_rotation_completes_with_the_next_file():
    first = _lines(
        f"{BASE}|rot.1|service|NONE|ENTERQUEUE||13800000001|1",
        f"{BASE + 8}|rot.1|service|Agent 9|CONNECT|8|x|2",
    )
    second = _lines(f"{BASE + 128}|rot.1|service|Agent 9|COMPLETEAGENT|8|120|1")
    a = _import(first, name="queue_log.1")
    assert (a.calls_new, a.open_calls) == (0, 1)
    b = _import(second, name="queue_log")
    assert (b.calls_new, b.open_calls) == (1, 0)
    c = CallRecord.objects.get(call_id="rot.1")
    assert (c.wait_seconds, c.talk_seconds, c.agent_code) == (8, 120, "Agent 9")
    assert not OpenCall.objects.exists()


def test_rollups_of_a_day_give_the_pinned_definitions():
    _import(day_file())
    r = _day(DAY1)
    c = r["counts"]
    assert (
        c["calls_total"],
        c["calls_answered"],
        c["calls_abandoned"],
        c["calls_short_abandoned"],
        c["calls_misdial_abandoned"],
    ) == (5, 3, 2, 1, 1)
    assert _metric(r, "abandonment_rate")["value"] == pytest.approx((2 - 1) / (5 - 1))
    assert _metric(r, "service_level")["value"] == pytest.approx(2 / 4)  # 5 s and 10 s within 20 s; 40 s not
    assert _metric(r, "average_handle_time")["value"] == pytest.approx((300 + 200 + 100 + 30) / 3)
    assert _metric(r, "after_call_work_time")["value"] == pytest.approx(30 / 3)
    assert _metric(r, "occupancy")["value"] == pytest.approx((300 + 200 + 100) / (2 * 3600 - 30))
    assert _metric(r, "abandonment_rate")["status"] == "above"
    assert "advice" in _metric(r, "abandonment_rate")
    # Per queue and per agent.
    assert _day(DAY1, queue="consult")["counts"]["calls_abandoned"] == 2
    assert _day(DAY1, agent="2002")["counts"]["calls_answered"] == 2
    # Half hours add up to the day.
    hh = selectors.metrics_report(selectors.Selection(DAY1, DAY1, "halfhour"), language="en")
    assert sum(p["counts"]["calls_total"] for p in hh["periods"]) == 5
    month = selectors.metrics_report(selectors.Selection(DAY1, DAY1, "month"), language="en")
    assert month["periods"][0]["counts"]["calls_total"] == 5


def test_a_new_day_recomputes_only_what_it_touches():
    _import(day_file())
    before = _day(DAY1)
    day2 = BASE + 86400
    _import(day_file(day2, "d2"), name="day2")
    assert _day(DAY1)["counts"] == before["counts"]
    assert _day(DAY1 + dt.timedelta(days=1))["counts"]["calls_total"] == 5
    week = selectors.metrics_report(
        selectors.Selection(DAY1, DAY1 + dt.timedelta(days=1), "week"), language="en"
    )
    assert [p["counts"]["calls_total"] for p in week["periods"]] == [10]


def test_a_repeat_call_within_the_window_lowers_the_earlier_days_first_call_resolution():
    _import(day_file())
    assert _metric(_day(DAY1), "first_call_resolution")["value"] == 1.0
    repeat = _lines(
        f"{BASE + 86400 * 2}|rep.1|service|NONE|ENTERQUEUE||13800001001|1",
        f"{BASE + 86400 * 2 + 30}|rep.1|service|NONE|ABANDON|1|1|30",
    )
    _import(repeat, name="later")
    assert _metric(_day(DAY1), "first_call_resolution")["value"] == pytest.approx(2 / 3)


def test_linking_calls_to_service_requests_decides_first_call_resolution():
    _import(day_file())
    later = _lines(
        f"{BASE + 7200}|d1.7|service|NONE|ENTERQUEUE||13800001001|1",
        f"{BASE + 7205}|d1.7|service|SIP/2001|CONNECT|5|q|1",
        f"{BASE + 7300}|d1.7|service|SIP/2001|COMPLETECALLER|5|95|1",
    )
    _import(later, name="later")
    assert _metric(_day(DAY1), "first_call_resolution")["value"] == pytest.approx(3 / 4)
    services.link_call_to_request(
        call=CallRecord.objects.get(call_id="d1.1"), request_number="SR1", actor=None
    )
    services.link_call_to_request(
        call=CallRecord.objects.get(call_id="d1.7"), request_number="SR2", actor=None
    )
    assert _metric(_day(DAY1), "first_call_resolution")["value"] == 1.0


def test_changing_the_short_abandon_threshold_recomputes_the_rollups(manager):
    _import(day_file())
    assert _metric(_day(DAY1), "abandonment_rate")["value"] == pytest.approx(1 / 4)
    services.update_policy(actor=manager, short_abandon_seconds=2)
    assert _metric(_day(DAY1), "abandonment_rate")["value"] == pytest.approx(2 / 5)
    with pytest.raises(ValidationFailed):
        services.update_policy(actor=manager, time_zone="Mars/Olympus")


def test_schedules_costs_scores_and_headcount_feed_their_metrics(manager):
    _import(day_file())
    team = Team.objects.create(code="T1", name="一组")
    a1 = Agent.objects.get(code="2001")
    a2 = Agent.objects.get(code="2002")
    Agent.objects.filter(code__in=["2001", "2002"]).update(team=team, hired_on=dt.date(2023, 1, 1))
    Agent.objects.create(code="2003", team=team, hired_on=dt.date(2023, 1, 1), left_on=DAY1)
    start = dt.datetime.fromtimestamp(BASE, tz=dt.UTC)
    services.schedule_agent(agent=a1, start=start, end=start + dt.timedelta(hours=2), actor=manager)
    services.schedule_agent(agent=a2, start=start, end=start + dt.timedelta(hours=1), actor=manager)
    services.record_center_cost(first_day=DAY1, last_day=DAY1, amount=Decimal("20.00"), actor=manager)
    services.record_monitoring_score(agent=a1, score=Decimal("90"), scored_at=start, actor=manager)
    services.record_monitoring_score(agent=a1, score=Decimal("80"), scored_at=start, actor=manager)
    r = _day(DAY1)
    assert _metric(r, "cost_per_call")["value"] == pytest.approx(4.0)  # ¥20 / 5 calls received
    assert _metric(r, "monitoring_score")["value"] == pytest.approx(85)
    assert _metric(r, "attendance")["value"] == 1.0
    # Scheduled 3 h; ready 1 h - 30 s (2001) + 1 h (2002).
    assert _metric(r, "adherence")["value"] == pytest.approx((3600 - 30 + 3600) / (3 * 3600))
    assert _metric(r, "agent_turnover")["value"] == pytest.approx(
        1 / 2.5
    )  # 3 employed at the start, 2 at the end
    team_report = _day(DAY1, team="T1")
    assert team_report["counts"]["calls_answered"] == 3
    assert _metric(_day(DAY1, agent="2001"), "monitoring_score")["value"] == pytest.approx(85)
    with pytest.raises(ValidationFailed):
        services.record_monitoring_score(agent=a1, score=Decimal("101"), scored_at=start, actor=manager)


def test_call_record_csv_import_and_its_errors():
    data = (
        "call_id,queue,agent,offered_at,queued_at,answered_at,ended_at,talk_seconds,hold_seconds,wrap_seconds,result\n"
        "x1,售后,张三,2024-03-04 09:00:00,2024-03-04 09:00:00,2024-03-04 09:00:12,2024-03-04 09:05:12,300,30,45,answered\n"
        "x2,售后,,2024-03-04 09:01:00,2024-03-04 09:01:00,,2024-03-04 09:01:50,,,,abandoned\n"
        "x3,售后,,2024-03-04 09:02:00,,,,,,,blocked\n"
        "x4,售后,,yesterday,,,,,,,answered\n"
    ).encode()
    batch = _import(data, fmt="csv", name="calls.csv")
    assert (batch.calls_new, batch.error_count) == (3, 1)
    assert batch.errors[0]["line"] == 5
    r = _day(DAY1)
    assert _metric(r, "average_hold_time")["value"] == 30
    assert _metric(r, "after_call_work_time")["value"] == 45
    assert _metric(r, "blocked_call_rate")["value"] == pytest.approx(1 / 3)
    with pytest.raises(ValidationFailed) as exc:
        _import(b"call_id,result\nz,answered\n", fmt="csv", name="bad.csv")
    assert exc.value.code == "missing_columns"
    assert ImportBatch.objects.filter(file_name="bad.csv", status="failed").exists()


def test_cli_import_and_metrics_json(tmp_path, table_export_path):
    out = io.StringIO()
    call_command(
        "callcenter",
        "import",
        str(table_export_path),
        "--format",
        "queue_log_table",
        "--no-progress",
        "--json",
        stdout=out,
    )
    report = json.loads(out.getvalue())
    assert (report["calls_new"], report["unreadable_lines"]) == (104, 0)
    out = io.StringIO()
    call_command(
        "callcenter",
        "metrics",
        "--from",
        "2018-12-03",
        "--to",
        "2018-12-04",
        "--by",
        "day",
        "--json",
        stdout=out,
    )
    data = json.loads(out.getvalue())
    codes = [m["code"] for m in data["metrics"]]
    assert len(codes) == 23 and codes[13] == "abandonment_rate"
    aban = data["metrics"][13]
    assert set(aban) >= {"code", "value", "unit", "range", "status"}
    assert aban["unit"] == "ratio" and 0 <= aban["value"] <= 1
    assert aban["range"] == {"low": 0.03, "high": 0.05}
    assert [p["period_start"][:10] for p in data["periods"]] == ["2018-12-03", "2018-12-04"]
    out = io.StringIO()
    call_command(
        "callcenter",
        "metrics",
        "--from",
        "2018-12-04",
        "--to",
        "2018-12-04",
        "--by",
        "hour",
        "--agent",
        "1141",
        "--json",
        stdout=out,
    )
    agent = json.loads(out.getvalue())
    assert agent["scope"]["agent"] == "1141" and agent["counts"]["calls_answered"] > 0


def test_cli_staffing_prints_json():
    out = io.StringIO()
    call_command(
        "staffing",
        "erlang-c",
        "--calls",
        "100",
        "--interval-minutes",
        "30",
        "--aht-seconds",
        "180",
        "--target-sl",
        "0.8",
        "--target-seconds",
        "20",
        "--shrinkage",
        "0.3",
        "--json",
        stdout=out,
    )
    c = json.loads(out.getvalue())
    assert (c["agents"], c["scheduled_agents"]) == (14, 20)
    assert {"service_level", "asa_seconds", "occupancy", "waiting_probability"} <= set(c)
    out = io.StringIO()
    call_command(
        "staffing",
        "erlang-a",
        "--calls",
        "100",
        "--interval-minutes",
        "30",
        "--aht-seconds",
        "180",
        "--patience-seconds",
        "120",
        "--agents",
        "11",
        "--json",
        stdout=out,
    )
    a = json.loads(out.getvalue())
    assert a["agents"] == 11 and 0 < a["abandon_probability"] < 1


def test_pages_are_chinese_by_default_and_only_managers_see_the_center(make_user, manager):
    _import(day_file())
    c = Client()
    c.force_login(manager)
    r = c.get("/callcenter/", {"from": "2024-03-04", "to": "2024-03-04"})
    page = r.content.decode()
    assert r.status_code == 200 and "呼叫中心运营看板" in page and "echarts.min.js" in page
    r = c.get("/callcenter/metrics/", {"from": "2024-03-04", "to": "2024-03-04"})
    assert r.status_code == 200 and "呼叫放弃率" in r.content.decode() and "可能原因" in r.content.decode()
    r = c.get("/callcenter/metrics/", {"from": "2024-03-04", "to": "2024-03-04"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Abandonment rate" in r.content.decode() or "呼叫放弃率" in r.content.decode()
    for url in (
        "/callcenter/agents/",
        "/callcenter/agents/2001/",
        "/callcenter/staffing/?calls=100&aht_seconds=180",
        "/callcenter/imports/",
    ):
        assert c.get(url).status_code == 200, url
    staff = c.get(
        "/callcenter/staffing/", {"calls": 100, "aht_seconds": 180, "target_sl": 0.8, "target_seconds": 20}
    )
    assert "<strong>14</strong>" in staff.content.decode()

    plain = make_user("agent")
    c2 = Client()
    c2.force_login(plain)
    assert c2.get("/callcenter/").status_code == 404
    assert c2.get("/callcenter/agents/2001/").status_code == 404
    Agent.objects.filter(code="2002").update(user=plain)
    assert c2.get("/callcenter/").status_code == 302  # sent to their own page
    assert c2.get("/callcenter/agents/2002/").status_code == 200
    assert c2.get("/callcenter/agents/2001/").status_code == 404


def test_excel_exports_have_chinese_headers(manager):
    from openpyxl import load_workbook

    _import(day_file())
    c = Client()
    c.force_login(manager)
    r = c.get("/callcenter/metrics/", {"from": "2024-03-04", "to": "2024-03-04", "export": "xlsx"})
    assert r["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(r.content))
    ws = wb["指标汇总"]
    assert [c.value for c in ws[3]][:4] == ["序号", "指标", "代码", "数值"]
    assert ws.cell(row=4 + 13, column=3).value == "abandonment_rate"
    row = [c.value for c in ws[4 + 13]]
    assert row[1] == "呼叫放弃率" and row[8] in ("正常", "高于范围", "低于范围", "无数据", "无推荐范围")
    assert wb["分期明细"].cell(row=1, column=2).value == "总呼叫数"
    r = c.get("/callcenter/staffing/", {"date": "2024-03-11", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(r.content))["排班测算"]
    assert sheet.cell(row=3, column=1).value == "时段"


def test_excel_exports_in_english_when_the_user_reads_english(manager):
    from openpyxl import load_workbook

    _import(day_file())
    c = Client(HTTP_ACCEPT_LANGUAGE="en")
    c.force_login(manager)
    r = c.get("/callcenter/metrics/", {"from": "2024-03-04", "to": "2024-03-04", "export": "xlsx"})
    wb = load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames == ["Metrics", "Metrics by period"]
    ws = wb["Metrics"]
    assert ws.cell(row=1, column=4).value == "Whole center"
    assert [c.value for c in ws[3]][:4] == ["No.", "Metric", "Metric code", "Value"]
    row = [c.value for c in ws[4 + 13]]
    assert row[1] == "Abandonment rate" and row[2] == "abandonment_rate"
    assert row[8] in ("within range", "above range", "below range", "no data", "no recommended range")
    for cell in (*ws[3], *wb["Metrics by period"][1]):
        assert not any("\u4e00" <= ch <= "\u9fff" for ch in str(cell.value or "")), cell.value
    r = c.get("/callcenter/staffing/", {"date": "2024-03-11", "export": "xlsx"})
    sheet = load_workbook(io.BytesIO(r.content))["Staffing"]
    assert [c.value for c in sheet[3]][:2] == ["Time slot", "Forecast calls"]


def test_upload_page_imports_and_reports_unreadable_lines(manager):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = Client()
    c.force_login(manager)
    data = day_file() + b"broken line\n"
    r = c.post(
        "/callcenter/imports/",
        {"file": SimpleUploadedFile("queue_log", data), "format": "queue_log", "tz": "Asia/Shanghai"},
    )
    assert r.status_code == 302
    batch = ImportBatch.objects.get()
    assert batch.error_count == 1 and batch.errors[0]["line"] == 20
    page = c.get(r["Location"]).content.decode()
    assert "broken line" in page and "无法读取的行" in page


def test_api_metrics_staffing_and_upload(manager, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    c = Client()
    c.force_login(manager)
    r = c.post(
        "/api/v1/callcenter/imports",
        {"file": SimpleUploadedFile("queue_log", day_file()), "format": "queue_log"},
    )
    assert r.status_code == 201 and r.json()["calls_new"] == 5
    r = c.post(
        "/api/v1/callcenter/imports",
        {"file": SimpleUploadedFile("queue_log", day_file()), "format": "queue_log"},
    )
    assert r.status_code == 200 and r.json()["status"] == "duplicate"
    r = c.get("/api/v1/callcenter/metrics", {"from": "2024-03-04", "to": "2024-03-04", "by": "hour"})
    body = r.json()
    assert r.status_code == 200 and body["counts"]["calls_total"] == 5 and len(body["metrics"]) == 23
    r = c.post(
        "/api/v1/callcenter/staffing/erlang-c",
        {"calls": 100, "aht_seconds": 180, "target_sl": 0.8, "target_seconds": 20, "shrinkage": 0.3},
        content_type="application/json",
    )
    assert r.json()["agents"] == 14
    r = c.post(
        "/api/v1/callcenter/staffing/erlang-a",
        {"calls": 100, "aht_seconds": -5},
        content_type="application/json",
    )
    assert r.status_code == 422 and r.json()["field"] == "aht_seconds"
    r = c.get("/api/v1/callcenter/metrics", {"from": "2024-03-05", "to": "2024-03-04"})
    assert r.status_code == 422 and r.json()["code"] == "range_order"
    other = make_user("agent")
    c2 = Client()
    c2.force_login(other)
    assert c2.get("/api/v1/callcenter/metrics", {"from": "2024-03-04", "to": "2024-03-04"}).status_code == 403
    assert len(c2.get("/api/v1/callcenter/metric-definitions").json()) == 23


def test_a_large_file_is_stored_in_bulk_and_a_second_import_of_it_adds_nothing():
    lines = []
    n = 6500  # more than one bulk batch: PostgreSQL takes the COPY path
    for i in range(n):
        t = BASE + i * 20
        lines += [
            f"{t}|big.{i}|service|NONE|ENTERQUEUE||1390000{i:04d}|1",
            f"{t + 4}|big.{i}|service|Agent {i % 7}|CONNECT|4|b{i}|2",
            f"{t + 64}|big.{i}|service|Agent {i % 7}|COMPLETECALLER|4|60|1",
        ]
    data = _lines(*lines)
    batch = _import(data, name="big")
    assert batch.calls_new == n and CallRecord.objects.count() == n
    total = sum(
        selectors.metrics_report(
            selectors.Selection(DAY1, DAY1 + dt.timedelta(days=2), "day"), language="en"
        )["counts"][k]
        for k in ("calls_answered",)
    )
    assert total == n
    again = _import(data + b"\n", name="big-copy")  # different bytes, same calls
    assert again.status == ImportBatch.Status.DONE and again.calls_new == 0
    assert CallRecord.objects.count() == n
    agent0 = _day(DAY1, agent="Agent 0")
    assert _metric(agent0, "average_talk_time")["value"] == 60
