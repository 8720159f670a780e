"""The fast paths of the engine agree with the plain Polars computations they replace, without a database."""

from __future__ import annotations

import io
import random

import numpy as np
import polars as pl
import pytest
from cc_factories import at, call, calls_frame

from aftersales.callcenter.engine import grouping
from aftersales.callcenter.engine.grouping import Cells, decode, dictionary, encode, timeline_order
from aftersales.callcenter.engine.policy import MetricPolicy
from aftersales.callcenter.engine.queue_log import import_queue_log, iter_line_chunks
from aftersales.callcenter.engine.records import UTC_US
from aftersales.callcenter.engine.rollup import first_call_resolution, rollup


def _group_sums(keys: list[np.ndarray], values: np.ndarray) -> dict[tuple[int, ...], tuple[int, float]]:
    frame = pl.DataFrame({**{f"k{i}": k for i, k in enumerate(keys)}, "v": values})
    out = frame.group_by([f"k{i}" for i in range(len(keys))]).agg(pl.len(), pl.col("v").sum())
    return {tuple(r[: len(keys)]): (r[-2], r[-1]) for r in out.iter_rows()}


@pytest.mark.parametrize(
    "sizes",
    [
        [3, 5],  # sums straight into every possible cell
        [700, 1000],  # cells numbered through a dense count
        [2_000_000, 3_000, 1_000],  # cells found by sorting the packed keys
        [1 << 40, 1 << 30],  # too many cells to pack: ranked by rows
    ],
)
def test_cells_sum_like_a_group_by(sizes):
    rng = np.random.default_rng(5)
    parts = []
    for n in (400, 250):
        parts.append([rng.integers(0, min(s, 40), n) for s in sizes])
    cells = Cells(parts, sizes)
    expected: dict[tuple[int, ...], list[float]] = {}
    for i, keys in enumerate(parts):
        values = rng.random(len(keys[0]))
        flag = values > 0.3
        for key, (n, total) in _group_sums(keys, values).items():
            expected.setdefault(key, [0, 0.0, 0, 0.0])
            expected[key][2 * i] += n
            expected[key][2 * i + 1] += total
        got_rows = cells.count(i)
        got_sum = cells.sum(i, values)
        got_flag = cells.count_where(i, flag, got_rows)
        by_cell = {tuple(int(k[j]) for k in cells.keys): j for j in range(cells.n)}
        for key, (n, total) in _group_sums(keys, values).items():
            j = by_cell[key]
            assert got_rows[j] == n
            assert got_sum[j] == pytest.approx(total)
        for key, (n, _) in _group_sums([k[flag] for k in keys], values[flag]).items():
            assert got_flag[by_cell[key]] == n
    # Every cell with a row in any input, in key order.
    assert sorted(expected) == [tuple(int(k[j]) for k in cells.keys) for j in range(cells.n)]


def test_codes_follow_the_sorted_names_with_none_first():
    names = dictionary(pl.Series(["b", None, "a"]), pl.Series(["c", "a"]))
    assert names.to_list() == ["a", "b", "c"]
    codes = encode(pl.Series(["c", None, "a"]), names)
    assert codes.tolist() == [3, 0, 1]
    assert decode(codes, names).to_list() == ["c", None, "a"]


@pytest.mark.parametrize("seq_sorted", [True, False])
@pytest.mark.parametrize("span_us", [3_600_000_000, 1 << 61])
def test_timeline_order_is_a_stable_sort_by_agent_time_and_seq(seq_sorted, span_us):
    rng = random.Random(3)
    n = 500
    agent = np.array([rng.randrange(4) for _ in range(n)], dtype=np.int64)
    base = 1_700_000_000_000_000
    # Few distinct times, so that many rows tie on (agent, time) and only seq orders them.
    ts = pl.Series([base + rng.choice([0, 1, span_us // 2, span_us]) for _ in range(n)]).cast(UTC_US)
    seq = pl.Series(list(range(n)) if seq_sorted else [rng.randrange(50) for _ in range(n)])
    order, times = timeline_order(agent, ts, seq)
    frame = pl.DataFrame({"a": agent, "t": ts, "s": seq})
    expected = frame.select(pl.arg_sort_by("a", "t", "s", maintain_order=True)).to_series()
    assert order.cast(pl.Int64).to_list() == expected.cast(pl.Int64).to_list()
    assert times.to_physical().to_list() == ts.gather(expected).to_physical().to_list()


def test_first_call_resolution_does_not_depend_on_the_key_hash(monkeypatch):
    rows = [
        call(f"f{i}", "answered", offered=3600 * i, wait=1, talk=60, agent="A", phone=f"13800000{i % 7}")
        for i in range(60)
    ]
    calls = calls_frame(rows)
    plain = first_call_resolution(calls, 7)
    # A hash that gives many different numbers the same value must not merge their calls.
    real_hash = pl.Series.hash
    monkeypatch.setattr(pl.Series, "hash", lambda s, *a, **k: real_hash(s.str.slice(0, 3)))
    colliding = first_call_resolution(calls, 7)
    assert colliding.equals(plain)
    assert plain.get_column("fcr_resolved").sum() == 7  # the last call of each number


def test_a_chunk_starting_with_a_long_line_is_read():
    # An attended transfer with extra method fields has more fields than the importer keeps.
    data = (
        b"1700000000|t9|q|PJSIP/3001|ATTENDEDTRANSFER|APP|Dial|8002|extra|6|30|1\n"
        b"1700000000|k1|q|NONE|ENTERQUEUE||1|1\n"
        b"1700000005|k1|q|NONE|ABANDON|1|1|5\n"
    )
    r = import_queue_log(io.BytesIO(data))
    assert r.errors == [] and r.lines == 3
    assert r.calls.filter(pl.col("call_id") == "k1").item(0, "wait_seconds") == 5


def test_numbers_with_blanks_around_them_are_read():
    data = (
        b"1700000000|c1|q|NONE|ENTERQUEUE||1|1\n"
        b"1700000015|c1|q|Agent/1001|RINGNOANSWER| 15000 \n"
        b"1700000040|c1|q|Agent/1003|CONNECT| 40 |c1b| 9\n"
        b"1700000100|c1|q|Agent/1003|COMPLETECALLER|40| 60 |1\n"
    )
    c = import_queue_log(io.BytesIO(data)).calls.row(0, named=True)
    assert (c["rna_seconds"], c["ring_seconds"], c["talk_seconds"]) == (15.0, 9.0, 60.0)


class _NoReadinto:
    def __init__(self, data: bytes) -> None:
        self._b = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._b.read(n)


@pytest.mark.parametrize("wrap", [io.BytesIO, _NoReadinto])
def test_line_chunks_never_split_a_line(wrap):
    lines = [b"x" * n for n in (0, 3, 40, 7, 100, 1, 0, 64)]
    data = b"\n".join(lines)  # no newline at the end
    chunks = list(iter_line_chunks(wrap(data), 16))
    assert b"".join(chunks) == data
    assert all(c.endswith(b"\n") for c in chunks[:-1])


def test_half_hour_cells_span_years_without_a_huge_dense_array(monkeypatch):
    monkeypatch.setattr(grouping, "_DENSE_MIN", 4)
    calls = calls_frame(
        [call("y1", "answered", offered=0, wait=1, talk=60, agent="A")]
        + [call("y2", "answered", offered=86400 * 800, wait=1, talk=60, agent="A")]
    )
    r = rollup(calls, policy=MetricPolicy(), granularities=("halfhour",), scopes=("agent",))
    assert r.get_column("period_start").to_list() == [at(0), at(86400 * 800)]
    assert r.get_column("calls_answered").to_list() == [1, 1]
