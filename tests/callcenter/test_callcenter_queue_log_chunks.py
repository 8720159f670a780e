"""queue_log chunks processed side by side: the same result, line numbers and progress as one by one."""

from __future__ import annotations

import io
import random
import threading

import polars as pl
import pytest

from aftersales.callcenter.engine import queue_log as ql
from aftersales.callcenter.engine.queue_log import QueueLogOptions, import_queue_log


def _messy_log(calls: int = 400, seed: int = 3) -> bytes:
    """A queue_log with the usual dirt: blank and broken lines, CRLF, repeats, odd numbers."""
    rng = random.Random(seed)
    lines: list[bytes] = []
    t = 1_700_000_000
    for i in range(calls):
        t += rng.randint(0, 20)
        cid = b"%d.%d" % (t, i)
        agent = b"SIP/%d-0000a1b2" % (1000 + i % 7)
        wait, talk = rng.randint(1, 40), rng.randint(5, 300)
        phone = b"+86 138-%04d" % i if i % 97 == 5 else b"1380013%04d" % i
        lines += [
            b"%d|%s|q%d|NONE|DID|4008001234" % (t, cid, i % 3),
            b"%d|%s|q%d|NONE|ENTERQUEUE||%s|1" % (t, cid, i % 3, phone),
            b"%d|%s|q%d|Agent/%d|RINGNOANSWER| %d " % (t + 5, cid, i % 3, 2000 + i % 5, 5000),
        ]
        kind = i % 6
        if kind < 3:
            lines.append(b"%d|%s|q%d|%s|CONNECT|%d|x|2" % (t + wait, cid, i % 3, agent, wait))
            end = [b"COMPLETEAGENT|%d|%d|1", b"COMPLETECALLER|%d|%d|1", b"ATTENDEDTRANSFER|BRIDGE|y|%d|%d|1"][
                kind
            ]
            lines.append(b"%d|%s|q%d|%s|" % (t + wait + talk, cid, i % 3, agent) + end % (wait, talk))
        elif kind == 3:
            lines.append(b"%d|%s|q%d|NONE|ABANDON|1|1|%d" % (t + wait, cid, i % 3, wait))
        elif kind == 4:
            lines.append(b"%d|%s|q%d|NONE|EXITWITHKEY|5|1|1|%d" % (t + wait, cid, i % 3, wait))
        # kind 5: still open at the end of the file
        if i % 11 == 0:
            lines.append(b"%d|NONE|NONE|%s|PAUSE|  lunch " % (t + 1, agent))
            lines.append(b"%d|NONE|q1|%s|ADDMEMBER|" % (t + 2, agent))
        if i % 13 == 0:
            lines += [b"", b"garbage", b"notatime|%s|q|NONE|DID|1" % cid, b"%d|||" % t]
        if i % 17 == 0:
            lines.append(lines[-2] + b"\r")  # repeated line, CRLF
        if i % 19 == 0:
            lines.append(b"%d.250|%s|q1|NONE|QUEUESTART|" % (t, cid))
    return b"\n".join(lines) + b"\n"


def _run(data: bytes, **options: object) -> tuple[ql.ImportResult, list[tuple[int, int]]]:
    seen: list[tuple[int, int]] = []
    result = import_queue_log(
        io.BytesIO(data),
        options=QueueLogOptions(**options),  # type: ignore[arg-type]
        progress=lambda done, total: seen.append((done, total)),
    )
    return result, seen


def _same(a: ql.ImportResult, b: ql.ImportResult) -> None:
    assert a.calls.sort("call_id").equals(b.calls.sort("call_id"))
    assert a.open_calls.sort("callid").equals(b.open_calls.sort("callid"))
    assert a.agent_events.equals(b.agent_events)
    assert a.errors == b.errors
    for name in ("error_count", "lines", "blank_lines", "ignored_events", "data_start", "data_end"):
        assert getattr(a, name) == getattr(b, name), name


@pytest.mark.parametrize("parallel", [2, 4])
def test_chunks_side_by_side_give_what_one_by_one_gives(parallel):
    data = _messy_log()
    one, one_progress = _run(data, chunk_bytes=700, parallel_chunks=1)
    many, many_progress = _run(data, chunk_bytes=700, parallel_chunks=parallel)
    whole, _ = _run(data)
    _same(one, many)
    assert one_progress == many_progress and len(one_progress) > 50
    assert one.calls.drop("first_line").sort("call_id").equals(whole.calls.drop("first_line").sort("call_id"))
    assert one.errors == whole.errors and one.agent_events.equals(whole.agent_events)


def test_line_numbers_count_from_the_start_of_the_file_in_every_chunk():
    data = _messy_log(calls=200)
    r, _ = _run(data, chunk_bytes=300, parallel_chunks=3)
    text = data.split(b"\n")
    assert r.lines == len(text) - 1
    for e in r.errors:
        assert e.text == text[e.line - 1].decode().rstrip("\r") or e.reason != "time"
    assert [e.line for e in r.errors] == sorted(e.line for e in r.errors)
    first = dict(r.calls.select("call_id", "first_line").iter_rows())
    for call_id, line in list(first.items())[:50]:
        assert text[line - 1].split(b"|")[1].decode() == call_id
    for seq, event in r.agent_events.select("seq", "event").iter_rows():
        assert text[seq - 1].split(b"|")[4].decode() == event


def test_only_the_first_errors_in_file_order_are_kept_when_chunks_run_side_by_side():
    data = b"".join(b"bad line %d\n1700000000|c%d|q|NONE|DID|1\n" % (i, i) for i in range(500))
    r, _ = _run(data, chunk_bytes=200, parallel_chunks=3, max_errors_kept=7)
    assert r.error_count == 500
    assert [e.line for e in r.errors] == [1, 3, 5, 7, 9, 11, 13]


def test_progress_is_reported_in_file_order_from_the_calling_thread():
    data = _messy_log(calls=100)
    threads: set[int] = set()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        threads.add(threading.get_ident())
        seen.append(done)
        assert total == len(data)

    import_queue_log(io.BytesIO(data), options=QueueLogOptions(chunk_bytes=500), progress=progress)
    assert threads == {threading.get_ident()}
    assert seen == sorted(seen) and seen[-1] == len(data) and len(seen) > 10


def test_a_chunk_that_fails_stops_the_import_with_its_error(monkeypatch):
    calls = 0
    real = ql._process_chunk

    def failing(*args: object) -> ql._ChunkResult:
        nonlocal calls
        calls += 1
        if calls == 3:
            raise pl.exceptions.ComputeError("broken chunk")
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(ql, "_process_chunk", failing)
    with pytest.raises(pl.exceptions.ComputeError, match="broken chunk"):
        import_queue_log(io.BytesIO(_messy_log(calls=100)), options=QueueLogOptions(chunk_bytes=500))


def test_repeated_hashes_are_found_as_is_duplicated_finds_them():
    ids = pl.Series(["a", "b", "a", "c", "d", "d", "d", "e", "b"] * 3 + ["f", "g"])
    assert ql._hash_repeated(ids).equals(ids.hash().is_duplicated())
    assert not ql._hash_repeated(pl.Series(["x", "y"])).any()


def test_rows_taken_for_repeated_call_ids_by_a_hash_collision_are_never_merged(monkeypatch):
    data = _messy_log(calls=150)
    normal, _ = _run(data, chunk_bytes=900)
    # As if every call id's hash collided with another's: all partials go through the exact merge.
    monkeypatch.setattr(ql, "_hash_repeated", lambda ids: pl.Series([True] * ids.len()))
    collided, _ = _run(data, chunk_bytes=900)
    _same(normal, collided)


def test_an_odd_caller_number_in_a_later_chunk_cleans_the_numbers():
    plain = b"".join(
        b"%d|c%d|q|NONE|ENTERQUEUE||1380013%04d|1\n%d|c%d|q|NONE|ABANDON|1|1|5\n"
        % (1_700_000_000 + i, i, i, 1_700_000_005 + i, i)
        for i in range(200)
    )
    odd = b"1700009000|odd|q|NONE|ENTERQUEUE||+86 138-0013 8000|1\n1700009005|odd|q|NONE|ABANDON|1|1|5\n"
    r, _ = _run(plain + odd, chunk_bytes=400, parallel_chunks=3)
    phones = dict(r.calls.select("call_id", "customer_phone").iter_rows())
    assert phones["odd"] == "+8613800138000" and phones["c7"] == "13800130007"


def test_an_odd_caller_number_of_an_open_call_from_an_earlier_file_is_cleaned():
    first = import_queue_log(io.BytesIO(b"1700000000|x|q|NONE|ENTERQUEUE||(0)138 0013 8000|1\n"))
    assert first.open_calls.item(0, "callerid") == "(0)138 0013 8000"
    second = import_queue_log(
        io.BytesIO(
            b"1700000009|x|q|NONE|ABANDON|1|1|9\n1700000010|y|q|NONE|ENTERQUEUE||139|1\n1700000011|y|q|NONE|ABANDON|1|1|1\n"
        ),
        prior_open=first.open_calls,
    )
    phones = dict(second.calls.select("call_id", "customer_phone").iter_rows())
    assert phones == {"x": "013800138000", "y": "139"}


def test_events_outside_the_known_kinds_are_counted_as_ignored():
    assert set(ql._KIND.categories.to_list()) == set(ql.CALL_EVENTS | ql.AGENT_EVENTS)
    data = (
        b"1700000000|a|q|NONE|QUEUESTART|\n1700000001|a|q|NONE|enterqueue||1|1\n1700000002|a|q|NONE|DID|1\n"
    )
    r = import_queue_log(io.BytesIO(data))
    assert r.ignored_events == 2 and r.open_calls.height == 1
