"""The JSON API under /api/v1, for scripts: bearer tokens only (no session cookie, so no CSRF).

Every view calls the engine, which checks role and village scope: a task or village the caller
may not see is 404, never 403. Errors share one body (`ERROR_SCHEMA`); `/api/v1/openapi.json`
describes all of it.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from flask import Blueprint, Response, current_app, g, jsonify, request
from flask.typing import ResponseReturnValue

from engine import access, queries, runtime, tokens
from engine.errors import Conflict, EngineError, FieldError, Forbidden, InvalidInput, NotFound
from engine.models import Village
from engine.runtime import StepResult
from engine.steps import Engine
from engine.taskview import task_view

bp = Blueprint("api", __name__, url_prefix="/api/v1")

STATUS_FILTERS = ("claimed", "unclaimed")


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


@bp.errorhandler(EngineError)
def _engine_error(err: EngineError) -> Response:
    if isinstance(err, NotFound):
        return _error(404, "not_found", str(err))
    if isinstance(err, Forbidden):
        return _error(403, "forbidden", str(err))
    if isinstance(err, Conflict):
        return _error(409, "conflict", str(err))
    if isinstance(err, InvalidInput):
        return _error(422, "invalid_input", str(err), err.fields)
    return _error(422, "invalid_input", str(err))


def _body(required: bool = True) -> Any:
    """The request's JSON body; malformed JSON is 400 `bad_request`."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            raise ApiError(400, "bad_request", "the request body must be JSON")
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError) as err:
        raise ApiError(400, "bad_request", f"the request body is not valid JSON: {err}") from err


def _object(value: Any, what: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ApiError(422, "invalid_input", f"{what} must be a JSON object")
    return value


def _step(result: StepResult) -> dict[str, Any]:
    return asdict(result)


@bp.get("/tasks")
def list_tasks() -> ResponseReturnValue:
    status = request.args.get("status") or None
    if status is not None and status not in STATUS_FILTERS:
        raise ApiError(422, "invalid_input", "status is 'claimed' or 'unclaimed'")
    rows = queries.tasks(engine(), user=_user(), village=request.args.get("village") or None)
    if status == "claimed":
        rows = [r for r in rows if r.claimed_by]
    elif status == "unclaimed":
        rows = [r for r in rows if not r.claimed_by]
    return jsonify({"tasks": [r.to_json() for r in rows], "count": len(rows)})


@bp.get("/tasks/<task_id>")
def get_task(task_id: str) -> ResponseReturnValue:
    return jsonify(asdict(task_view(engine(), task_id, _user())))


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
    return jsonify(_step(runtime.complete(engine(), task_id, _user(), data, expected)))


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
    result = runtime.start(engine(), str(process_id), str(village), _user(), data)
    return jsonify({"id": result.instance_id, **_step(result)}), 201


def _visible_village(code: str) -> Village:
    with engine().db.sessions() as session:
        who = access.principal(session, _user())
        village = session.get(Village, code)
        if village is None or not who.may_see_village(village.code, village.kabupaten_code):
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


# ---- the OpenAPI 3.1 document --------------------------------------------------------------------

STRING_OR_NULL = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    what = {
        400: "Malformed JSON (code bad_request)",
        401: "No, wrong or revoked token (code unauthorized)",
        403: "The caller may not do this (code forbidden)",
        404: "Not found, or not visible to the caller (code not_found)",
        409: "Someone else changed it first, or it was already done (code conflict)",
        422: "Invalid input, with a message per field (code invalid_input)",
    }
    return {str(s): _json(_ref("Error"), what[s]) for s in (401, *statuses)}


TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "additionalProperties": False,
                "properties": {
                    "code": {
                        "enum": [
                            "not_found",
                            "forbidden",
                            "conflict",
                            "invalid_input",
                            "unauthorized",
                            "bad_request",
                        ]
                    },
                    "message": {"type": "string"},
                    "fields": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["path", "message", "message_en", "code"],
                            "additionalProperties": False,
                            "properties": {
                                "path": {"type": "string"},
                                "message": {"type": "string"},
                                "message_en": {"type": "string"},
                                "code": {"type": "string"},
                            },
                        },
                    },
                },
            }
        },
    },
    "TaskRow": {
        "type": "object",
        "required": list(queries.TaskRow.__dataclass_fields__),
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "instance": {"type": "integer"},
            "village": {"type": "string"},
            "process_id": {"type": "string"},
            "bpmn_id": {"type": "string"},
            "name": {"type": "string"},
            "lane": {"type": "string"},
            "form": STRING_OR_NULL,
            "claimed_by": STRING_OR_NULL,
            "created_at": {"type": ["string", "null"], "format": "date-time"},
            "due_at": {"type": ["string", "null"], "format": "date-time"},
        },
    },
    "TaskList": {
        "type": "object",
        "required": ["tasks", "count"],
        "additionalProperties": False,
        "properties": {"tasks": {"type": "array", "items": _ref("TaskRow")}, "count": {"type": "integer"}},
    },
    "TaskView": {
        "type": "object",
        "required": [
            "id",
            "instance",
            "revision",
            "village",
            "name",
            "lane",
            "form",
            "schema",
            "data",
            "may_act",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "string"},
            "instance": {"type": "integer"},
            "revision": {"type": "integer", "description": "Pass as ?revision= when completing."},
            "village": {"type": "string"},
            "village_name": {"type": "string"},
            "process_id": {"type": "string"},
            "bpmn_id": {"type": "string"},
            "name": {"type": "string"},
            "lane": {"type": "string"},
            "documentation": {"type": "string"},
            "claimed_by": STRING_OR_NULL,
            "due_at": {"type": ["string", "null"], "format": "date-time"},
            "created_at": {"type": ["string", "null"], "format": "date-time"},
            "form": STRING_OR_NULL,
            "schema": {
                "type": ["object", "null"],
                "description": "The form's JSON Schema (2020-12), choices resolved from earlier data.",
            },
            "data": {"type": "object", "description": "What the form is pre-filled with."},
            "context": {"type": "object", "description": "The task's data."},
            "may_act": {"type": "boolean"},
            "override": {"type": "boolean", "description": "Acting would be an admin override."},
            "may_reassign": {
                "type": "boolean",
                "description": "The caller may give the task to someone else.",
            },
        },
    },
    "StepResult": {
        "type": "object",
        "required": ["instance_id", "revision", "status", "event_seq", "open_tasks"],
        "additionalProperties": False,
        "properties": {
            "instance_id": {"type": "integer"},
            "revision": {"type": "integer"},
            "status": {"type": "string"},
            "event_seq": {"type": "integer"},
            "open_tasks": {
                "type": "array",
                "description": "The human tasks open after this step.",
                "items": {
                    "type": "object",
                    "required": ["id", "bpmn_id", "name", "lane"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "string"},
                        "bpmn_id": {"type": "string"},
                        "name": {"type": "string"},
                        "lane": STRING_OR_NULL,
                    },
                },
            },
        },
    },
    "StartRequest": {
        "type": "object",
        "required": ["process_id", "village"],
        "additionalProperties": False,
        "properties": {
            "process_id": {"type": "string", "minLength": 1},
            "village": {"type": "string", "minLength": 1, "description": "Kemendagri village code."},
            "data": {"type": "object"},
        },
    },
    "VillageStatus": {
        "type": "object",
        "required": ["village", "instances"],
        "additionalProperties": False,
        "properties": {
            "village": {
                "type": "object",
                "required": ["code", "name", "kecamatan", "kabupaten", "provinsi"],
                "additionalProperties": False,
                "properties": {
                    k: {"type": "string"} for k in ("code", "name", "kecamatan", "kabupaten", "provinsi")
                },
            },
            "instances": {
                "type": "array",
                "items": {
                    "type": "object",
                    "required": [*queries.InstanceRow.__dataclass_fields__, "tasks", "timers"],
                    "additionalProperties": False,
                    "properties": {
                        "id": {"type": "integer"},
                        "process_id": {"type": "string"},
                        "version": {"type": "integer"},
                        "village": {"type": "string"},
                        "status": {
                            "enum": ["running", "waiting", "suspended", "completed", "cancelled", "failed"]
                        },
                        "error": STRING_OR_NULL,
                        "revision": {"type": "integer"},
                        "started_by": {"type": "string"},
                        "created_at": {"type": ["string", "null"], "format": "date-time"},
                        "updated_at": {"type": ["string", "null"], "format": "date-time"},
                        "tasks": {"type": "array", "items": _ref("TaskRow")},
                        "timers": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["id", "bpmn_id", "name", "due_at"],
                                "additionalProperties": False,
                                "properties": {
                                    "id": {"type": "string"},
                                    "bpmn_id": {"type": "string"},
                                    "name": {"type": "string"},
                                    "due_at": {"type": ["string", "null"], "format": "date-time"},
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}

SCHEMAS["Started"] = {
    **SCHEMAS["StepResult"],
    "required": ["id", *SCHEMAS["StepResult"]["required"]],
    "properties": {
        "id": {"type": "integer", "description": "The new instance's id."},
        **SCHEMAS["StepResult"]["properties"],
    },
}

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
    "info": {
        "title": "desa API",
        "version": "1",
        "description": "Tasks, instances and villages of the Model Desa Berketahanan Sosial program, "
        "for scripts. Tokens: `desa tokens create USER`. A task or village outside the caller's "
        "roles and villages is 404.",
    },
    "servers": [{"url": "/api/v1"}],
    "security": [{"bearer": []}],
    "paths": {
        "/tasks": {
            "get": {
                "operationId": "listTasks",
                "summary": "The caller's inbox, nearest deadline first",
                "parameters": [
                    {"name": "village", "in": "query", "required": False, "schema": {"type": "string"}},
                    {
                        "name": "status",
                        "in": "query",
                        "required": False,
                        "schema": {"enum": list(STATUS_FILTERS)},
                    },
                ],
                "responses": {"200": _json(_ref("TaskList"), "The open tasks"), **_errors(422)},
            }
        },
        "/tasks/{task_id}": {
            "get": {
                "operationId": "getTask",
                "summary": "One open task with its form schema and pre-fill data",
                "parameters": [TASK_ID],
                "responses": {"200": _json(_ref("TaskView"), "The task"), **_errors(404, 409)},
            }
        },
        "/tasks/{task_id}/claim": {
            "post": {
                "operationId": "claimTask",
                "summary": "Take a task",
                "parameters": [TASK_ID],
                "responses": {"200": _json(_ref("StepResult"), "Taken"), **_errors(403, 404, 409)},
            }
        },
        "/tasks/{task_id}/unclaim": {
            "post": {
                "operationId": "unclaimTask",
                "summary": "Release a task",
                "parameters": [TASK_ID],
                "responses": {"200": _json(_ref("StepResult"), "Released"), **_errors(403, 404, 409)},
            }
        },
        "/tasks/{task_id}/complete": {
            "post": {
                "operationId": "completeTask",
                "summary": "Complete a task with its form data",
                "parameters": [
                    TASK_ID,
                    {
                        "name": "revision",
                        "in": "query",
                        "required": False,
                        "description": "The instance revision the data was based on; 409 if it moved on.",
                        "schema": {"type": "integer", "minimum": 0},
                    },
                ],
                "requestBody": {
                    "required": False,
                    "description": "The task's data, valid against the task's form schema.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "responses": {
                    "200": _json(_ref("StepResult"), "Completed; open_tasks says what comes next"),
                    **_errors(400, 403, 404, 409, 422),
                },
            }
        },
        "/instances": {
            "post": {
                "operationId": "startInstance",
                "summary": "Start the newest version of a process for a village",
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": _ref("StartRequest")}},
                },
                "responses": {
                    "201": _json(_ref("Started"), "Started"),
                    **_errors(400, 403, 404, 422),
                },
            }
        },
        "/villages/{code}": {
            "get": {
                "operationId": "villageStatus",
                "summary": "A village's instances with their status, open tasks and timers",
                "parameters": [
                    {"name": "code", "in": "path", "required": True, "schema": {"type": "string"}}
                ],
                "responses": {"200": _json(_ref("VillageStatus"), "The village"), **_errors(404)},
            }
        },
        "/openapi.json": {
            "get": {
                "operationId": "openapi",
                "summary": "This document",
                "security": [],
                "responses": {"200": _json({"type": "object"}, "The OpenAPI 3.1 document")},
            }
        },
    },
    "components": {
        "schemas": SCHEMAS,
        "securitySchemes": {
            "bearer": {
                "type": "http",
                "scheme": "bearer",
                "description": "A token from `desa tokens create USER`.",
            }
        },
    },
}
