"""Render the main pages to PNG with Debian's Chromium (used for the README).

Usage: python scripts/screenshots.py [--base http://127.0.0.1:8000] [--out docs/screenshots]
Expects the system running with the demo data (`make run`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
PAGES = [
    # (login, file name, path, viewport width)
    ("agent", "console", "/service/console/", 1366),
    ("dispatcher", "dispatch-board", "/dispatch/board/", 1366),
    ("manager", "dashboard", "/service/dashboard/?period=month", 1366),
    ("tech01", "technician-today", "/dispatch/tech/", 390),
    ("agent", "requests", "/service/", 1366),
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", default="http://127.0.0.1:8000")
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--password", default="aftersales")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        for user, name, path, width in PAGES:
            page = browser.new_page(viewport={"width": width, "height": 900}, locale="zh-CN")
            page.goto(args.base + "/accounts/login/")
            page.fill("input[name=username]", user)
            page.fill("input[name=password]", args.password)
            page.click("button[type=submit]")
            page.goto(args.base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / f"{name}.png"), full_page=False)
            if name == "requests":
                page.locator("table.table tbody a").first.click()
                page.wait_for_load_state("networkidle")
                page.screenshot(path=str(out / "request-detail.png"), full_page=False)
            page.close()
        browser.close()
    print(f"screenshots written to {out}/")


if __name__ == "__main__":
    main()
