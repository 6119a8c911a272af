"""Schemathesis against the API's own OpenAPI document (/api/v1/openapi.json), in-process through
the WSGI app: for requests generated from the document, valid and invalid, the API never answers
5xx, answers only with status codes the document lists, and every body matches the schema the
document gives for it. Task ids are sometimes real open tasks of the program, so that claims and
completions reach the engine rather than stopping at "not found"."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from engine.core import Engine
from engine.views import queries
from tests.hostile import LONG_EXAMPLES, SHORT_EXAMPLES, examples, long_only_when_selected  # noqa: F401
from tests.web.test_api import app_for, token_for
from web.api_spec import SPEC

# No 5xx, only documented statuses and content types, bodies as documented, and generated requests
# that break the document refused. (The "ignored auth" check is left out: these calls carry a real
# token; requests without one are checked for their documented 401 all the same.)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
ACTOR = "pusat"  # the fasilitator pusat: the program's first tasks are theirs, in both villages


class Client:
    """The app, a token for the fasilitator pusat, and the program's open task ids."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.app: Flask = app_for(engine)
        self.headers = {"Authorization": f"Bearer {token_for(engine, ACTOR)}"}

    def task_ids(self) -> list[str]:
        return [t.id for t in queries.tasks(self.engine, user=ACTOR)] or ["tidak-ada"]


@pytest.fixture
def client(staffed: Engine) -> Client:
    return Client(staffed)


# The document the app serves (test_api.py checks it is this one), loaded once; the app it calls is set
# per test, since each test has its own database.
SCHEMA = schemathesis.openapi.from_dict(SPEC)
OPERATIONS = {f"{op.method.upper()} {op.path}": op for op in (r.ok() for r in SCHEMA.get_all_operations())}


def _call(operation: Any, client: Client, data: st.DataObject) -> None:
    SCHEMA.app = client.app
    mode = data.draw(st.sampled_from(list(GenerationMode)), label="fits the document?")
    case = data.draw(operation.as_strategy(mode), label="request")
    if "task_id" in (case.path_parameters or {}) and data.draw(st.booleans(), label="a real task"):
        case.path_parameters["task_id"] = data.draw(st.sampled_from(client.task_ids()), label="task id")
    if "code" in (case.path_parameters or {}) and data.draw(st.booleans(), label="a real village"):
        case.path_parameters["code"] = data.draw(st.sampled_from(["15.01.01.2003", "62.11.03.2005"]))
    anonymous = data.draw(st.integers(0, 9), label="without a token") == 0
    # A request generated to break the document's headers (for one, without the Authorization the
    # document requires) is sent as generated: adding the token would undo what makes it invalid.
    headers_broken = case.meta is not None and any(
        location == ParameterLocation.HEADER and info.mode.is_negative
        for location, info in case.meta.components.items()
    )
    response = case.call(app=client.app, headers={} if anonymous or headers_broken else client.headers)
    assert response.status_code < 500, (case.method, case.formatted_path, response.text[:500])
    case.validate_response(response, checks=CHECKS)


OPERATION = pytest.mark.parametrize("name", sorted(OPERATIONS))


@OPERATION
@examples(SHORT_EXAMPLES)
@given(data=st.data())
def test_the_api_answers_as_its_document_says(name: str, client: Client, data: st.DataObject) -> None:
    _call(OPERATIONS[name], client, data)


@pytest.mark.hostile_long
@OPERATION
@examples(LONG_EXAMPLES)
@given(data=st.data())
def test_the_api_answers_as_its_document_says_long(name: str, client: Client, data: st.DataObject) -> None:
    _call(OPERATIONS[name], client, data)
