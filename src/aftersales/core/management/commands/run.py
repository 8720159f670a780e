"""Start the whole system in one process: web server (gunicorn, threaded) and the worker."""

from __future__ import annotations

import os
import threading
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from gunicorn.app.base import BaseApplication

from aftersales.core import worker


class EmbeddedServer(BaseApplication):
    def __init__(self, app: Any, options: dict[str, Any]) -> None:
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def _start_worker(wsgi_worker: Any) -> None:
    stop = threading.Event()
    thread = threading.Thread(target=worker.run_forever, args=(stop,), name="aftersales-worker", daemon=True)
    thread.start()
    wsgi_worker._aftersales_stop = stop


def _stop_worker(wsgi_worker: Any) -> None:
    stop = getattr(wsgi_worker, "_aftersales_stop", None)
    if stop is not None:
        stop.set()


class Command(BaseCommand):
    help = "Serve the web application and run the background worker in this one process."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=int(os.environ.get("WEB_THREADS", "8")))
        parser.add_argument("--no-worker", action="store_true")

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        from aftersales.wsgi import application

        options: dict[str, Any] = {
            "bind": f"{opts['host']}:{opts['port']}",
            "workers": 1,
            "worker_class": "gthread",
            "threads": opts["threads"],
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "timeout": 60,
        }
        if not opts["no_worker"]:
            options["post_worker_init"] = _start_worker
            options["worker_exit"] = lambda server, w: _stop_worker(w)
        db = settings.DATABASES["default"]
        self.stdout.write(f"database: {db['ENGINE'].rsplit('.', 1)[-1]} {db.get('NAME')}")
        self.stdout.write(f"listening on http://{opts['host']}:{opts['port']}/")
        EmbeddedServer(application, options).run()
