"""Create-request throughput and latency through a real HTTP server on PostgreSQL.

Starts gunicorn on a fresh PostgreSQL database, then drives it with 16 concurrent
clients: first a bare Django JSON view (the baseline), then POST /api/v1/service-requests
(a repair on a known unit: validation, warranty decision, numbering, duplicate check,
history row). Prints requests/s and p50/p95/p99 for both, and the ratio.

    .venv/bin/python bench/api.py [--requests 4000] [--concurrency 16] [--workers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "aftersales_bench"
PG_BASE = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
PORT = int(os.environ.get("BENCH_PORT", "8765"))


def env() -> dict[str, str]:
    e = dict(os.environ)
    e.update(
        DATABASE_URL=f"{PG_BASE}/{DB_NAME}",
        DJANGO_SETTINGS_MODULE="bench_settings",
        PYTHONPATH=f"{ROOT / 'bench'}:{ROOT / 'src'}",
        DB_CONN_MAX_AGE="600",
        LOG_LEVEL="WARNING",
    )
    return e


def prepare(n_units: int) -> str:
    import psycopg

    with psycopg.connect(f"{PG_BASE}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    subprocess.run(
        [sys.executable, "-m", "aftersales.cli", "migrate", "-v0"], env=env(), check=True, cwd=ROOT
    )
    os.environ.update(env())
    sys.path[:0] = [str(ROOT / "bench"), str(ROOT / "src")]
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from aftersales.catalog.models import Category, ProductModel, Unit
    from aftersales.core.clock import now
    from aftersales.core.services import issue_api_token
    from aftersales.customers.services import AddressInput, CustomerInput, register_customer

    user = get_user_model().objects.create_user("bench_agent", password="x")
    user.groups.add(Group.objects.get(name="agent"))
    customer = register_customer(
        data=CustomerInput(
            name="压测客户",
            phones=["13900000000"],
            addresses=[AddressInput("上海市", "上海市", "徐汇区", "漕溪北路1号")],
        ),
        actor=user,
    )
    category = Category.objects.create(code="air_conditioner", name="空调", warranty_months=12)
    model = ProductModel.objects.create(
        category=category, code="KFR-35GW", name="空调", list_price=Decimal("3299")
    )
    import datetime as dt

    Unit.objects.bulk_create(
        Unit(
            serial_number=f"BENCH{i:07d}",
            product_model=model,
            customer=customer,
            purchase_date=dt.date(2026, 1, 1) + dt.timedelta(days=i % 300),
            price_paid=Decimal("3299"),
            created_at=now(),
        )
        for i in range(n_units)
    )
    raw, _ = issue_api_token(user=user)
    from django.db import connections

    connections.close_all()
    return raw


def start_server(workers: int, threads: int) -> subprocess.Popen:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "aftersales.wsgi:application",
            "-b",
            f"127.0.0.1:{PORT}",
            "-w",
            str(workers),
            "-k",
            "gthread",
            "--threads",
            str(threads),
            "--log-level",
            "warning",
        ],
        env=env(),
        cwd=ROOT,
    )
    for _ in range(100):
        try:
            if httpx.get(f"http://127.0.0.1:{PORT}/healthz", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start")


async def drive(make_request, total: int, concurrency: int) -> tuple[float, list[float], int]:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{PORT}", limits=limits, timeout=30) as client:

        async def worker() -> None:
            nonlocal errors
            for i in counter:
                method, url, kwargs = make_request(i)
                t0 = time.perf_counter()
                response = await client.request(method, url, **kwargs)
                latencies.append(time.perf_counter() - t0)
                if response.status_code != 201:
                    errors += 1

        t0 = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return elapsed, latencies, errors


def report(name: str, total: int, elapsed: float, latencies: list[float], errors: int) -> float:
    qs = statistics.quantiles(latencies, n=100)
    rps = total / elapsed
    print(
        f"{name:<28} {rps:8.0f} req/s   p50 {qs[49] * 1000:6.1f} ms   p95 {qs[94] * 1000:6.1f} ms   "
        f"p99 {qs[98] * 1000:6.1f} ms   errors {errors}"
    )
    return rps


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()

    token = prepare(args.requests + 200)
    server = start_server(args.workers, args.threads)
    try:
        headers = {"Authorization": f"Bearer {token}"}
        bare = lambda i: ("GET", "/bench/bare", {})  # noqa: E731

        def create(i: int):
            body = {
                "type": "repair",
                "channel": "api",
                "customer_id": 1,
                "unit_id": i + 1,
                "description": f"空调不制冷，第{i}台",
                "priority": "normal",
            }
            return "POST", "/api/v1/service-requests", {"json": body, "headers": headers}

        warm = 200
        asyncio.run(drive(bare, warm, args.concurrency))
        asyncio.run(drive(lambda i: create(args.requests + i), warm, args.concurrency))
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, {args.concurrency} concurrent clients, "
            f"{args.requests} requests each, PostgreSQL"
        )
        base_rps = report(
            "bare Django JSON view", args.requests, *asyncio.run(drive(bare, args.requests, args.concurrency))
        )
        elapsed, lat, errors = asyncio.run(drive(create, args.requests, args.concurrency))
        rps = report("POST service-requests", args.requests, elapsed, lat, errors)
        p99 = statistics.quantiles(lat, n=100)[98] * 1000
        print(f"throughput ratio create/bare: {rps / base_rps:.2f}  (target >= 0.50)")
        print(f"create p99: {p99:.1f} ms  (target < 50 ms)")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
