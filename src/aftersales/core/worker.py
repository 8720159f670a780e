"""The background worker: a loop over small, idempotent steps that apps register.

Each step claims its work with a conditional update (plus SKIP LOCKED on
PostgreSQL), does one unit of it and returns how many items it handled; the loop
sleeps only when every step found nothing. Any number of worker processes may run.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from collections.abc import Callable

from django.db import close_old_connections

log = logging.getLogger("aftersales.worker")

Step = Callable[[], int]
_STEPS: dict[str, Step] = {}


def register_step(name: str) -> Callable[[Step], Step]:
    def decorator(fn: Step) -> Step:
        _STEPS[name] = fn
        return fn

    return decorator


def steps() -> dict[str, Step]:
    # Importing the apps' task modules registers their steps.
    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("aftersales."):
            try:
                __import__(f"{config.name}.tasks")
            except ModuleNotFoundError as exc:
                if exc.name != f"{config.name}.tasks":
                    raise
    return dict(_STEPS)


def run_once() -> int:
    handled = 0
    for name, step in steps().items():
        try:
            handled += step()
        except Exception:
            log.exception("worker step %s failed", name)
        finally:
            close_old_connections()
    return handled


def run_forever(stop: threading.Event, idle_seconds: float = 2.0) -> None:
    log.info("worker started with steps: %s", ", ".join(sorted(steps())) or "(none)")
    while not stop.is_set():
        if run_once() == 0:
            stop.wait(idle_seconds)
    log.info("worker stopped")


def install_signal_handlers(stop: threading.Event) -> None:
    def handler(signum, frame):  # type: ignore[no-untyped-def]
        stop.set()

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)


def sleep_until(stop: threading.Event, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        stop.wait(min(0.5, deadline - time.monotonic()))
