"""The OpenAPI 3.1 document of the JSON API (`/api/v1/openapi.json`), kept beside the routes it
describes; tests check every route is in it and every response matches it."""

from __future__ import annotations

from typing import Any

from engine.views import queries

STATUS_FILTERS = ("claimed", "unclaimed")

STRING_OR_NULL = {"type": ["string", "null"]}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*statuses: int) -> dict[str, Any]:
    what = {
        400: "Not strict JSON: malformed, NaN or Infinity, a key twice in one object, an escape that is no "
        "character, or nested too deeply (code bad_request)",
        401: "No, wrong or revoked token (code unauthorized)",
        403: "The caller may not do this (code forbidden)",
        404: "Not found, or not visible to the caller (code not_found)",
        409: "Someone else changed it first, or it was already done (code conflict)",
        413: "The body is larger than 2 MiB (code too_large)",
        422: "Invalid input, with a message per field (code invalid_input)",
        500: "A failure on the server, logged there; the answer holds no detail (code internal_error)",
    }
    # 422 everywhere: a query parameter the operation does not take is refused
    return {str(s): _json(_ref("Error"), what[s]) for s in sorted({401, 422, 500, *statuses})}


TASK_ID = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": (
        "A key of the caller's choosing (a UUID made when the person pressed Selesai, say) that makes "
        "sending the completion again safe: the first completion under a key is kept with its "
        "result for 30 days, and the same key from the same user with the same task, data and "
        "revision answers that result again (same status, same body) without completing anything. "
        "The same key with a different task, data or revision is refused (422 invalid_input). Keys "
        "are the user's own: another user's key is never answered. Refusals (409, 422, ...) are not "
        "kept: they changed nothing, so a retry is answered by what holds then. 1 to 200 visible "
        "ASCII characters; a structured-field string (in double quotes) is accepted too."
    ),
    "schema": {"type": "string", "minLength": 1, "maxLength": 202},
}

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
                            "method_not_allowed",
                            "too_large",
                            "internal_error",
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
        "required": queries.TaskRow.json_keys(),
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
            "kept_apart": {
                "type": ["object", "null"],
                "description": "In a task list: why the caller may not do this task although their role "
                "may (separate_from), as GET /tasks/{id} says in `separated`; null when they may. "
                "earlier is the BPMN id of the task they did (null when unknown), earlier_name its "
                "name, same_task whether it is another instance of this run of the same task.",
                "required": ["earlier", "earlier_name", "same_task"],
                "additionalProperties": False,
                "properties": {
                    "earlier": STRING_OR_NULL,
                    "earlier_name": {"type": "string"},
                    "same_task": {"type": "boolean"},
                },
            },
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
            "separated": {
                "type": ["object", "null"],
                "description": "Why the caller may not do this task although their role may: they did "
                "an earlier task it must be kept apart from (separate_from). message in Bahasa Indonesia, "
                "message_en in English, code separate_from, params the task and the earlier one.",
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
                    IDEMPOTENCY_KEY,
                ],
                "requestBody": {
                    "required": False,
                    "description": "The task's data, valid against the task's form schema.",
                    "content": {"application/json": {"schema": {"type": "object"}}},
                },
                "responses": {
                    "200": _json(_ref("StepResult"), "Completed; open_tasks says what comes next"),
                    **_errors(400, 403, 404, 409, 413, 422),
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
                    **_errors(400, 403, 404, 413, 422),
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
