"""The JSON API under /api/v1, for scripts: bearer tokens only (no session cookie, so no CSRF).

Every view calls the engine, which checks role and village scope: a task or village the caller
may not see is 404, never 403. Errors share one body (`ERROR_SCHEMA`), whatever refuses the
request: the engine, the routing (an unknown path, a method the path does not take), the size
limit, or a failure of ours (500, logged with its traceback; the caller gets none).
`/api/v1/openapi.json` describes all of it.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue
from werkzeug.exceptions import HTTPException

from engine.core import Engine
from engine.directory import access, tokens
from engine.errors import Conflict, EngineError, FieldError, Forbidden, InvalidInput, NotFound
from engine.runtime import actions as runtime
from engine.runtime import idempotency
from engine.runtime.actions import StepResult
from engine.sandbox import json_input
from engine.store.models import Village
from engine.views import queries
from engine.views.task import task_view

from .api_spec import SPEC, STATUS_FILTERS

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger("desa.api")
HTTP_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "too_large"}


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: list[FieldError] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields or []


def engine() -> Engine:
    found: Engine = current_app.extensions["desa"]
    return found


def _user() -> str:
    user: str = g.api_user
    return user


@bp.before_request
def authenticate() -> None:
    if request.endpoint == "api.openapi":
        return
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    user = tokens.authenticate(engine(), secret.strip()) if scheme.lower() == "bearer" else None
    if user is None:
        raise ApiError(401, "unauthorized", "a valid API token is needed: 'Authorization: Bearer <token>'")
    g.api_user = user
    _known_query()


def _known_query() -> None:
    """Query parameters the operation does not take are refused (422): `?vilage=` is a typo, and
    ignoring it would answer for every village."""
    rule = request.url_rule.rule if request.url_rule is not None else ""
    path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.removeprefix(bp.url_prefix or ""))
    operation = SPEC["paths"].get(path, {}).get(request.method.lower(), {})
    taken = {p["name"] for p in operation.get("parameters", []) if p.get("in") == "query"}
    unknown = sorted(set(request.args) - taken)
    if unknown:
        offered = ", ".join(sorted(taken)) or "none"
        raise ApiError(
            422, "invalid_input", f"unknown query parameter '{unknown[0]}' (this operation takes: {offered})"
        )


def _error(status: int, code: str, message: str, fields: list[FieldError] | None = None) -> Response:
    body: dict[str, Any] = {"code": code, "message": message}
    if fields:
        body["fields"] = [
            {"path": f.path, "message": f.message, "message_en": f.message_en, "code": f.code} for f in fields
        ]
    response = jsonify({"error": body})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="desa"'
    return response


@bp.errorhandler(ApiError)
def _api_error(err: ApiError) -> Response:
    return _error(err.status, err.code, err.message, err.fields)


@bp.app_errorhandler(HTTPException)
def _http_error(err: HTTPException) -> Response | HTTPException:
    """Refusals of the routing and of Werkzeug (404, 405, 413, 400, ...) under /api/ as JSON; the
    pages' own elsewhere."""
    if not _is_api():
        return err
    status = err.code or 500
    code = HTTP_CODES.get(status, "bad_request" if status < 500 else "internal_error")
    response = _error(status, code, _http_message(err, status))
    if status == 405 and err.get_response().headers.get("Allow"):
        response.headers["Allow"] = err.get_response().headers["Allow"]
    return response


def _http_message(err: HTTPException, status: int) -> str:
    if status == 404 and request.url_rule is None:
        return f"no such API path: {request.path} (the operations are listed in /api/v1/openapi.json)"
    if status == 405:
        return f"{request.path} does not take {request.method}"
    if status == 413:
        limit = current_app.config.get("MAX_CONTENT_LENGTH") or 0
        return f"the request body is larger than {limit // (1024 * 1024)} MiB"
    return str(err.description or err.name)


@bp.errorhandler(Exception)
def _unexpected(err: Exception) -> Response:
    """A failure of ours: logged with its traceback, answered as JSON without it."""
    if isinstance(err, HTTPException):
        result = _http_error(err)
        return result if isinstance(result, Response) else _error(500, "internal_error", "internal error")
    log.exception("API %s %s failed", request.method, request.path)
    return _error(500, "internal_error", "the request failed on the server (the failure is logged)")


def _is_api() -> bool:
    prefix = bp.url_prefix or ""
    return request.blueprint == "api" or request.path == prefix or request.path.startswith(prefix + "/")


@bp.errorhandler(EngineError)
def _engine_error(err: EngineError) -> Response:
    if isinstance(err, NotFound):
        return _error(404, "not_found", str(err))
    if isinstance(err, Forbidden):
        return _error(403, "forbidden", str(err), getattr(err, "fields", None))
    if isinstance(err, Conflict):
        return _error(409, "conflict", str(err))
    if isinstance(err, InvalidInput):
        return _error(422, "invalid_input", str(err), err.fields)
    return _error(422, "invalid_input", str(err))


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for key, value in pairs:
        if key in found:
            raise ValueError(f"the key {key!r} appears twice in one object")
        found[key] = value
    return found


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def _body(required: bool = True) -> Any:
    """The request's JSON body. 400 `bad_request` for anything but strict JSON: malformed, NaN or
    Infinity, a key twice in one object (which of the two would count?), text with lone surrogates
    (escapes no UTF-8 text can hold), or nesting too deep for the parser."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "bad_request", "the request body must be JSON")
        return None
    try:
        value = json.loads(raw, object_pairs_hook=_unique_keys, parse_constant=_no_constant)
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except RecursionError as err:
        raise ApiError(400, "bad_request", "the request body is nested too deeply") from err
    except UnicodeEncodeError as err:
        raise ApiError(400, "bad_request", "the request body holds an escape that is no character") from err
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, "bad_request", f"the request body is not valid JSON: {err}") from err
    return value


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_input", f"{what} must be a JSON object")
    return value


def _step(result: StepResult) -> dict[str, Any]:
    return asdict(result)


@bp.get("/tasks")
def list_tasks() -> ResponseReturnValue:
    status = request.args.get("status")  # an empty one is no filter the document names, so refused too
    if status is not None and status not in STATUS_FILTERS:
        raise ApiError(422, "invalid_input", "status is 'claimed' or 'unclaimed'")
    rows = queries.tasks(engine(), user=_user(), village=request.args.get("village") or None)
    if status == "claimed":
        rows = [r for r in rows if r.claimed_by]
    elif status == "unclaimed":
        rows = [r for r in rows if not r.claimed_by]
    apart = queries.kept_apart_of(engine(), _user(), rows)
    listed = [{**r.to_json(), "kept_apart": _apart(apart.get(r.id))} for r in rows]
    return jsonify({"tasks": listed, "count": len(rows)})


def _apart(why: Any) -> dict[str, Any] | None:
    """Why the caller may not do a listed task though their role may (separate_from), or None."""
    if why is None:
        return None
    return {"earlier": why.earlier or None, "earlier_name": why.earlier_name, "same_task": why.same_task}


@bp.get("/tasks/<task_id>")
def get_task(task_id: str) -> ResponseReturnValue:
    view = asdict(task_view(engine(), task_id, _user()))  # the JSON calls the task's role lane
    return jsonify({("lane" if key == "role" else key): value for key, value in view.items()})


@bp.post("/tasks/<task_id>/claim")
def claim_task(task_id: str) -> ResponseReturnValue:
    return jsonify(_step(runtime.claim(engine(), task_id, _user())))


@bp.post("/tasks/<task_id>/unclaim")
def unclaim_task(task_id: str) -> ResponseReturnValue:
    return jsonify(_step(runtime.unclaim(engine(), task_id, _user())))


@bp.post("/tasks/<task_id>/complete")
def complete_task(task_id: str) -> ResponseReturnValue:
    revision = request.args.get("revision")
    expected: int | None = None
    if revision is not None:
        if not revision.isdigit():
            raise ApiError(422, "invalid_input", "revision is a whole number")
        expected = int(revision)
    body = _body(required=False)
    data = _object({} if body is None else body, "the task data")
    value, sent = _idempotency_key(), {"data": data, "revision": expected}
    key = idempotency.key_for(value, task_id, sent) if value is not None else None
    return jsonify(_step(runtime.complete(engine(), task_id, _user(), data, expected, key=key)))


def _idempotency_key() -> str | None:
    """The `Idempotency-Key` header (bare, or quoted as a structured-field string), if sent."""
    value = request.headers.get("Idempotency-Key")
    if value is None:
        return None
    value = value.strip()
    quoted = len(value) >= 2 and value[0] == value[-1] == '"'
    return value[1:-1] if quoted else value


@bp.post("/instances")
def start_instance() -> ResponseReturnValue:
    body = _object(_body(), "the request body")
    process_id, village = body.get("process_id"), body.get("village")
    missing = [
        FieldError(name, f"{name} wajib diisi (teks)", f"{name} is required (a string)", "required")
        for name, value in (("process_id", process_id), ("village", village))
        if not isinstance(value, str) or not value
    ]
    if missing:
        raise ApiError(422, "invalid_input", "process_id and village are required", missing)
    data = body.get("data")
    if data is not None:
        data = _object(data, "data")
    _visible_village(str(village))  # a village the caller may not see is "not found", as everywhere
    result = runtime.start(engine(), str(process_id), str(village), _user(), data)
    return jsonify({"id": result.instance_id, **_step(result)}), 201


def _visible_village(code: str) -> Village:
    json_input.check_names("village with code", code)  # text no database can look up (NUL): not found
    with engine().db.sessions() as session:
        who = access.principal(session, _user())
        village = session.get(Village, code)
        if village is None or not access.may(who, "see", village.code):
            raise NotFound(f"no village with code '{code}'")
        return village


@bp.get("/villages/<code>")
def village_status(code: str) -> ResponseReturnValue:
    village = _visible_village(code)
    found = []
    for row in queries.instances(engine(), village=village.code):
        detail = queries.instance_detail(engine(), row.id)
        found.append(
            {
                **row.to_json(),
                "tasks": detail["tasks"],
                "timers": detail["timers"],
            }
        )
    return jsonify(
        {
            "village": {
                "code": village.code,
                "name": village.name,
                "kecamatan": village.kecamatan,
                "kabupaten": village.kabupaten,
                "provinsi": village.provinsi,
            },
            "instances": found,
        }
    )


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    return jsonify(SPEC)
