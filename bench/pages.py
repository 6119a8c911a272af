"""Weight and load time of the main pages, measured in Debian's Chromium against `desa serve` on
the demo (a fresh SQLite database in a temporary folder, `processes/` deployed, `desa demo` played
to today): what a phone downloads for each page and how long until its `load` event.

    .venv/bin/python bench/pages.py [--runs 5]

Each page is opened `--runs` times in a new browser context (an empty cache: what a first visit
costs), then once more in the same context (the cache warm: what each later visit costs). Bytes
are the Resource Timing API's `transferSize` of the page and of everything it loaded (compressed,
headers included); times are medians of the runs. Prints a Markdown table (docs/performance.md)."""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.web import journeys_site as site_  # noqa: E402

MEASURE = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const rest = performance.getEntriesByType('resource');
  return {
    bytes: nav.transferSize + rest.reduce((sum, r) => sum + r.transferSize, 0),
    html: nav.transferSize,
    requests: 1 + rest.length,
    load: nav.loadEventEnd - nav.startTime,
  };
}"""


def _pages(browser: Any, site: site_.Site) -> list[tuple[str, str | None, str]]:
    """(what, who, path) of each main page: the people who open it and a real address of it."""
    task = next(t for t in site.tasks if t["lane"] == "Fasilitator Pusat")
    pages: list[tuple[str, str | None, str]] = [
        ("Masuk (sign in)", None, "/masuk"),
        ("Tugas Saya (inbox)", "fasilitator_pusat", "/"),
        (f"Tugas: {task['name']}", "fasilitator_pusat", f"/tugas/{task['id']}"),
        ("Desa (village)", "fasilitator_pusat", f"/desa/{task['village']}"),
        ("Dasbor", "fasilitator_pusat", "/dasbor"),
        ("Pemberitahuan", "fasilitator_pusat", "/pemberitahuan"),
    ]
    context = browser.new_context()
    page = context.new_page()
    site_.sign_in(page, site.url, site.logins["auditor"])
    page.goto(site.url + "/audit/")
    village = next(p for p in site_.links(page, site.url) if site_.kind(p) == "/audit/desa/*")
    page.goto(site.url + village)
    step = next(p for p in site_.links(page, site.url) if site_.kind(p) == "/audit/desa/*/*/*")
    context.close()
    pages += [("Audit: riwayat desa", "auditor", village), ("Audit: satu langkah", "auditor", step)]
    pages.append(("Perancangan: satu proses", "perancang", "/perancangan/persiapan/1"))
    return pages


def _state(browser: Any, site: site_.Site, role: str) -> Any:
    context = browser.new_context()
    page = context.new_page()
    site_.sign_in(page, site.url, site.logins[role])
    state = context.storage_state()
    context.close()
    return state


def _measure(browser: Any, url: str, state: Any, runs: int) -> dict[str, Any]:
    cold: list[dict[str, Any]] = []
    warm: dict[str, Any] = {}
    for _ in range(runs):
        context = browser.new_context(viewport=site_.PHONE, storage_state=state, service_workers="block")
        page = context.new_page()
        page.goto(url, wait_until="load")
        cold.append(page.evaluate(MEASURE))
        page.goto(url, wait_until="load")
        warm = page.evaluate(MEASURE)
        context.close()
    return {
        "requests": cold[-1]["requests"],
        "html": cold[-1]["html"],
        "bytes": statistics.median(c["bytes"] for c in cold),
        "load": statistics.median(c["load"] for c in cold),
        "warm_bytes": warm["bytes"],
        "warm_load": warm["load"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="cold loads per page (default 5)")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder, sync_playwright() as p:
        print("loading the demo ...", file=sys.stderr)
        site = site_.start(Path(folder))
        browser = p.chromium.launch(executable_path=site_.CHROMIUM, args=site_.ARGS)
        try:
            states = {
                role: _state(browser, site, role) for role in ("fasilitator_pusat", "auditor", "perancang")
            }
            print("| page | requests | HTML KB | KB, first | ms, first | KB, warm | ms, warm |")
            print("|---|---:|---:|---:|---:|---:|---:|")
            for what, who, path in _pages(browser, site):
                m = _measure(browser, site.url + path, states[who] if who else None, args.runs)
                print(
                    f"| {what} | {m['requests']} | {m['html'] / 1024:.1f} | {m['bytes'] / 1024:.1f} "
                    f"| {m['load']:.0f} | {m['warm_bytes'] / 1024:.1f} | {m['warm_load']:.0f} |"
                )
        finally:
            browser.close()
            site.stop()


if __name__ == "__main__":
    main()
