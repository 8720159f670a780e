"""``aftersales callcenter import FILE --format ...`` and ``aftersales callcenter metrics ... --json``."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from aftersales.callcenter import selectors, services
from aftersales.callcenter.models import Granularity, ImportFormat
from aftersales.core.errors import DomainError


class ProgressBar:
    """A one-line progress bar on standard error, redrawn at most ten times a second."""

    def __init__(self, stream: Any, width: int = 30) -> None:
        self.stream = stream
        self.width = width
        self.started = time.monotonic()
        self.last = 0.0

    def __call__(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last < 0.1 and done < total:
            return
        self.last = now
        frac = done / total if total else 1.0
        filled = int(self.width * frac)
        rate = done / max(now - self.started, 1e-6) / 1e6
        self.stream.write(
            f"\r[{'#' * filled}{'.' * (self.width - filled)}] {frac * 100:5.1f}%  {done / 1e6:,.1f}/{total / 1e6:,.1f} MB  {rate:,.1f} MB/s"
        )
        self.stream.flush()

    def finish(self) -> None:
        self.stream.write("\n")
        self.stream.flush()


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value}") from exc


class Command(BaseCommand):
    help = "Call-center analytics: import call records, print metrics."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="action", required=True)
        imp = sub.add_parser(
            "import", help="Import an Asterisk queue_log, a queue_log table export or a call-record CSV."
        )
        imp.add_argument("file")
        imp.add_argument("--format", required=True, choices=ImportFormat.values)
        imp.add_argument(
            "--tz", default=None, help="time zone of times without an offset (default: the policy's)"
        )
        imp.add_argument("--no-progress", action="store_true")
        imp.add_argument("--json", action="store_true", help="print the import report as JSON")
        met = sub.add_parser("metrics", help="Print the 23 metrics for a period.")
        met.add_argument("--from", dest="start", required=True, type=_date)
        met.add_argument("--to", dest="end", required=True, type=_date)
        met.add_argument("--by", default=Granularity.DAY, choices=Granularity.values)
        met.add_argument("--agent")
        met.add_argument("--queue")
        met.add_argument("--team")
        met.add_argument("--json", action="store_true")
        met.add_argument("--lang", default="zh-hans", help="zh-hans (default) or en")
        sub.add_parser("recompute", help="Recompute every rollup from the stored calls.")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            if opts["action"] == "import":
                self.do_import(opts)
            elif opts["action"] == "metrics":
                self.do_metrics(opts)
            else:
                n = services.recompute_all()
                self.stdout.write(f"{n} rollup rows written")
        except DomainError as error:
            raise CommandError(f"{error.field or '-'}: {error.text()} [{error.code}]") from error

    def do_import(self, opts: dict[str, Any]) -> None:
        bar = None if opts["no_progress"] else ProgressBar(sys.stderr)
        started = time.monotonic()
        batch = services.import_path(
            path=opts["file"], fmt=opts["format"], time_zone=opts["tz"], progress=bar
        )
        if bar is not None:
            bar.finish()
        seconds = time.monotonic() - started
        report = {
            "file": batch.file_name,
            "format": batch.format,
            "status": batch.status,
            "lines": batch.lines,
            "calls_read": batch.calls_read,
            "calls_new": batch.calls_new,
            "agent_events_new": batch.agent_events_new,
            "open_calls": batch.open_calls,
            "blank_lines": batch.blank_lines,
            "ignored_events": batch.ignored_events,
            "unreadable_lines": batch.error_count,
            "errors": batch.errors,
            "seconds": round(seconds, 2),
            "message": batch.message,
        }
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{batch.file_name}: {batch.get_status_display()} — {batch.lines:,} lines, {batch.calls_new:,} new calls "
            f"({batch.calls_read:,} read), {batch.agent_events_new:,} agent events, {batch.open_calls:,} open calls, "
            f"{batch.error_count:,} unreadable lines, {seconds:.1f} s"
        )
        if batch.message:
            self.stdout.write(batch.message)
        for e in batch.errors[:50]:
            self.stdout.write(f"  line {e['line']}: {e['reason']}: {e['text']}")
        if batch.error_count > 50:
            self.stdout.write(f"  … {batch.error_count - 50:,} more")

    def do_metrics(self, opts: dict[str, Any]) -> None:
        sel = selectors.Selection(
            start=opts["start"],
            end=opts["end"],
            granularity=opts["by"],
            agent=opts["agent"],
            queue=opts["queue"],
            team=opts["team"],
        )
        with translation.override(opts["lang"]):
            report = selectors.metrics_report(sel, language=opts["lang"])
        if opts["json"]:
            self.stdout.write(json.dumps(report, ensure_ascii=False, indent=2, default=str))
            return

        def num(v: Any) -> str:
            return "" if v is None else f"{v:.4g}" if isinstance(v, float) else str(v)

        for m in report["metrics"]:
            rng = f"{num(m['range']['low'])}–{num(m['range']['high'])}"
            self.stdout.write(
                f"{m['number']:>2}. {m['name']:<16} {num(m['value']) or '-':>12} {m['unit']:<10} {rng:<14} {m['status']}"
            )
