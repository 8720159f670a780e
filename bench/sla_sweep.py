"""Worker sweep cost against the number of clocks coming due, with 1,000,000 open requests.

Loads 1,000,000 open requests with running SLA clocks into a fresh PostgreSQL database
(COPY), then makes 100 and then 10,000 of the clocks cross their warning threshold and
times one worker sweep (``handle_due_clocks``) for each. The sweep reads the partial index
on ``next_check_at``, so its time follows the clocks due, not the million.

    .venv/bin/python bench/sla_sweep.py [--requests 1000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "aftersales_bench_sla"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=1_000_000)
    args = parser.parse_args()

    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    os.environ.update(
        DATABASE_URL=f"{PG_BASE}/{DB_NAME}", DJANGO_SETTINGS_MODULE="aftersales.settings", LOG_LEVEL="WARNING"
    )
    sys.path.insert(0, str(ROOT / "src"))
    subprocess.run(
        [sys.executable, "-m", "aftersales.cli", "migrate", "-v0"],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection

    from aftersales.core.clock import frozen_at
    from aftersales.customers.services import CustomerInput, register_customer
    from aftersales.service.models import Escalation, ServiceRequest, SlaClock, SlaPolicy
    from aftersales.service.sla_services import handle_due_clocks

    owner = get_user_model().objects.create_user("bench_owner")
    owner.groups.add(Group.objects.get(name="agent"))
    get_user_model().objects.create_user("bench_dispatcher").groups.add(Group.objects.get(name="dispatcher"))
    customer = register_customer(data=CustomerInput(name="压测", phones=["13900000000"]), actor=owner)
    policy = SlaPolicy.objects.create(name="bench 4h", clock="arrival", target_minutes=240, basis="calendar")

    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    start = now - dt.timedelta(hours=1)  # 25 % of a 4-hour target used: the warning is 2.2 h away
    warn_at = start + dt.timedelta(hours=3.2)
    n = args.requests
    t0 = time.perf_counter()
    with connection.cursor() as cursor:
        raw = cursor.connection
        with raw.cursor().copy(
            "COPY service_servicerequest (number, type, channel, priority, status, is_open, customer_id, "
            "contact_phone, description, answer, received_at, registered_at, updated_at, warranty, repeat_contacts, "
            "first_contact_resolution, reopen_count, owner_id) FROM STDIN"
        ) as copy:
            buf = io.StringIO()
            for i in range(n):
                buf.write(
                    f"B{i:09d}\trepair\tphone\tnormal\tnew\tt\t{customer.pk}\t\t空调不制冷\t\t{start}\t{start}"
                    f"\t{start}\t{{}}\t0\tf\t0\t{owner.pk}\n"
                )
                if i % 100_000 == 99_999:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        first_id = ServiceRequest.objects.order_by("id").values_list("id", flat=True).first()
        with raw.cursor().copy(
            "COPY service_slaclock (request_id, code, policy_id, basis, target, ratios, zone_kind, started_at, "
            "running_since, consumed, paused_seconds, due_at, state, escalation_level, next_check_at) FROM STDIN"
        ) as copy:
            buf = io.StringIO()
            due = start + dt.timedelta(hours=4)
            for i in range(n):
                buf.write(
                    f"{first_id + i}\tarrival\t{policy.pk}\tcalendar\t04:00:00\t[0.8, 1.0, 2.0]\turban\t{start}"
                    f"\t{start}\t00:00:00\t0\t{due}\trunning\t0\t{warn_at}\n"
                )
                if i % 100_000 == 99_999:
                    copy.write(buf.getvalue())
                    buf = io.StringIO()
            copy.write(buf.getvalue())
        cursor.execute("ANALYZE")
    print(f"loaded {n:,} open requests with running clocks in {time.perf_counter() - t0:.1f} s")

    results = []
    for due_count in (100, 10_000):
        ids = (
            list(
                SlaClock.objects.filter(escalation_level=0)
                .order_by("?")
                .values_list("id", flat=True)[:due_count]
            )
            if due_count <= 100
            else list(
                SlaClock.objects.filter(escalation_level=0)
                .order_by("-id")
                .values_list("id", flat=True)[:due_count]
            )
        )
        # These clocks started 3.5 hours ago: past their 80 % warning, not yet breached.
        early = now - dt.timedelta(hours=3.5)
        SlaClock.objects.filter(id__in=ids).update(
            started_at=early, running_since=early, next_check_at=early + dt.timedelta(hours=3.2)
        )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE service_slaclock")
        before = Escalation.objects.count()
        with frozen_at(now):
            t = time.perf_counter()
            raised = handle_due_clocks(limit=20_000)
            elapsed = time.perf_counter() - t
        assert raised == due_count and Escalation.objects.count() - before == due_count, (raised, due_count)
        results.append((due_count, elapsed))
        print(
            f"sweep with {due_count:>6,} clocks due among {n:,} open requests: {elapsed * 1000:8.1f} ms "
            f"({elapsed / due_count * 1e6:.0f} µs per escalation)"
        )
    with frozen_at(now):
        t = time.perf_counter()
        handle_due_clocks()
        idle = time.perf_counter() - t
    print(f"sweep with      0 clocks due: {idle * 1000:8.1f} ms")
    ratio = results[1][1] / results[0][1]
    print(
        f"10,000 due / 100 due time ratio: {ratio:.1f} (cost follows the clocks due; target: 10,000 due under 1 s)"
    )


if __name__ == "__main__":
    main()
