"""The script environment: BPMN scripts and expressions run through `engine.sandbox`."""

from __future__ import annotations

from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.errors import ScriptError
from engine.sandbox import guard as sandbox
from engine.sandbox import isolation


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """Runs scripts and expressions through `engine.sandbox.isolation` (a sandbox process under the
    operating system's limits, RestrictedPython's guards inside) instead of plain eval/exec."""

    def evaluate(self, expression: str, context: dict[str, Any], external_context: Any = None) -> Any:
        return isolation.evaluate(expression, context, dict(external_context or {}))

    def execute(self, script: str, context: dict[str, Any], external_context: Any = None) -> bool:
        try:
            isolation.execute(script, context, dict(external_context or {}))
        except Exception as err:
            if err.args and not isinstance(err.args[0], str):
                # SpiffWorkflow's report joins the first argument to a text: `{}[1]` (KeyError(1)) or
                # `raise ValueError(5)` would come out as its own TypeError, not naming the task.
                raise sandbox.SandboxError(f"{err.__class__.__name__}: {err}") from err
            raise
        return True


SCRIPT_ENGINE = PythonScriptEngine(environment=RestrictedEnvironment())


def script_error(err: Exception) -> ScriptError:
    task = getattr(err, "task", None)
    spec = getattr(task, "task_spec", None) if task is not None else None
    where = ""
    if spec is not None:
        where = f" in task '{spec.bpmn_name or spec.bpmn_id}' ({spec.bpmn_id})"
    # SpiffWorkflow raises its own exception while handling the script's: that one says why.
    inner = getattr(err, "exception", None) or err.__cause__ or err.__context__ or err
    detail = str(inner) if str(inner) else inner.__class__.__name__
    if inner is not err and not isinstance(inner, sandbox.SandboxError) and str(inner):
        detail = f"{inner.__class__.__name__}: {inner}"
    if isinstance(inner, sandbox.SandboxError | SyntaxError | NameError):
        detail = f"refused or failed script: {detail}"
    hints = [note.strip() for note in getattr(err, "notes", []) if note.strip().startswith("Did you mean")]
    if inner is not err and hints:
        detail += ". " + " ".join(hints)
    return ScriptError(f"script error{where}: {detail}")
