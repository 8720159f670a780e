"""``aftersales staffing erlang-c|erlang-a ...``: agents needed for a service-level target, as JSON."""

from __future__ import annotations

import json
import math
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from aftersales.callcenter import services
from aftersales.callcenter.engine.erlang import StaffingInputError, erlang_a_staffing, erlang_c_staffing


class Command(BaseCommand):
    help = "Staffing: Erlang C or Erlang A for one interval."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        sub = parser.add_subparsers(dest="model", required=True)
        for name in ("erlang-c", "erlang-a"):
            p = sub.add_parser(name)
            p.add_argument("--calls", type=float, required=True, help="calls in the interval")
            p.add_argument("--interval-minutes", type=float, required=True)
            p.add_argument("--aht-seconds", type=float, required=True)
            p.add_argument("--target-sl", type=float, default=None, help="e.g. 0.8 (default: the policy's)")
            p.add_argument(
                "--target-seconds", type=float, default=None, help="answer time T (default: the policy's)"
            )
            p.add_argument("--shrinkage", type=float, default=None, help="e.g. 0.3 (default: the policy's)")
            p.add_argument(
                "--max-occupancy", type=float, default=None, help="e.g. 0.85 (default: the policy's)"
            )
            p.add_argument(
                "--agents", type=int, default=None, help="evaluate this many agents instead of searching"
            )
            p.add_argument("--json", action="store_true", help="JSON output (the default)")
            if name == "erlang-a":
                p.add_argument("--patience-seconds", type=float, default=None, help="mean caller patience")

    def handle(self, *args: Any, **opts: Any) -> None:
        policy = services.get_policy()
        common = dict(
            calls=opts["calls"],
            interval_seconds=opts["interval_minutes"] * 60,
            aht_seconds=opts["aht_seconds"],
            target_sl=opts["target_sl"]
            if opts["target_sl"] is not None
            else float(policy.service_level_target),
            target_seconds=opts["target_seconds"]
            if opts["target_seconds"] is not None
            else float(policy.service_level_seconds),
            shrinkage=opts["shrinkage"] if opts["shrinkage"] is not None else float(policy.shrinkage),
            max_occupancy=opts["max_occupancy"]
            if opts["max_occupancy"] is not None
            else float(policy.max_occupancy),
            agents=opts["agents"],
        )
        try:
            if opts["model"] == "erlang-c":
                result = erlang_c_staffing(**common)
            else:
                patience = (
                    opts["patience_seconds"]
                    if opts["patience_seconds"] is not None
                    else float(policy.patience_seconds)
                )
                result = erlang_a_staffing(patience_seconds=patience, **common)
        except StaffingInputError as error:
            raise CommandError(f"--{error.field.replace('_', '-')}: {error}") from error
        out = result.as_dict()
        out["inputs"] = {k: v for k, v in common.items() if v is not None}
        for k, v in out.items():
            if isinstance(v, float) and math.isinf(v):
                out[k] = None
        self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
