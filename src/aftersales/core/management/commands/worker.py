from __future__ import annotations

import threading

from django.core.management.base import BaseCommand

from aftersales.core import worker


class Command(BaseCommand):
    help = "Run the background worker (escalations, outbox, scheduled work) until SIGTERM."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--once", action="store_true", help="Run every step once and exit.")
        parser.add_argument("--idle-seconds", type=float, default=2.0)

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        if opts["once"]:
            self.stdout.write(f"handled {worker.run_once()} items")
            return
        stop = threading.Event()
        worker.install_signal_handlers(stop)
        worker.run_forever(stop, idle_seconds=opts["idle_seconds"])
