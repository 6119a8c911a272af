"""Property-based tests of the program's forms (forms/*.json) with Hypothesis: whatever is
submitted, validation answers only with per-field messages (the engine's InvalidInput), never a
crash; data generated from a form's own schema is accepted; and what a form shows of valid data is
read back (web/formdata.py) as data the form accepts again."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

from engine.definitions import forms
from engine.errors import FieldError, InvalidInput
from tests.form_checks import FORMS, example, schema
from tests.hostile import examples, long_only_when_selected  # noqa: F401  (a fixture)
from tests.model_desa_program import context_for
from web import formdata

NAMES = sorted(p.name for p in FORMS.glob("*.json"))
SHORT, LONG = 10, 100  # examples per form and property (29 forms, 4 properties): about 6 min long

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**40), max_value=10**40)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
    | st.sampled_from(
        ["", " ", "2027-02-30", "2027-01-15", "true", "1.500.000", "Rp 1.500.000", "\x00", "é" * 3]
    )
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
    max_leaves=15,
)


def _properties(name: str) -> list[str]:
    return sorted(schema(name).get("properties") or {})


@st.composite
def submissions(draw: st.DrawFn, name: str) -> dict[str, Any]:
    """Data a hostile or careless client could send for the form `name`: its real fields and others,
    each holding any JSON value; or the demo's valid data with some fields replaced."""
    keys = st.sampled_from(_properties(name)) | st.text(max_size=12)
    if draw(st.booleans()):
        data: dict[str, Any] = draw(st.dictionaries(keys, JSON, max_size=8))
        return data
    data = example(name)
    for key in draw(st.lists(keys, max_size=3)):
        data[key] = draw(JSON)
    return data


def _check_messages(found: list[FieldError], data: dict[str, Any], name: str) -> None:
    known = set(_properties(name)) | set(data)
    for error in found:
        assert isinstance(error, FieldError)
        assert error.path and error.message.strip() and error.message_en.strip() and error.code
        # the field it is about (a submitted name may itself hold a "/")
        assert error.path == "(form)" or any(error.path.startswith(k) for k in known if k), error.path


def _any_submission(name: str, data: dict[str, Any]) -> None:
    try:
        forms.validate(schema(name), data, name, context=context_for(name))
    except InvalidInput as refused:
        assert refused.fields, "a refusal names the fields"
        _check_messages(refused.fields, data, name)
        json.dumps([vars(f) for f in refused.fields], default=str)  # the API can send the messages


def _valid(name: str) -> st.SearchStrategy[dict[str, Any]]:
    return from_schema(forms.resolve(schema(name), context_for(name)))


def _cross_field(found: list[FieldError]) -> bool:
    """Errors schema-generated data may have: fields that must differ, choices from the form's own
    lists (x-desa-distinct and x-desa-choices say what a JSON Schema cannot)."""
    return bool(found) and all(e.code in ("distinct", "choice") for e in found)


def _generated_is_accepted(name: str, data: dict[str, Any]) -> None:
    found = forms.errors(schema(name), data, context_for(name))
    assume(not _cross_field(found))
    assert found == [], [(e.path, e.code, e.message) for e in found]


def _shown_is_read_back(name: str, data: dict[str, Any]) -> None:
    form = schema(name)
    # A form reads text back trimmed, with a browser's line ends: the data shown is such text (the
    # forms with many texts, such as the evaluation's, would otherwise rarely draw one to show).
    data = _as_typed(data)
    found = forms.errors(form, data, context_for(name))
    assume(found == [])  # trimming can empty a required text; choices and distinct values as before
    assert not _has_untrimmed_text(data)
    again = formdata.parse(form, formdata.to_raw(form, formdata.initial(form, data)))
    found = forms.errors(form, again, context_for(name))
    assert found == [], [(e.path, e.code, e.message, e.params.get("value")) for e in found]


def _as_typed(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace("\r", "").strip()
    if isinstance(value, dict):
        return {k: _as_typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_typed(v) for v in value]
    return value


def _has_untrimmed_text(value: Any) -> bool:
    if isinstance(value, str):
        return value != value.strip() or "\r" in value
    if isinstance(value, dict):
        return any(_has_untrimmed_text(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_untrimmed_text(v) for v in value)
    return False


def _variants(prop: Any, strategy: Any) -> tuple[Any, Any]:
    """The property as a short test for `make test` and a long one behind the hostile_long marker."""

    def short(name: str, data: st.DataObject) -> None:
        prop(name, data.draw(strategy(name)))

    def long(name: str, data: st.DataObject) -> None:
        prop(name, data.draw(strategy(name)))

    params = pytest.mark.parametrize("name", NAMES)
    return (
        params(examples(SHORT)(given(data=st.data())(short))),
        pytest.mark.hostile_long(params(examples(LONG)(given(data=st.data())(long)))),
    )


test_any_submission_gets_per_field_messages_or_is_accepted, test_any_submission_long = _variants(
    _any_submission, submissions
)
test_data_generated_from_the_schema_is_accepted, test_generated_data_long = _variants(
    _generated_is_accepted, _valid
)
test_valid_data_shown_in_the_form_is_read_back_as_valid, test_read_back_long = _variants(
    _shown_is_read_back, _valid
)


# --- posted fields -----------------------------------------------------------------------------


def _field_names(name: str) -> list[str]:
    form = schema(name)
    return sorted(formdata.to_raw(form, formdata.initial(form, example(name))))


TEXTS = (
    st.text(max_size=20)
    | st.from_regex(r"-?\d{1,3}(\.\d{3}){0,4}(,\d{1,2})?", fullmatch=True)
    | st.from_regex(r"(Rp\.? ?)?-?[\d.,]{1,25}", fullmatch=True)
    | st.sampled_from(["", "true", "false", "null", "1e309", "NaN", "-0", "9" * 5000, "2027-13-01", "\r\n"])
)


@st.composite
def posted(draw: st.DrawFn, name: str) -> dict[str, list[str]]:
    """Posted fields: the form's own names and invented ones (rows far beyond the list), any text."""
    names = _field_names(name)
    key = (
        st.sampled_from(names)
        | st.builds(lambda n, i: n.replace("-0-", f"-{i}-"), st.sampled_from(names), st.integers(-5, 10**6))
        | st.text(max_size=15)
    )
    raw: dict[str, list[str]] = draw(st.dictionaries(key, st.lists(TEXTS, max_size=3), max_size=12))
    return raw


def _posted_fields(name: str, raw: dict[str, list[str]]) -> None:
    form = schema(name)
    data = formdata.parse(form, raw)
    assert isinstance(data, dict)
    json.dumps(data, allow_nan=False)  # only JSON values, whatever was typed
    try:
        forms.validate(form, data, name, context=context_for(name))
    except InvalidInput as refused:
        _check_messages(refused.fields, data, name)
        paths = formdata.error_paths((f.path, f.code, f.params) for f in refused.fields)
        assert all(isinstance(formdata.error_name(p), str) for p in paths)
    for button in list(raw)[:3]:  # the row buttons, pressed on any field name
        formdata.add_row(form, raw, button)
        formdata.remove_row(form, raw, button)


test_posted_fields_parse_into_data_the_engine_judges, test_posted_fields_long = _variants(
    _posted_fields, posted
)
