"""`desa validate` on DMN files: every decision-table entry is checked the way SpiffWorkflow 3.2
runs it, and each problem names the rule (row), the column and what to write instead."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any
from xml.sax.saxutils import escape

import pytest
from lxml import etree
from SpiffWorkflow.dmn.engine.DMNEngine import DMNEngine
from SpiffWorkflow.dmn.parser.DMNParser import DMNParser

from engine import spiff
from engine.definitions import folder as definitions
from engine.definitions.lint import dmn_entries

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
BASIC = FIXTURES / "basic" / "processes"


def _dmn(
    entries: list[str],
    *,
    expression: str = "jumlah_kk",
    output: str = '"ya"',
    table: str = 'hitPolicy="UNIQUE"',
    label: str = "Jumlah KK",
) -> str:
    rules = "".join(
        f'<rule id="r{n}"><inputEntry id="r{n}_in"><text>{escape(entry)}</text></inputEntry>'
        f'<outputEntry id="r{n}_out"><text>{escape(output)}</text></outputEntry></rule>\n'
        for n, entry in enumerate(entries, start=1)
    )
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="D" namespace="n">
<decision id="keputusan" name="Keputusan"><decisionTable id="tabel" {table}>
<input id="in" label="{label}">
<inputExpression id="in_expr"><text>{escape(expression)}</text></inputExpression></input>
<output id="out" label="Hasil" name="hasil" />
{rules}</decisionTable></decision></definitions>
"""


def _dmn_problems(xml: str, tmp_path: Path) -> list[tuple[int | None, str | None, str, str]]:
    path = tmp_path / "keputusan.dmn"
    path.write_text(xml, encoding="utf-8")
    return [(p.line, p.element, p.rule, p.message) for p in definitions.load([path], BASIC).problems]


def _spiff_runs(xml: str, data: dict[str, Any]) -> bool:
    """Whether SpiffWorkflow's own DMN engine, with the sandbox as script engine, runs the table."""
    root = etree.fromstring(xml.encode("utf-8"))
    namespaces = {"dmn": root.nsmap[None]}
    parser = DMNParser(None, root, namespaces, filename="keputusan.dmn")
    task = SimpleNamespace(data=data, workflow=SimpleNamespace(script_engine=spiff.SCRIPT_ENGINE))
    try:
        parser.parse()
        DMNEngine(parser.decision.decisionTables[0]).result(task)
    except Exception:
        return False
    return True


# Input entries SpiffWorkflow 3.2 runs as they are meant, and ones it cannot run at all.
RUNNING_ENTRIES = [
    "5",
    "> 5",
    "<= 5",
    "== 5",
    "!= 5",
    " in [5, 6]",
    "4 < ? < 6",
    "? in (5, 6)",
    "-",
    '"a?"',
    "jumlah_kk",
]
FAILING_ENTRIES = [
    "[0..100)",
    "> 5 and < 10",
    "in [5, 6]",  # glued to the input expression: jumlah_kkin [5, 6]
    "not in [1]",
    "is None",
    " - ",
    "5 # lima",
    "\n  5\n",
    "open('f')",
    "jumlah_kk.__class__",
    "true",
]


@pytest.mark.parametrize("entry", RUNNING_ENTRIES + FAILING_ENTRIES)
def test_dmn_input_entries_are_checked_as_spiffworkflow_runs_them(entry: str, tmp_path: Path) -> None:
    xml = _dmn([entry])
    problems = _dmn_problems(xml, tmp_path)
    assert _spiff_runs(xml, {"jumlah_kk": 5}) is (entry in RUNNING_ENTRIES)
    if entry in RUNNING_ENTRIES:
        assert problems == []
    else:
        [(line, element, rule, message)] = problems
        assert (line, element, rule) == (7, "r1_in", "dmn-expression")
        assert message.startswith("rule 1, input 'Jumlah KK': ")


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ("[0..100)", ["'[0..100)' cannot run as Python", "not as FEEL", "write '0 <= ? < 100'"]),
        ("(0..100]", ["write '0 < ? <= 100'"]),
        ("]0..100[", ["write '0 < ? < 100'"]),
        ("> 5 and < 10", ["SyntaxError", "an expression with ? for the input (e.g. 0 <= ? < 100)"]),
        ("in [5, 6]", ["run together as 'jumlah_kkin [5, 6]'", "'? in [5, 6]'"]),
        (" - ", ["write the entry '-' (any value) with nothing around it"]),
        ("5 # lima", ["a # comment hides the parenthesis"]),
        ("\n  5\n", ["unexpected indent", "on one line"]),
        ("open('f')", ["open() is not available"]),
        ("true", ["'true' is FEEL", "write True"]),
        # these run, but not as the FEEL they look like
        ('"a","b"', ["FEEL list of values", '\'? in ("a","b")\'']),
        ('not("a")', ["FEEL negation"]),
        (" ", ["blank", "write - for any value"]),
    ],
)
def test_dmn_entry_problems_say_what_to_write(entry: str, words: list[str], tmp_path: Path) -> None:
    [(_, element, rule, message)] = _dmn_problems(_dmn([entry]), tmp_path)
    assert (element, rule) == ("r1_in", "dmn-expression")
    for word in words:
        assert word in message, message


def test_dmn_problems_name_the_rule_row_and_the_column(tmp_path: Path) -> None:
    found = _dmn_problems(_dmn(["< 100", "[100..500)", ">= 500"], label="Skor"), tmp_path)
    assert [(line, element, message.split(":")[0]) for line, element, _, message in found] == [
        (8, "r2_in", "rule 2, input 'Skor'")
    ]


def test_dmn_input_expression_and_output_entries_are_checked(tmp_path: Path) -> None:
    found = _dmn_problems(_dmn(["> 5"], expression="open('x')", output="[1..2]"), tmp_path)
    assert [(element, rule) for _, element, rule, _ in found] == [
        ("in_expr", "dmn-expression"),
        ("r1_out", "dmn-expression"),
    ]
    assert found[0][3].startswith("input 'Jumlah KK': expression 'open('x')' cannot run as Python")
    assert found[1][3].startswith("rule 1, output 'Hasil': entry '[1..2]' cannot run as Python")


def test_dmn_output_entry_in_feel_words_is_named(tmp_path: Path) -> None:
    [(_, element, _, message)] = _dmn_problems(_dmn(["> 5"], output="null"), tmp_path)
    assert element == "r1_out"
    assert "write None" in message


@pytest.mark.parametrize(
    ("policy", "words"),
    [
        ("FIRST", ["after evaluating every rule", "set hitPolicy to UNIQUE"]),
        ("ANY", ["without checking that every matching rule agrees"]),
        ("PRIORITY", ["not the one of highest priority"]),
        ("RULE ORDER", ["not the list of every match", "use COLLECT"]),
        ("OUTPUT ORDER", ["in output order", "sort the lists"]),
    ],
)
def test_dmn_hit_policies_spiffworkflow_does_not_run_are_named(
    policy: str, words: list[str], tmp_path: Path
) -> None:
    [(line, element, rule, message)] = _dmn_problems(_dmn(["> 5"], table=f'hitPolicy="{policy}"'), tmp_path)
    assert (line, element, rule) == (3, "tabel", "dmn-hit-policy")
    assert f"decision 'Keputusan' uses hit policy {policy}" in message
    for word in words:
        assert word in message


@pytest.mark.parametrize("table", ["", 'hitPolicy="UNIQUE"', 'hitPolicy="COLLECT"'])
def test_dmn_unique_and_collect_raise_no_problem(table: str, tmp_path: Path) -> None:
    assert _dmn_problems(_dmn(["> 5", "< 10"], table=table), tmp_path) == []


@pytest.mark.parametrize(
    ("aggregation", "python"), [("SUM", "sum"), ("MIN", "min"), ("MAX", "max"), ("COUNT", "len")]
)
def test_dmn_collect_aggregations_are_named(aggregation: str, python: str, tmp_path: Path) -> None:
    table = f'hitPolicy="COLLECT" aggregation="{aggregation}"'
    [(_, element, rule, message)] = _dmn_problems(_dmn(["> 5"], table=table), tmp_path)
    assert (element, rule) == ("tabel", "dmn-aggregation")
    assert f"hasil = {python}(hasil)" in message


def test_dmn_two_decisions_name_both_and_the_requirement(tmp_path: Path) -> None:
    source = (FIXTURES / "scope" / "unsupported" / "two_decisions.dmn").read_text(encoding="utf-8")
    [(line, element, rule, message)] = _dmn_problems(source, tmp_path)
    assert (line, element, rule) == (24, "rentan", "dmn-decisions-per-file")
    assert "2 decisions ('Prioritas', 'Rentan')" in message
    assert "decision 'Prioritas' requires decision 'Rentan'" in message
    assert "AttributeError" not in message


def test_dmn_file_without_decision_table_or_decision_is_named(tmp_path: Path) -> None:
    literal = (
        _dmn(["> 5"])
        .replace(
            '<decisionTable id="tabel" hitPolicy="UNIQUE">',
            '<literalExpression id="lit"><text>1</text></literalExpression><!--',
        )
        .replace("</decisionTable>", "-->")
    )
    [(_, element, rule, message)] = _dmn_problems(literal, tmp_path)
    assert (element, rule) == ("keputusan", "dmn-decision-table")
    assert "runs only decision tables" in message
    empty = (
        '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="kosong" name="K" '
        'namespace="n" />'
    )
    [(_, element, rule, message)] = _dmn_problems(empty, tmp_path)
    assert (element, rule) == ("kosong", "dmn-decisions-per-file")
    assert "no decision" in message


def test_dmn_rule_with_missing_entries_is_named(tmp_path: Path) -> None:
    xml = _dmn(["> 5"]).replace('<inputEntry id="r1_in"><text>&gt; 5</text></inputEntry>', "")
    [(_, element, rule, message)] = _dmn_problems(xml, tmp_path)
    assert (element, rule) == ("r1", "dmn-rule-entries")
    assert "rule 1 has 0 input entries for 1 input columns" in message


def test_the_check_of_an_input_entry_is_the_expression_spiffworkflow_runs() -> None:
    assert dmn_entries.spiff_input_expression("x", "5") == "(x) == (5)"
    assert dmn_entries.spiff_input_expression("x", "> 5") == "x> 5"
    assert dmn_entries.spiff_input_expression("x", '4 < ? < "?"') == '4 < dmninputexpr < "?"'
    assert dmn_entries.spiff_input_expression("x", "[0..1)") is None
