"""Copy the front-end packages installed from the npm registry into the static folder."""

from __future__ import annotations

import shutil
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

# package file in node_modules -> path under static/vendor/
FILES = {
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
    "echarts/dist/echarts.min.js": "echarts/echarts.min.js",
    "alpinejs/dist/cdn.min.js": "alpinejs/alpine.min.js",
    "signature_pad/dist/signature_pad.umd.min.js": "signature_pad/signature_pad.min.js",
}


class Command(BaseCommand):
    help = "Copy front-end packages from node_modules into static/vendor."

    def add_arguments(self, parser):  # type: ignore[no-untyped-def]
        parser.add_argument("--node-modules", default=str(settings.PROJECT_DIR / "node_modules"))

    def handle(self, *args, **opts):  # type: ignore[no-untyped-def]
        source = Path(opts["node_modules"])
        target = settings.BASE_DIR / "static" / "vendor"
        missing = [name for name in FILES if not (source / name).exists()]
        if missing:
            raise CommandError(f"Run `npm install` first; missing: {', '.join(missing)}")
        for name, dest in FILES.items():
            out = target / dest
            out.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, out)
        self.stdout.write(f"copied {len(FILES)} files into {target}")
