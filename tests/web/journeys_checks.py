"""What every page of a journey must hold to, measured in the browser: it fits the screen, speaks
one language, and axe-core finds no serious or critical accessibility violation.

The language check (issue 14): on the Indonesian side no English UI word shows anywhere on the page;
on the English side no Indonesian UI word shows in the app's own wording (headings, navigation,
labels, buttons, table headers, messages). Program texts from processes/ and forms/ are exempt only
where the designer gave no English (a BPMN name, a form title without `x-en`, a `program.toml` text
without `en`), and so are the people's own entries (names, places, notes)."""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache
from typing import Any
from xml.etree import ElementTree

from tests.web.journeys_site import ROOT

AXE = ROOT / "tests" / "web" / "axe" / "node_modules" / "axe-core" / "axe.min.js"

# Words of the app's English wording that are not Indonesian (whole words, case as written).
ENGLISH = (
    "the and of with from this is are not your Task Tasks Password Submit Save Cancel Dashboard "
    "Village Villages Notifications Notification Forbidden Error Due Overdue Claim Release Reassign "
    "Search Back Next Previous Download Completed Step Steps Version Changes History Language Draft "
    "Welcome Loading Settings Unknown None True False Sign Home Open Done Page found"
)
# Words of the app's Indonesian wording that an English page must not show.
INDONESIAN = (
    "Tugas tugas Simpan Selesaikan Keluar Masuk Pemberitahuan Dasbor Perancangan Ambil Lepas Alihkan "
    "Kembali Belum Sudah Terlambat Tenggat Langkah Sebelumnya Berikutnya Unduh Verifikasi Lihat Semua "
    "Tidak tidak dan yang untuk dengan dari oleh pada Tanggal tanggal Nama Sandi sandi Cari Jumlah "
    "Versi Peran Waktu hari Hari bulan Bulan Ganti Daftar Desa Lewati"
)
# Where the app's own wording is on a page (the English side's check reads only these).
CHROME = (
    "title, header, nav, h1, h2, h3, th, label, legend, caption, summary, button, dt, .flash, .error, .help"
)

TEXTS = """(chrome) => {
  const roots = chrome ? [...document.querySelectorAll(chrome)] : [document.body];
  const out = [];
  for (const root of roots) {
    if (root.closest('.lang, svg, script, style, noscript')) continue;
    const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walk.nextNode(); n; n = walk.nextNode()) {
      const el = n.parentElement;
      if (!el || el.closest('.lang, svg, script, style, noscript, [hidden]')) continue;
      if (!chrome && !el.checkVisibility()) continue;
      const t = n.textContent.trim();
      if (t) out.push(t);
    }
  }
  return out;
}"""

WIDTH = "[document.documentElement.scrollWidth, window.innerWidth]"

AXE_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations']});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.help + ' at '
      + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


def _json_texts(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        english: dict[str, Any] = node["x-en"] if isinstance(node.get("x-en"), dict) else {}
        for key in ("title", "description"):
            if isinstance(node.get(key), str) and key not in english:
                found.add(node[key])
        for value in node.get("enum", []) if isinstance(node.get("enum"), list) else []:
            if isinstance(value, str):
                found.add(value)
        for value in node.values():
            _json_texts(value, found)
    elif isinstance(node, list):
        for value in node:
            _json_texts(value, found)


def _toml_texts(node: Any, found: set[str]) -> None:
    if isinstance(node, dict):
        if isinstance(node.get("id"), str) and "en" not in node:
            found.add(node["id"])
        for value in node.values():
            _toml_texts(value, found)
    elif isinstance(node, list):
        for value in node:
            _toml_texts(value, found)


@cache
def untranslated() -> tuple[str, ...]:
    """The program texts the designer gave no English, longest first."""
    found: set[str] = set()
    for path in (ROOT / "forms").rglob("*.json"):
        _json_texts(json.loads(path.read_text(encoding="utf-8")), found)
    for path in (ROOT / "processes").rglob("*.toml"):
        _toml_texts(tomllib.loads(path.read_text(encoding="utf-8")), found)
    for path in (ROOT / "processes").rglob("*.bpmn"):
        for element in ElementTree.parse(path).iter():
            if element.get("name"):
                found.add(element.get("name", ""))
            if element.tag.endswith("documentation") and element.text:
                found.add(element.text.strip())
    return tuple(sorted((t for t in found if t.strip()), key=len, reverse=True))


def foreign_words(texts: list[str], words: str, exempt: tuple[str, ...] = ()) -> list[str]:
    """The texts that hold one of `words` (space-separated), after the exempt texts are taken out."""
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, words.split())) + r")(?![\w-])")
    hits = []
    for text in texts:
        rest = text
        for program_text in exempt:
            if program_text in rest:
                rest = rest.replace(program_text, " ")
        if pattern.search(rest):
            hits.append(text[:120])
    return hits


def language_problems(page: Any, language: str) -> list[str]:
    problems = []
    lang = page.evaluate("document.documentElement.lang")
    if lang != language:
        problems.append(f"<html lang={lang!r}>, expected {language!r}")
    if language == "id":
        texts = page.evaluate(TEXTS, None) + [page.title()]
        hits = foreign_words(texts, ENGLISH)
        problems += [f"English on the Indonesian side: {h!r}" for h in hits]
    else:
        hits = foreign_words(page.evaluate(TEXTS, CHROME), INDONESIAN, untranslated())
        problems += [f"Indonesian on the English side: {h!r}" for h in hits]
    return problems


def width_problem(page: Any) -> list[str]:
    scroll, inner = page.evaluate(WIDTH)
    return [f"{scroll} px wide on a {inner} px screen"] if scroll > inner else []


def axe_problems(page: Any) -> list[str]:
    if not page.evaluate("typeof axe !== 'undefined'"):
        page.evaluate(AXE.read_text(encoding="utf-8"))  # as the page's own script; the CSP does not apply
    return [f"axe: {v}" for v in page.evaluate(AXE_RUN)]
