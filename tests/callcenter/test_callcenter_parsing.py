"""Reading Asterisk queue_log (file and table layouts) and the call-record CSV, without a database."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest

from aftersales.callcenter.engine.call_csv import MissingColumns, import_call_csv, parse_timestamp
from aftersales.callcenter.engine.queue_log import QueueLogOptions, import_queue_log
from aftersales.callcenter.engine.records import normalise_agent

SHARED_CALL = "1546015415.757927"


def _by_id(calls: pl.DataFrame) -> dict[str, dict]:
    return {r["call_id"]: r for r in calls.iter_rows(named=True)}


def test_shared_queue_log_call_is_offered_once_and_answered_by_agent_04_after_10_s_with_122_s_of_talk(
    queue_log_path,
):
    result = import_queue_log(queue_log_path)
    calls = _by_id(result.calls)
    # ENTERQUEUE appears seven times for this call; it is still one call.
    assert result.calls.filter(pl.col("call_id") == SHARED_CALL).height == 1
    c = calls[SHARED_CALL]
    assert c["result"] == "answered"
    assert c["agent"] == "Agent 04"
    assert c["wait_seconds"] == 10
    assert c["talk_seconds"] == 122
    assert c["queue"] == "201"
    assert c["rna_count"] == 3  # rang Agent 01, 02 and 03 without an answer
    assert c["customer_phone"] == "+8613800000002"
    assert c["offered_at"] == dt.datetime(2018, 12, 28, 16, 43, 35, tzinfo=dt.UTC)


def test_shared_queue_log_repeated_completeagent_lines_make_one_call(queue_log_path):
    result = import_queue_log(queue_log_path)
    rows = result.calls.filter(pl.col("call_id") == "1546023970.760296")
    assert rows.height == 1
    assert rows.item(0, "talk_seconds") == 228
    assert rows.item(0, "exit_event") == "COMPLETEAGENT"


def test_shared_queue_log_counts_blank_lines_and_keeps_the_call_still_open_at_the_end(queue_log_path):
    result = import_queue_log(queue_log_path)
    assert result.lines == 23
    assert result.blank_lines == 2  # one between the lines, one at the end
    assert result.errors == []
    # 1546027663.761192 was connected but its ending is not in the file.
    assert result.open_calls.get_column("callid").to_list() == ["1546027663.761192"]
    assert "1546027663.761192" not in _by_id(result.calls)
    # A call whose ENTERQUEUE is missing (line order or rotation) is rebuilt from its ending line.
    orphan = _by_id(result.calls)["1546023604.760166"]
    assert orphan["talk_seconds"] == 406 and orphan["wait_seconds"] == 10


def test_chunk_boundaries_do_not_change_the_result(queue_log_path):
    whole = import_queue_log(queue_log_path).calls.sort("call_id")
    tiny = import_queue_log(queue_log_path, options=QueueLogOptions(chunk_bytes=64)).calls.sort("call_id")
    assert whole.drop("first_line").equals(tiny.drop("first_line"))


def test_a_call_spanning_two_files_completes_when_the_second_file_arrives():
    first = b"1700000000|1700000000.1|q1|NONE|ENTERQUEUE||13800138000|1\n1700000005|1700000000.1|q1|SIP/2001-0000001a|CONNECT|5|1700000000.2|3\n"
    second = b"1700000065|1700000000.1|q1|SIP/2001-0000001a|COMPLETEAGENT|5|60|1\n"
    a = import_queue_log(io.BytesIO(first))
    assert a.calls.height == 0 and a.open_calls.height == 1
    b = import_queue_log(io.BytesIO(second), prior_open=a.open_calls)
    assert b.open_calls.height == 0
    c = b.calls.row(0, named=True)
    assert (c["agent"], c["wait_seconds"], c["talk_seconds"], c["ring_seconds"]) == ("2001", 5, 60, 3)
    # Feeding the same open call twice (the first file imported again) changes nothing.
    again = import_queue_log(io.BytesIO(second), prior_open=pl.concat([a.open_calls, a.open_calls]))
    assert again.calls.drop("first_line").equals(b.calls.drop("first_line"))


def test_unreadable_lines_are_reported_with_their_line_numbers_and_the_rest_is_read():
    data = (
        b"1700000000|c1|q|NONE|ENTERQUEUE||1380|1\n"
        b"garbage without pipes\n"
        b"\n"
        b"notatime|c2|q|NONE|ENTERQUEUE||1|1\n"
        b"1700000030|c1|q|NONE|ABANDON|1|1|30\n"
        b"1700000031|||\n"
    )
    r = import_queue_log(io.BytesIO(data))
    assert [(e.line, e.reason) for e in r.errors] == [(2, "time"), (4, "time"), (6, "callid")]
    assert r.error_count == 3
    assert r.blank_lines == 1
    assert (
        r.calls.height == 1
        and r.calls.item(0, "result") == "abandoned"
        and r.calls.item(0, "wait_seconds") == 30
    )


def test_ringnoanswer_ring_time_is_read_in_milliseconds():
    data = (
        b"1700000000|c1|q|NONE|ENTERQUEUE||1|1\n"
        b"1700000015|c1|q|Agent/1001|RINGNOANSWER|15000\n"
        b"1700000030|c1|q|Agent/1002|RINGNOANSWER|14500\n"
        b"1700000040|c1|q|Agent/1003|CONNECT|40|c1b|9\n"
        b"1700000100|c1|q|Agent/1003|COMPLETECALLER|40|60|1\n"
    )
    c = import_queue_log(io.BytesIO(data)).calls.row(0, named=True)
    assert c["rna_count"] == 2
    assert c["rna_seconds"] == pytest.approx(29.5)
    assert c["agent"] == "1003"


def test_timeouts_empty_queues_and_keypress_exits_are_not_abandons():
    data = (
        b"1700000000|a|q|NONE|ENTERQUEUE||1|1\n1700000300|a|q|NONE|EXITWITHTIMEOUT|1|1|300\n"
        b"1700000000|b|q|NONE|ENTERQUEUE||2|1\n1700000002|b|q|NONE|EXITEMPTY|1|1|2\n"
        b"1700000000|c|q|NONE|ENTERQUEUE||3|1\n1700000010|c|q|NONE|EXITWITHKEY|1|1|1|10\n"
        b"1700000000|d|q|NONE|ENTERQUEUE||4|1\n1700000007|d|q|NONE|ABANDON|1|1|7\n"
    )
    calls = _by_id(import_queue_log(io.BytesIO(data)).calls)
    assert {k: v["result"] for k, v in calls.items()} == {
        "a": "timeout",
        "b": "timeout",
        "c": "timeout",
        "d": "abandoned",
    }
    assert calls["c"]["wait_seconds"] == 10


def test_transfers_count_as_answered_and_transferred_with_their_talk_time():
    data = (
        b"1700000000|t1|q|NONE|ENTERQUEUE||1|1\n1700000004|t1|q|PJSIP/3001|CONNECT|4|x|2\n"
        b"1700000050|t1|q|PJSIP/3001|BLINDTRANSFER|8002|from-internal|4|46|1\n"
        b"1700000000|t2|q|NONE|ENTERQUEUE||2|1\n1700000006|t2|q|PJSIP/3002|CONNECT|6|y|2\n"
        b"1700000036|t2|q|PJSIP/3002|ATTENDEDTRANSFER|BRIDGE|abc-123|6|30|1\n"
    )
    calls = _by_id(import_queue_log(io.BytesIO(data)).calls)
    assert calls["t1"]["transferred"] and calls["t1"]["talk_seconds"] == 46
    assert calls["t2"]["transferred"] and calls["t2"]["talk_seconds"] == 30 and calls["t2"]["agent"] == "3002"


def test_lines_out_of_time_order_give_the_same_call():
    ordered = b"1700000000|x|q|NONE|ENTERQUEUE||1|1\n1700000012|x|q|Agent 7|CONNECT|12|y|3\n1700000100|x|q|Agent 7|COMPLETECALLER|12|88|1\n"
    shuffled = b"1700000100|x|q|Agent 7|COMPLETECALLER|12|88|1\n1700000000|x|q|NONE|ENTERQUEUE||1|1\n1700000012|x|q|Agent 7|CONNECT|12|y|3\n"
    a = import_queue_log(io.BytesIO(ordered)).calls.drop("first_line")
    b = import_queue_log(io.BytesIO(shuffled)).calls.drop("first_line")
    assert a.equals(b)
    assert a.item(0, "wait_seconds") == 12


def test_a_call_seen_only_outside_queues_is_closed_as_ivr_after_the_quiet_period():
    data = b"1700000000|i1|q|NONE|DID|4008001234\n1700020000|z|q|NONE|ENTERQUEUE||1|1\n1700020005|z|q|NONE|ABANDON|1|1|5\n"
    r = import_queue_log(io.BytesIO(data), options=QueueLogOptions(ivr_close_after=dt.timedelta(hours=4)))
    assert _by_id(r.calls)["i1"]["result"] == "ivr"
    young = import_queue_log(io.BytesIO(data), options=QueueLogOptions(ivr_close_after=dt.timedelta(hours=6)))
    assert "i1" not in _by_id(young.calls) and young.open_calls.height == 1


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("Agent 04", "Agent 04"),
        ("Agent/1127", "1127"),
        ("Local/1127@callback-agent", "1127"),
        ("SIP/1001-0000a1b2", "1001"),
        ("PJSIP/1001", "1001"),
        ("NONE", None),
        ("", None),
    ],
)
def test_agent_names_and_channels_map_to_one_agent_code(raw, code):
    out = pl.DataFrame({"a": [raw]}).select(normalise_agent(pl.col("a"))).item()
    assert out == code


def test_agent_events_keep_logins_pauses_and_their_reasons():
    data = (
        b"1700000000|NONE|q1|Local/1001@agents/n|ADDMEMBER|\n"
        b"1700000100|NONE|NONE|SIP/1001|PAUSE|ACW\n"
        b"1700000160|NONE|NONE|SIP/1001|UNPAUSE|ACW\n"
        b"1700000200|NONE|NONE|SIP/1001|QUEUESTART|\n"
    )
    r = import_queue_log(io.BytesIO(data))
    assert r.agent_events.get_column("event").to_list() == ["ADDMEMBER", "PAUSE", "UNPAUSE"]
    assert set(r.agent_events.get_column("agent").to_list()) == {"1001"}
    assert r.agent_events.item(1, "reason") == "ACW"
    assert r.ignored_events == 1


def test_table_export_reads_the_real_deployment_columns(table_export_path):
    r = import_queue_log(table_export_path, table=True)
    counts = dict(r.calls.group_by("result").len().iter_rows())
    assert counts == {"answered": 91, "abandoned": 12, "timeout": 1}
    calls = _by_id(r.calls)
    # date_time is the epoch; htime is the wait, ttime the talk.
    c = calls["1543602660.197"]
    assert (c["agent"], c["wait_seconds"], c["talk_seconds"]) == ("1127", 76, 847)
    assert calls["1543852000.1574"]["wait_seconds"] == 191
    att = calls["1543833609.335"]
    assert att["transferred"] and att["talk_seconds"] == 30
    # Outbound dialer events are not inbound calls.
    assert r.ignored_events > 0
    assert not any(cid.startswith("1543601975") for cid in calls)


def test_table_layout_with_data_columns_and_datetime_text_in_the_pbx_time_zone():
    table = (
        b"time,callid,queuename,agent,event,data1,data2,data3,data4,data5\n"
        b"2024-03-04 09:00:00,k1,sales,NONE,ENTERQUEUE,,13900000000,1,,\n"
        b"2024-03-04 09:00:08,k1,sales,SIP/2001,CONNECT,8,k1b,2,,\n"
        b"2024-03-04 09:02:08,k1,sales,SIP/2001,COMPLETECALLER,8,120,1,,\n"
    )
    r = import_queue_log(io.BytesIO(table), table=True, options=QueueLogOptions(time_zone="Asia/Shanghai"))
    c = r.calls.row(0, named=True)
    assert c["offered_at"] == dt.datetime(2024, 3, 4, 1, 0, tzinfo=dt.UTC)
    assert (c["wait_seconds"], c["talk_seconds"], c["agent"]) == (8, 120, "2001")


def test_table_layout_with_one_data_column():
    table = (
        b"time,callid,queuename,agent,event,data\n"
        b"1700000000,k2,sales,NONE,ENTERQUEUE,|13900000000|1\n"
        b"1700000009,k2,sales,Agent 3,CONNECT,9|k2b|4\n"
        b"1700000099,k2,sales,Agent 3,COMPLETEAGENT,9|90|1\n"
    )
    c = import_queue_log(io.BytesIO(table), table=True).calls.row(0, named=True)
    assert (c["wait_seconds"], c["talk_seconds"], c["ring_seconds"]) == (9, 90, 4)


# ---------------------------------------------------------------------------
# Call-record CSV
# ---------------------------------------------------------------------------

CSV = (
    "call_id,queue,agent,call_type,offered_at,queued_at,answered_at,ended_at,talk_seconds,hold_seconds,wrap_seconds,rings,result,transferred,customer_phone,crm_extra\n"
    "c1,售后,张三,repair,2024-03-04 09:00:00,2024-03-04 09:00:05,2024-03-04 09:00:20,2024-03-04 09:05:20,280,20,40,3,answered,0,138-0013-8000,x\n"
    "c2,售后,,,2024-03-04T01:01:00Z,2024-03-04T01:01:01+00:00,,2024-03-04T01:01:04Z,,,,,abandoned,,13800138000,\n"
    "c3,售后,,,2024-03-04 09:10:00+08:00,,,,,,,,blocked,,,\n"
    "c4,,,,not a time,,,,,,,,answered,,,\n"
    "c5,,,,2024-03-04 09:10,,,,,,,,maybe,,,\n"
    "c6,售后,李四,,2024-03-04 09:20:00,,2024-03-04 09:20:00,,60,,,1,answered,yes,,\n"
    "c1,售后,王五,,2024-03-04 09:00:00,,2024-03-04 09:00:20,,10,,,,answered,,,\n"
)


def test_call_csv_rows_become_calls_and_bad_rows_are_reported_by_line():
    r = import_call_csv(io.BytesIO(CSV.encode()), time_zone="Asia/Shanghai")
    calls = _by_id(r.calls)
    assert set(calls) == {"c1", "c2", "c3", "c6"}  # the second c1 is the same call again
    assert [(e.line, e.reason.split(":")[0]) for e in r.errors] == [(5, "offered_at"), (6, "result")]
    c1 = calls["c1"]
    assert c1["offered_at"] == dt.datetime(2024, 3, 4, 1, 0, tzinfo=dt.UTC)
    assert (c1["wait_seconds"], c1["talk_seconds"], c1["hold_seconds"], c1["wrap_seconds"], c1["rings"]) == (
        15,
        280,
        20,
        40,
        3,
    )
    assert c1["customer_phone"] == "13800138000" and c1["agent"] == "张三" and c1["call_type"] == "repair"
    assert calls["c2"]["wait_seconds"] == 3 and calls["c2"]["agent"] is None
    assert calls["c3"]["offered_at"] == dt.datetime(2024, 3, 4, 1, 10, tzinfo=dt.UTC)
    # Never queued: the wait is 0, as the pinned definition says.
    assert calls["c6"]["wait_seconds"] == 0 and calls["c6"]["transferred"] is True


def test_call_csv_without_a_required_column_is_refused():
    with pytest.raises(MissingColumns) as exc:
        import_call_csv(io.BytesIO(b"call_id,offered_at\nx,2024-01-01 00:00:00\n"))
    assert exc.value.missing == ["result"]


@pytest.mark.parametrize(
    ("text", "utc"),
    [
        ("2024-03-04 09:00:00", dt.datetime(2024, 3, 4, 1, 0, tzinfo=dt.UTC)),
        ("2024-03-04T09:00", dt.datetime(2024, 3, 4, 1, 0, tzinfo=dt.UTC)),
        ("2024-03-04T09:00:00.5+08:00", dt.datetime(2024, 3, 4, 1, 0, 0, 500000, tzinfo=dt.UTC)),
        ("2024-03-04T01:00:00Z", dt.datetime(2024, 3, 4, 1, 0, tzinfo=dt.UTC)),
        ("2024-03-04 03:00:00+0200", dt.datetime(2024, 3, 4, 1, 0, tzinfo=dt.UTC)),
        ("2024/03/04 09:00:00", dt.datetime(2024, 3, 4, 1, 0, tzinfo=dt.UTC)),
        ("04.03.2024 09:00", None),
    ],
)
def test_iso_times_without_an_offset_use_the_import_time_zone(text, utc):
    out = pl.DataFrame({"t": [text]}).select(parse_timestamp(pl.col("t"), "Asia/Shanghai")).item()
    assert out == utc


def test_partials_of_a_split_chunk_merge_to_the_same_calls(queue_log_path):
    from aftersales.callcenter.engine import queue_log as ql

    whole = import_queue_log(queue_log_path)
    saved = ql._ROW_BITS
    ql._ROW_BITS = 3  # forces the slicing path on the small file
    try:
        sliced = import_queue_log(queue_log_path)
    finally:
        ql._ROW_BITS = saved
    assert (
        sliced.calls.sort("call_id").drop("first_line").equals(whole.calls.sort("call_id").drop("first_line"))
    )
