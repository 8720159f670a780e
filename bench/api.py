"""Create-request throughput and latency through a real HTTP server on PostgreSQL.

Starts gunicorn on a fresh PostgreSQL database, then drives it with wrk (a load generator
in C: Debian's package ``wrk``) over 16 keep-alive connections: first a bare Django JSON
view (the baseline), then POST /api/v1/service-requests (a repair on a known unit: token,
validation, warranty decision, duplicate check by the unique index, numbering, history,
SLA clocks). Prints requests/s and p50/p95/p99 for both, and the ratio.

When pgbench is installed it also replays the registration's writes straight into
PostgreSQL (``bench/registration_floor.sql``: the two reads, then the counter, the request
row, its history entry and its two clocks in one statement) from a client in C with the
same concurrency: the database's own ceiling on this machine, which no endpoint can pass.

    .venv/bin/python bench/api.py [--seconds 20] [--concurrency 16] [--workers 4] [--threads 4]
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import tempfile
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


WRK_SCRIPT = r"""
-- Each connection of each wrk thread registers a repair on a unit of its own.
local threads = {}
function setup(thread)
  thread:set("tid", #threads)
  table.insert(threads, thread)
end
function init(args)
  path = args[1]
  token = args[2]
  base = tonumber(args[3])
  stride = tonumber(args[4])
  counter = 0
  errors = 0
end
function request()
  if path ~= "/api/v1/service-requests" then
    return wrk.format("GET", path)
  end
  counter = counter + 1
  local unit = base + tid * stride + counter
  local body = string.format(
    '{"type":"repair","channel":"api","customer_id":1,"unit_id":%d,"description":"空调不制冷，第%d台","priority":"normal"}',
    unit, unit)
  return wrk.format("POST", path,
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
function response(status, headers, body)
  if status ~= 201 then errors = errors + 1 end
end
function done(summary, latency, requests)
  local errs = 0
  for _, t in ipairs(threads) do errs = errs + t:get("errors") end
  io.write(string.format("RESULT %d %f %d %f %f %f %d\n", summary.requests, summary.duration / 1e6,
    errs, latency:percentile(50) / 1e3, latency:percentile(95) / 1e3, latency:percentile(99) / 1e3,
    summary.errors.timeout))
end
"""


def drive(
    path: str, token: str, seconds: int, concurrency: int, base: int = 0, stride: int = 0
) -> tuple[float, float, int, float, float, float, int]:
    """Run wrk (a load generator in C, so that the client takes little of the two cores)."""
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_SCRIPT)
    try:
        out = subprocess.run(
            [
                "wrk",
                "-t2",
                f"-c{concurrency}",
                f"-d{seconds}s",
                "--timeout",
                "10s",
                "-s",
                f.name,
                f"http://127.0.0.1:{PORT}",
                "--",
                path,
                token,
                str(base),
                str(stride),
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        os.unlink(f.name)
    line = next(x for x in out.splitlines() if x.startswith("RESULT "))
    n, secs, errs, p50, p95, p99, timeouts = line.split()[1:]
    return int(n) / float(secs), float(secs), int(errs), float(p50), float(p95), float(p99), int(timeouts)


def database_floor(seconds: int, concurrency: int) -> tuple[float, float] | None:
    """Registrations per second and mean latency (ms) of PostgreSQL alone, or None without pgbench."""
    if shutil.which("pgbench") is None:
        return None
    out = subprocess.run(
        [
            "pgbench",
            "-n",
            f"-c{concurrency}",
            "-j2",
            f"-T{seconds}",
            "-f",
            str(ROOT / "bench" / "registration_floor.sql"),
            f"{PG_BASE}/{DB_NAME}",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    tps = float(next(x for x in out.splitlines() if x.startswith("tps = ")).split()[2])
    mean = float(next(x for x in out.splitlines() if x.startswith("latency average")).split()[3])
    return tps, mean


def report(name: str, result: tuple[float, float, int, float, float, float, int]) -> float:
    rps, _secs, errors, p50, p95, p99, timeouts = result
    print(
        f"{name:<28} {rps:8.0f} req/s   p50 {p50:6.1f} ms   p95 {p95:6.1f} ms   p99 {p99:6.1f} ms   "
        f"non-201 {errors}   timeouts {timeouts}"
    )
    return rps


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("bench/api.py needs wrk (Debian: apt-get install wrk)")

    # Units of their own for each wrk thread, enough for 1,500 registrations a second: no unit
    # is registered twice (a second one would be a repeat contact, not a new request).
    stride, warm_stride = 1500 * (args.seconds + 5), 1500 * 5
    token = prepare(2 * stride + 2 * warm_stride + 10)
    server = start_server(args.workers, args.threads)
    try:
        drive("/bench/bare", token, 3, args.concurrency)
        drive("/api/v1/service-requests", token, 3, args.concurrency, base=2 * stride, stride=warm_stride)
        print(
            f"gunicorn {args.workers} workers x {args.threads} threads, wrk with {args.concurrency} connections, "
            f"{args.seconds} s each, PostgreSQL"
        )
        base_rps = report(
            "bare Django JSON view", drive("/bench/bare", token, args.seconds, args.concurrency)
        )
        result = drive(
            "/api/v1/service-requests", token, args.seconds, args.concurrency, base=0, stride=stride
        )
        rps = report("POST service-requests", result)
        print(f"throughput ratio create/bare: {rps / base_rps:.2f}  (target >= 0.50)")
        print(f"create p99: {result[5]:.1f} ms  (target < 50 ms)")
        floor = database_floor(args.seconds, args.concurrency)
        if floor is not None:
            tps, mean = floor
            print(
                f"PostgreSQL alone, the registration's writes from pgbench: {tps:.0f} registrations/s, "
                f"mean latency {mean:.1f} ms"
            )
            print(
                f"highest ratio any create endpoint could reach on this machine: {tps / base_rps:.2f}; "
                f"create endpoint at {rps / tps:.2f} of the database's ceiling"
            )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
