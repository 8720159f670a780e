"""Every metric definition, the rollups that feed them, status and advice, without a database."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from cc_factories import T0, at, call, calls_frame
from hypothesis import given, settings
from hypothesis import strategies as st

from aftersales.callcenter.engine.advice import ADVICE, advice_for
from aftersales.callcenter.engine.agents import agent_segments, shift_attendance
from aftersales.callcenter.engine.metrics import CODES, METRICS, evaluate, status_of, with_metrics
from aftersales.callcenter.engine.policy import MetricPolicy
from aftersales.callcenter.engine.records import AGENT_EVENT_SCHEMA, SCHEDULE_SCHEMA
from aftersales.callcenter.engine.rollup import COUNTERS, rollup

POLICY = MetricPolicy()


def center(calls: pl.DataFrame, policy: MetricPolicy = POLICY, **kw) -> dict:
    """The whole-center day counters of the calls (all offered on one local day)."""
    r = rollup(calls, policy=policy, granularities=("day",), scopes=("center",), **kw)
    assert r.height == 1
    return r.row(0, named=True)


def value(counters: dict, code: str, policy: MetricPolicy = POLICY, **kw):
    return {m.code: m for m in evaluate(counters, policy=policy, **kw)}[code]


def test_there_are_23_metrics_with_the_codes_of_the_spec():
    assert len(METRICS) == 23
    assert [m.number for m in METRICS] == list(range(1, 24))
    assert set(CODES) == {
        "adherence", "after_call_work_time", "average_abandon_time", "cost_per_call", "average_handle_time",
        "average_hold_time", "average_rings", "average_queue_time", "average_speed_of_answer", "average_talk_time",
        "calls_per_agent_hour", "monitoring_score", "occupancy", "abandonment_rate", "attendance",
        "blocked_call_rate", "first_call_resolution", "queue_placement_rate", "transfer_rate",
        "answered_call_rate", "service_level", "total_calls", "agent_turnover",
    }  # fmt: skip


MIX = [
    call("a1", "answered", wait=10, talk=300, agent="A"),
    call("a2", "answered", wait=30, talk=200, agent="A", transferred=True),
    call("a3", "answered", wait=0, talk=100, agent="B", queued=False),
    call("s1", "abandoned", wait=3),  # short and a misdial
    call("s2", "abandoned", wait=20),  # short (<= 20 s)
    call("l1", "abandoned", wait=45),
    call("t1", "timeout", wait=300),
    call("b1", "blocked"),
    call("i1", "ivr"),
]


def test_abandonment_rate_removes_short_abandons_from_both_sides():
    c = center(calls_frame(MIX))
    assert (c["calls_abandoned"], c["calls_short_abandoned"], c["calls_queued"]) == (3, 2, 6)
    # (3 - 2) / (6 - 2): queued = a1, a2, s1, s2, l1, t1.
    assert value(c, "abandonment_rate").value == pytest.approx(1 / 4)


def test_the_short_abandon_threshold_is_a_setting():
    c = center(calls_frame(MIX), MetricPolicy(short_abandon_seconds=2))
    assert c["calls_short_abandoned"] == 0
    assert value(c, "abandonment_rate").value == pytest.approx(3 / 6)


def test_misdial_abandons_of_1_to_5_seconds_and_timeouts_are_counted_apart():
    c = center(calls_frame(MIX))
    assert c["calls_misdial_abandoned"] == 1
    assert c["calls_timeout"] == 1
    assert c["calls_abandoned"] == 3  # the timeout is not an abandon


def test_service_level_is_answered_within_t_over_offered_to_agents_minus_short_abandons():
    c = center(calls_frame(MIX))
    # Offered to agents: 3 answered + 3 abandoned + 1 timeout = 7; minus 2 short = 5. Within 20 s: a1, a3.
    assert value(c, "service_level").value == pytest.approx(2 / 5)
    c30 = center(calls_frame(MIX), MetricPolicy(service_level_seconds=30))
    assert value(c30, "service_level").value == pytest.approx(3 / 5)


def test_asa_counts_unqueued_answers_as_zero_and_average_queue_time_only_queued_answers():
    c = center(calls_frame(MIX))
    assert value(c, "average_speed_of_answer").value == pytest.approx((10 + 30 + 0) / 3)
    assert value(c, "average_queue_time").value == pytest.approx((10 + 30) / 2)


def test_average_abandon_time_is_the_mean_wait_of_abandons():
    assert value(center(calls_frame(MIX)), "average_abandon_time").value == pytest.approx((3 + 20 + 45) / 3)


def test_total_calls_count_everything_and_received_excludes_busy_signals():
    c = center(calls_frame(MIX))
    assert value(c, "total_calls").value == 9
    assert value(c, "blocked_call_rate").value == pytest.approx(1 / 9)
    assert value(c, "answered_call_rate").value == pytest.approx(3 / 8)
    assert value(c, "transfer_rate").value == pytest.approx(1 / 3)


def test_queue_placement_rate_counts_queued_calls_that_waited():
    c = center(calls_frame(MIX))
    # Queued and waited > 0 s: a1, a2, s1, s2, l1, t1 = 6 of 8 received.
    assert value(c, "queue_placement_rate").value == pytest.approx(6 / 8)
    c2 = center(calls_frame(MIX), MetricPolicy(queue_placement_min_wait_seconds=25))
    assert value(c2, "queue_placement_rate").value == pytest.approx(3 / 8)


def test_talk_hold_wrap_and_handle_time():
    calls = calls_frame(
        [
            call("x1", "answered", wait=5, talk=240, hold=30, wrap=40, agent="A"),
            call("x2", "answered", wait=5, talk=120, hold=None, wrap=20, agent="A"),
        ]
    )
    c = center(calls)
    assert value(c, "average_talk_time").value == pytest.approx(180)
    assert value(c, "average_hold_time").value == pytest.approx(30)  # only the call with hold data
    assert value(c, "after_call_work_time").value == pytest.approx(30)
    assert value(c, "average_handle_time").value == pytest.approx((240 + 30 + 40 + 120 + 20) / 2)


def test_average_rings_from_ring_counts_or_ring_seconds_divided_by_the_ring_cycle():
    calls = calls_frame(
        [
            call("r1", "answered", wait=5, talk=60, rings=2, agent="A"),
            call("r2", "answered", wait=5, talk=60, ring_seconds=12, agent="A"),  # 12 s / 5 s -> 3 rings
            call("r3", "answered", wait=5, talk=60, agent="A"),  # no ring data
        ]
    )
    c = center(calls)
    assert (c["rings_total"], c["rings_calls"]) == (5, 2)
    assert value(c, "average_rings").value == pytest.approx(2.5)


def test_first_call_resolution_fails_when_the_same_caller_calls_again_within_the_window():
    calls = calls_frame(
        [
            call("f1", "answered", offered=0, wait=1, talk=60, agent="A", phone="13800000001"),
            call("f2", "abandoned", offered=3600 * 24 * 3, wait=30, phone="13800000001"),  # 3 days later
            call("f3", "answered", offered=0, wait=1, talk=60, agent="A", phone="13800000002"),
            call("f4", "answered", offered=3600 * 24 * 8, wait=1, talk=60, agent="A", phone="13800000002"),
            call("f5", "answered", offered=0, wait=1, talk=60, agent="A", phone=None),
        ]
    )
    r = rollup(calls, policy=POLICY, granularities=("month",), scopes=("center",)).row(0, named=True)
    # f1 repeated within 7 days; f3 called again after 8 days (resolved); f4 resolved; f5 cannot be judged.
    assert (r["calls_fcr_eligible"], r["calls_fcr_resolved"]) == (3, 2)
    assert value(r, "first_call_resolution").value == pytest.approx(2 / 3)
    r10 = rollup(calls, policy=MetricPolicy(fcr_window_days=10), granularities=("month",), scopes=("center",))
    assert r10.item(0, "calls_fcr_resolved") == 1


def test_first_call_resolution_follows_the_service_request_when_calls_are_linked():
    calls = calls_frame(
        [
            call("g1", "answered", offered=0, wait=1, talk=60, agent="A", phone="138"),
            call("g2", "answered", offered=3600, wait=1, talk=60, agent="A", phone="138"),
        ]
    ).with_columns(topic=pl.Series(["sr:R1", "sr:R2"]))
    r = rollup(calls, policy=POLICY, granularities=("day",), scopes=("center",)).row(0, named=True)
    # Same caller, different requests: both resolved.
    assert r["calls_fcr_resolved"] == 2


def _events(rows):
    return pl.DataFrame(
        [
            {"agent": a, "queue": q, "event": e, "occurred_at": at(s), "reason": r, "seq": i}
            for i, (s, a, q, e, r) in enumerate(rows)
        ],
        schema=AGENT_EVENT_SCHEMA,
    )


def test_occupancy_adherence_attendance_and_calls_per_hour_from_agent_states_and_schedules():
    events = _events(
        [
            (0, "A", "service", "ADDMEMBER", None),
            (0, "A", "consult", "ADDMEMBER", None),  # two queues, still one agent logged in
            (1800, "A", "NONE", "PAUSE", "lunch"),
            (2400, "A", "NONE", "UNPAUSE", "lunch"),
            (3000, "A", "NONE", "PAUSE", "ACW"),
            (3060, "A", "NONE", "UNPAUSE", "ACW"),
            (3600, "A", "service", "REMOVEMEMBER", None),
            (3600, "A", "consult", "REMOVEMEMBER", None),
        ]
    )
    schedules = pl.DataFrame(
        [
            {"agent": "A", "start": at(-600), "end": at(3600)},  # logged in: present
            {"agent": "B", "start": at(0), "end": at(3600)},  # never logged in: absent
        ],
        schema=SCHEDULE_SCHEMA,
    )
    calls = calls_frame([call("o1", "answered", offered=100, wait=0, talk=900, agent="A")])
    seg = agent_segments(events, schedules, horizon_end=at(7200), acw_reasons=POLICY.acw_pause_reasons)
    shifts = shift_attendance(seg, schedules)
    assert sorted(shifts.get_column("present").to_list()) == [False, True]
    c = center(calls, segments=seg, shifts=shifts)
    assert c["logged_in_seconds"] == pytest.approx(3600)
    assert c["ready_seconds"] == pytest.approx(3600 - 600 - 60)
    assert c["acw_seconds"] == pytest.approx(60)
    assert value(c, "occupancy").value == pytest.approx(900 / 2940)
    # Scheduled 4200 s for A and 3600 s for B; A was ready 2940 s of it.
    assert value(c, "adherence").value == pytest.approx(2940 / 7800)
    assert value(c, "attendance").value == pytest.approx(1 / 2)
    assert value(c, "calls_per_agent_hour").value == pytest.approx(1.0)
    assert value(c, "after_call_work_time").value == pytest.approx(60)


def test_agent_time_is_split_across_the_half_hours_it_spans():
    events = _events([(600, "A", "q", "ADDMEMBER", None), (4200, "A", "q", "REMOVEMEMBER", None)])
    seg = agent_segments(events, None, horizon_end=at(9000))
    r = rollup(calls_frame([]), policy=POLICY, segments=seg, granularities=("halfhour",), scopes=("agent",))
    got = [(row["period_start"], row["logged_in_seconds"]) for row in r.iter_rows(named=True)]
    assert got == [(at(0), 1200.0), (at(1800), 1800.0), (at(3600), 600.0)]


def test_system_inputs_cost_qa_and_turnover():
    counters = {
        "calls_received": 400,
        "cost": Decimal("1000.00"),
        "qa_score_sum": 255.0,
        "qa_count": 3,
        "leavers": 1,
        "headcount": 20,
    }
    by = {m.code: m for m in evaluate(counters, period_days=31)}
    assert by["cost_per_call"].value == Decimal("2.5") and by["cost_per_call"].status == "within"
    assert by["monitoring_score"].value == pytest.approx(85)
    assert by["agent_turnover"].value == pytest.approx(0.05)
    # 15-30 % a year is about 1.3-2.5 % a month: 5 % in a month is above range.
    assert by["agent_turnover"].high == pytest.approx(0.30 * 31 / 365)
    assert by["agent_turnover"].status == "above"
    assert evaluate({"calls_received": 10})[3].value is None  # no cost entered: no data


@pytest.mark.parametrize(
    ("v", "low", "high", "status"),
    [
        (0.5, 0.3, 0.6, "within"),
        (0.2, 0.3, 0.6, "below"),
        (0.7, 0.3, 0.6, "above"),
        (None, 0.3, 0.6, "no_data"),
        (5, None, None, "no_range"),
        (25, None, 20, "above"),
        (0.95, 0.92, None, "within"),
    ],
)
def test_status_against_the_recommended_range(v, low, high, status):
    assert status_of(v, low, high) == status


def test_out_of_range_metrics_have_causes_and_actions_in_chinese_and_english():
    asa = advice_for("average_speed_of_answer", "above")
    assert asa is not None
    zh = asa.in_language("zh-hans")
    en = asa.in_language("en")
    assert "话务量预测不准确" in zh["causes"]
    assert "the volume forecast was wrong" in en["causes"]
    assert len(zh["actions"]) == len(en["actions"]) > 0
    # Every metric with a recommended range has advice for the side(s) it can leave.
    for m in METRICS:
        if m.low is not None:
            assert "below" in ADVICE[m.code], m.code
        if m.high is not None and m.code not in ("first_call_resolution",):
            assert "above" in ADVICE[m.code], m.code


def test_range_overrides_and_the_service_level_target_from_the_policy():
    c = {"calls_answered_in_sl": 85, "calls_offered": 100, "calls_short_abandoned": 0}
    assert value(c, "service_level", MetricPolicy(service_level_target=0.9)).status == "below"
    assert value(c, "service_level", MetricPolicy(service_level_target=0.8)).status == "within"
    assert value(c, "service_level", overrides={"service_level": (0.86, None)}).status == "below"


def test_vectorised_metrics_equal_the_scalar_ones():
    calls = calls_frame(MIX)
    frame = with_metrics(rollup(calls, policy=POLICY, granularities=("day",), scopes=("center",)))
    row = frame.row(0, named=True)
    for m in evaluate(row, policy=POLICY):
        if m.code in ("cost_per_call", "monitoring_score", "agent_turnover"):
            continue
        if m.value is None:
            assert row[m.code] is None, m.code
        else:
            assert row[m.code] == pytest.approx(float(m.value)), m.code


@st.composite
def random_calls(draw):
    n = draw(st.integers(min_value=1, max_value=40))
    rows = []
    for i in range(n):
        result = draw(st.sampled_from(["answered", "abandoned", "timeout", "blocked", "ivr"]))
        rows.append(
            call(
                f"c{i}",
                result,
                offered=draw(st.integers(min_value=0, max_value=3 * 86400)),
                wait=draw(st.floats(min_value=0, max_value=400))
                if result in ("answered", "abandoned", "timeout")
                else None,
                talk=draw(st.floats(min_value=0, max_value=900)),
                agent=draw(st.sampled_from(["A", "B", "C"])),
                queue=draw(st.sampled_from(["q1", "q2"])),
                phone=draw(st.sampled_from(["1", "2", "3", None])),
            )
        )
    return calls_frame(rows)


@settings(max_examples=40, deadline=None)
@given(random_calls())
def test_rollups_add_up_across_intervals_and_scopes(calls):
    r = rollup(calls, policy=POLICY)
    sums = {}
    for g in ("halfhour", "hour", "day", "week", "month"):
        center_rows = r.filter(
            (pl.col("granularity") == g) & pl.col("agent").is_null() & pl.col("queue").is_null()
        )
        sums[g] = center_rows.select([pl.col(c).sum() for c in COUNTERS]).row(0)
        # The queues together are the center; the agents together are the answered calls.
        queues = r.filter((pl.col("granularity") == g) & pl.col("queue").is_not_null())
        assert queues.get_column("calls_total").sum() == center_rows.get_column("calls_total").sum()
        agents = r.filter((pl.col("granularity") == g) & pl.col("agent").is_not_null())
        assert agents.get_column("calls_answered").sum() == center_rows.get_column("calls_answered").sum()
    for g in ("hour", "day", "week", "month"):
        assert sums[g] == pytest.approx(sums["halfhour"])
    assert sums["day"][COUNTERS.index("calls_total")] == calls.height


def test_days_and_months_follow_shanghai_local_time():
    late = calls_frame(
        [call("n1", "answered", offered=15 * 3600 + 1800, wait=1, talk=10, agent="A")]
    )  # 01:30 next day local
    r = rollup(late, policy=POLICY, granularities=("day",), scopes=("center",))
    assert r.item(0, "period_start") == dt.datetime(
        2024, 3, 4, 16, 0, tzinfo=dt.UTC
    )  # 2024-03-05 00:00 +08:00
    assert T0.hour == 1


def test_an_agent_still_logged_in_when_the_data_ends_is_not_counted_past_it():
    events = _events([(0, "A", "q", "ADDMEMBER", None)])
    seg = agent_segments(events, None, horizon_end=at(600), schedule_end=at(7200))
    assert seg.select(pl.col("end").max()).item() == at(600)
    schedules = pl.DataFrame([{"agent": "A", "start": at(0), "end": at(3600)}], schema=SCHEDULE_SCHEMA)
    planned = agent_segments(events, schedules, horizon_end=at(600), schedule_end=at(7200))
    c = center(calls_frame([]), segments=planned)
    # Logged in for the 600 s the data covers; scheduled for the whole hour.
    assert (c["logged_in_seconds"], c["scheduled_seconds"]) == (600.0, 3600.0)
