"""The demo as its users meet it: a fresh database with `processes/` deployed and `desa demo` played
forward (29 villages in 5 cohorts), served by `desa serve`, and the pages each role reaches from its
start page, found by following the links a person would click.

Used by tests/web/test_journeys.py and bench/pages.py."""

from __future__ import annotations

import csv
import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"
PASSWORD = "sandi-demo-jelajah"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"]
PHONE = {"width": 360, "height": 800}
DESKTOP = {"width": 1366, "height": 900}

# One demo login per role (the program's demo staff: processes/model_desa/program/story.py). The
# village roles are given a login of a village with a task of theirs open today (see `people`).
ROLES = {
    "pendamping": "pendamping1.lempurmudik",
    "pengurus_pokja": "pokja.lempurmudik",
    "fasilitator_daerah": "daerah.kerinci",
    "fasilitator_pusat": "pusat.andi",
    "auditor": "auditor.itjen",
    "perancang": "perancang",
    "admin": "admin",
}
_VILLAGE_ROLES = {
    "pendamping": "Pendamping",
    "pengurus_pokja": "Pengurus Pokja",
    "fasilitator_daerah": "Fasilitator Daerah",
}

# Links not followed: leaving, downloads, files and the offline layer's own addresses.
_SKIP = re.compile(r"^/(keluar|static/|audit/ekspor|sw\.js|manifest|luring/|api/|healthz)")
_KIND_ID = re.compile(r"[^/]*[\d.][^/]*")  # a path segment with a number or a dot is an id or a file


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _desa(env: dict[str, str], cwd: Path, *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "engine.cli.main", *args], env=env, cwd=cwd, check=True, capture_output=True
    )
    return done.stdout.decode()


def people(demo_output: str, open_tasks: list[dict[str, Any]]) -> dict[str, str]:
    """ROLES, with each village role given to a demo login who has a task open today (the demo plays
    the villages forward to today, so which village waits on whom changes from day to day)."""
    logins: dict[str, str] = {}  # what a login is for ("Pendamping, Kedaro") -> its first username
    for line in demo_output.splitlines():
        parts = line.split(None, 2)
        if len(parts) == 3 and parts[1] == PASSWORD:
            logins.setdefault(parts[2].strip(), parts[0])
    with (ROOT / "processes" / "model_desa" / "desa-2006-2009.csv").open(encoding="utf-8") as handle:
        places = {row["code"]: (row["name"], row["kabupaten"]) for row in csv.DictReader(handle)}
    chosen = dict(ROLES)
    for role, lane in _VILLAGE_ROLES.items():
        for task in open_tasks:
            name, kabupaten = places.get(task["village"], ("", ""))
            where = kabupaten if role == "fasilitator_daerah" else name
            if task["lane"] == lane and f"{lane}, {where}" in logins:
                chosen[role] = logins[f"{lane}, {where}"]
                break
    return chosen


@dataclass
class Site:
    url: str
    process: subprocess.Popen[bytes]
    logins: dict[str, str]
    tasks: list[dict[str, Any]]  # the tasks open when the demo was loaded (`desa tasks --json`)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


def start(folder: Path) -> Site:
    """A new database in `folder` with the demo loaded (every login's password is PASSWORD), served."""
    env = dict(os.environ, DESA_DATABASE_URL=f"sqlite:///{folder / 'desa.sqlite'}", DESA_SECRET_KEY="jelajah")
    _desa(env, folder, "init")
    _desa(env, folder, "deploy", str(ROOT / "processes"))
    output = _desa(env, folder, "demo", "--password", PASSWORD)
    tasks = json.loads(_desa(env, folder, "tasks", "--json"))
    logins = people(output, tasks)
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "engine.cli.main", "serve", "--port", str(port), "--no-worker"],
        env=env,
        cwd=folder,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(150):
        try:
            urllib.request.urlopen(f"{url}/healthz", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    return Site(url, process, logins, tasks)


def sign_in(page: Any, url: str, username: str, language: str = "id") -> None:
    """Sign in, then choose the language (a person's choice is kept from one sign-in to the next)."""
    page.goto(url + "/masuk")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    choose_language(page, language)


def choose_language(page: Any, language: str) -> None:
    """Choose the language, and see it kept. A response still under way when the choice is made (the
    offline layer keeps the inbox's task pages in the background after signing in) carries the
    session as it was before and can undo it: then it is chosen again."""
    page.wait_for_load_state("networkidle")
    for _ in range(5):
        if page.evaluate("document.documentElement.lang") == language:
            page.wait_for_timeout(1500)
            page.reload()
            if page.evaluate("document.documentElement.lang") == language:
                return
        page.select_option(".lang select", language)
        with page.expect_navigation():
            page.click(".lang button")
        page.wait_for_load_state("networkidle")
    raise AssertionError(f"the language {language!r} did not stay chosen")


def kind(path: str) -> str:
    """What sort of page a path is: its ids replaced, so one village stands for all of them (and
    the name before a version number, so one process's design page stands for all of them)."""
    split = path.split("/")
    parts = ["*" if _KIND_ID.fullmatch(part) else part for part in split]
    if len(parts) > 3 and split[-1].isdigit():
        parts[-2] = "*"
    return "/".join(parts)


def links(page: Any, url: str) -> list[str]:
    """The same-site pages this page links to (paths with their query), in page order."""
    hrefs: list[str] = page.eval_on_selector_all(  # an SVG link's href is no string: its attribute is
        "a[href]", "as => as.map(a => new URL(a.getAttribute('href'), document.baseURI).href)"
    )
    found = []
    for href in hrefs:
        parts = urlsplit(href)
        if href.startswith(url) and not _SKIP.match(parts.path):
            found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return found


def journey(page: Any, url: str, limit: int = 16) -> list[str]:
    """The pages a signed-in person reaches: the start page, then breadth first one page of each
    kind (one task, one village, one audit step, one design version...), plus the password page,
    the notifications and the service status."""
    queue = ["/", "/pemberitahuan", "/akun/kata-sandi", "/status"]
    seen_kinds = {kind(p.split("?")[0]) for p in queue}
    pages: list[str] = []
    while queue and len(pages) < limit:
        path = queue.pop(0)
        page.goto(url + path)
        pages.append(path)
        for link in links(page, url):
            link_kind = kind(link.split("?")[0])
            if link_kind not in seen_kinds:
                seen_kinds.add(link_kind)
                queue.append(link)
    return pages
