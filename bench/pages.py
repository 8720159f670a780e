"""Server-side render time of the main pages with 100x the demo data (50,000 requests), on PostgreSQL.

Loads the demo data set (500 requests through the real services), then copies the requests
with their clocks and history 99 times in SQL to reach 50,000, and renders each page 30
times through Django's test client, printing p50 and p95 per page (target: p95 < 200 ms).

    .venv/bin/python bench/pages.py [--copies 99] [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG_BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB_NAME = "aftersales_bench_pages"

CLONE_SQL = """
CREATE TEMP TABLE bench_map AS
SELECT r.id AS old_id, k FROM service_servicerequest r, generate_series(1, {copies}) AS k;

INSERT INTO service_servicerequest (number, type, channel, priority, status, is_open, customer_id, unit_id,
    address_id, zone_id, contact_phone, description, answer, received_at, registered_at, updated_at, resolved_at,
    closed_at, owner_id, created_by_id, assignee_id, warranty, repeat_contacts, first_contact_resolution, reopen_count)
SELECT 'C' || lpad(m.k::text, 3, '0') || r.number, r.type, r.channel, r.priority, r.status, r.is_open, r.customer_id,
    NULL, r.address_id, r.zone_id, r.contact_phone, r.description, r.answer,
    r.received_at - (m.k || ' days')::interval, r.registered_at - (m.k || ' days')::interval, r.updated_at,
    r.resolved_at, r.closed_at, r.owner_id, r.created_by_id, r.assignee_id, r.warranty, r.repeat_contacts,
    r.first_contact_resolution, r.reopen_count
FROM bench_map m JOIN service_servicerequest r ON r.id = m.old_id;

CREATE TEMP TABLE bench_ids AS
SELECT o.id AS old_id, n.id AS new_id FROM service_servicerequest n
JOIN service_servicerequest o ON n.number = 'C' || substr(n.number, 2, 3) || o.number AND n.number LIKE 'C%';

INSERT INTO service_slaclock (request_id, code, policy_id, basis, target, ratios, zone_kind, started_at,
    running_since, consumed, paused_since, paused_seconds, due_at, met_at, margin, state, escalation_level,
    next_check_at)
SELECT i.new_id, c.code, c.policy_id, c.basis, c.target, c.ratios, c.zone_kind, c.started_at, c.running_since,
    c.consumed, c.paused_since, c.paused_seconds, c.due_at, c.met_at, c.margin, c.state, 3, NULL
FROM bench_ids i JOIN service_slaclock c ON c.request_id = i.old_id;

INSERT INTO core_historyentry (subject_type_id, subject_id, event, old_state, new_state, actor_id, at, note, data)
SELECT h.subject_type_id, i.new_id, h.event, h.old_state, h.new_state, h.actor_id, h.at, h.note, h.data
FROM bench_ids i JOIN core_historyentry h ON h.subject_id = i.old_id
WHERE h.subject_type_id = (SELECT id FROM django_content_type WHERE app_label = 'service'
                           AND model = 'servicerequest');
ANALYZE;
"""


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=99)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument(
        "--reuse", action="store_true", help="keep the data of a previous run (migrations still run)"
    )
    args = parser.parse_args()
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME]).fetchone()
        if not (args.reuse and exists):
            conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {DB_NAME}")
            args.reuse = False
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG_BASE}/{DB_NAME}",
        "PYTHONPATH": str(ROOT / "src"),
        "LOG_LEVEL": "WARNING",
    }
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-m", "aftersales.cli", "migrate", "-v0"], check=True, cwd=ROOT, env=env)
    if not args.reuse:
        subprocess.run([sys.executable, "-m", "aftersales.cli", "demo"], check=True, cwd=ROOT, env=env)
    os.environ.update(env, DJANGO_SETTINGS_MODULE="aftersales.settings")
    sys.path.insert(0, str(ROOT / "src"))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client

    from aftersales.service.models import ServiceRequest

    with connection.cursor() as cursor:
        for statement in [] if args.reuse else CLONE_SQL.format(copies=int(args.copies)).split(";"):
            if statement.strip():
                cursor.execute(statement)
        cursor.execute("ANALYZE")
    total = ServiceRequest.objects.count()
    print(f"{total:,} requests loaded in {time.perf_counter() - t0:.0f} s")

    users = get_user_model().objects
    sample = (
        ServiceRequest.objects.filter(number__startswith="SR").select_related("customer").order_by("id")[0]
    )
    phone = sample.customer.phones.first().number
    pages = [
        ("agent", "home", "/"),
        ("agent", "console (my queue)", "/service/console/"),
        ("agent", "console (team queue)", "/service/console/?scope=team"),
        ("agent", "console lookup", f"/service/console/lookup/?q={phone[-4:]}"),
        ("agent", "request list", "/service/"),
        ("agent", "request list search", f"/service/?q={sample.customer.name}"),
        ("agent", "request page", f"/service/{sample.number}/"),
        ("manager", "dashboard (today)", "/service/dashboard/"),
        ("manager", "dashboard (month)", "/service/dashboard/?period=month"),
        (None, "portal track", f"/portal/track/?number={sample.number}&phone={phone}"),
    ]
    # As the web server's process does once it is loaded (aftersales.wsgi).
    from aftersales.core.startup import prepare_web_process

    prepare_web_process()
    print(f"{'page':<26}{'p50 ms':>10}{'p95 ms':>10}   target p95 < 200 ms")
    worst = 0.0
    for username, name, url in pages:
        client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
        if username:
            client.force_login(users.get(username=username))
        assert client.get(url).status_code == 200, url
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200
        p95 = statistics.quantiles(times, n=20)[18]
        worst = max(worst, p95)
        print(f"{name:<26}{statistics.median(times):>10.1f}{p95:>10.1f}")
    print(f"worst p95: {worst:.1f} ms ({'met' if worst < 200 else 'NOT met'})")


if __name__ == "__main__":
    main()
