"""The one adapter over SpiffWorkflow: parser, serializer, script environment, clock, task views.

Everything that touches SpiffWorkflow's untyped objects lives in this package; the rest of the
engine sees plain dataclasses and dicts. Modules:

- `patches`: the clock adapter (timers read the engine clock) and copy-on-write data merges;
- `scripts`: the restricted script environment;
- `serialize`: specs and their storage, the serializer registry, new workflows;
- `stepping`: the engine's workflow classes, which step from their task tables, not tree walks;
- `ledger`: an instance's state as a header plus task rows, written incrementally;
- `restoring`: a live workflow and its ledger rebuilt from the header and rows;
- `packing`: a finished subprocess's task rows as one compressed row;
- `stored`: an instance's current data read from its task rows, without restoring the workflow;
- `parsing`: the BPMN/DMN parser and its XSDs;
- `tasks`: task views, waiting events, running steps, task data.
"""

from engine.spiff.ledger import Ledger, Snapshot
from engine.spiff.ledger_entry import StoredTask
from engine.spiff.moves import ElementChange, blockers, element_changes, migrate, progress_in
from engine.spiff.packing import unpack
from engine.spiff.parsing import bpmn_xsd, dmn_xsd, new_parser, parse_spec, validation_details
from engine.spiff.patches import EngineDatetime, install_clock, install_copy_on_write_merge
from engine.spiff.restoring import restore
from engine.spiff.scripts import SCRIPT_ENGINE, RestrictedEnvironment
from engine.spiff.serialize import (
    Spec,
    all_specs,
    mutated_at_run_time,
    new_workflow,
    spec_from_dict,
    spec_to_dict,
)
from engine.spiff.tasks import (
    HumanTaskView,
    WaitingEvent,
    boundary_timer_due,
    cancel,
    catch_message,
    complete,
    correct_data,
    current_data,
    display_name,
    element_marks,
    find_task,
    fire_timers,
    form_of,
    human_tasks,
    is_human,
    normalised_view,
    occurrence,
    ready_human,
    run_engine,
    status,
    task_data,
    task_is_ready_human,
    task_spec_properties,
    thrown_messages,
    waiting_events,
)

install_clock()
install_copy_on_write_merge()

__all__ = [
    "ElementChange",
    "blockers",
    "element_changes",
    "migrate",
    "progress_in",
    "EngineDatetime",
    "HumanTaskView",
    "Ledger",
    "RestrictedEnvironment",
    "SCRIPT_ENGINE",
    "Snapshot",
    "Spec",
    "StoredTask",
    "WaitingEvent",
    "all_specs",
    "boundary_timer_due",
    "bpmn_xsd",
    "cancel",
    "catch_message",
    "complete",
    "correct_data",
    "current_data",
    "display_name",
    "element_marks",
    "dmn_xsd",
    "find_task",
    "fire_timers",
    "form_of",
    "human_tasks",
    "is_human",
    "mutated_at_run_time",
    "new_parser",
    "new_workflow",
    "normalised_view",
    "occurrence",
    "ready_human",
    "parse_spec",
    "restore",
    "unpack",
    "run_engine",
    "spec_from_dict",
    "spec_to_dict",
    "status",
    "task_data",
    "task_is_ready_human",
    "task_spec_properties",
    "thrown_messages",
    "validation_details",
    "waiting_events",
]
