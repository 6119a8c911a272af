"""The API clients of the crash test: people completing the open tasks of their villages.

Each client owns some demo villages (no two clients share one), lists their open tasks with the
admin's token and completes each with the token of the staff member of the task's role, with
the answers the demo gives (the program's demo stories, valid for every form). A connection that
fails (the server was killed) is retried with the same data until the server answers; a 409
"already completed" after such a failure is the answer to the earlier request (it was applied,
its reply lost). What every client was told is kept for the checks.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from engine.views import queries
from tests import model_desa_program as program

from .procs import call


@dataclass
class Village:
    code: str
    name: str
    kabupaten: str
    story: Any  # the program's demo story of this village
    seen: Counter[str]  # completions per BPMN id so far (the demo's answers depend on it)

    def actor(self, role: str) -> str:
        """Who does a task of this role here: the staff member the demo gives it to."""
        return str(self.story.actor(role))


@dataclass
class Told:
    """What the clients were told, per task id."""

    acknowledged: dict[str, str] = field(default_factory=dict)  # task id -> actor (a 2xx reply)
    confirmed: dict[str, str] = field(default_factory=dict)  # 409 "already completed" after a lost reply
    conflicts: list[str] = field(default_factory=list)  # other 409s (the task changed meanwhile)
    gone: int = 0  # 404: the task closed meanwhile (a timer, an interrupting event)
    refused: list[str] = field(default_factory=list)  # 4xx/5xx that valid data should never get
    connection_failures: int = 0
    cut_off: int = 0  # completions whose connection broke after they reached the server
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)


class Client(threading.Thread):
    def __init__(
        self,
        name: str,
        port: int,
        villages: list[Village],
        tokens: dict[str, str],
        told: Told,
        stop: threading.Event,
        give_up_at: float,
    ) -> None:
        super().__init__(name=name, daemon=True)
        self.port, self.villages, self.tokens, self.told = port, villages, tokens, told
        self.stop, self.give_up_at = stop, give_up_at
        self.skip: set[str] = set()  # tasks refused once: not sent again
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            while not self.stop.is_set():
                if not any([self.serve(village) for village in self.villages]):
                    time.sleep(0.2)
        except BaseException as err:  # reported by the test
            self.failure = err

    def request(self, method: str, path: str, token: str, body: Any = None) -> Any:
        """One request, retried after connection failures until the server answers (or time is
        up); with whether a try was cut off after it reached the server (its reply lost)."""
        cut = False
        while True:
            with self.told.lock:
                self.told.requests += 1
            try:
                return call(self.port, method, path, token, body), cut
            except OSError as err:
                reached = not isinstance(err, ConnectionRefusedError)
                cut = cut or reached
                with self.told.lock:
                    self.told.connection_failures += 1
                    self.told.cut_off += reached and method == "POST"
                if time.monotonic() > self.give_up_at:
                    raise TimeoutError(f"{method} {path}: the server did not come back") from None
                time.sleep(0.05)

    def serve(self, village: Village) -> bool:
        """Complete every open task of one village once; True if there was any."""
        if self.stop.is_set():
            return False
        reply, _ = self.request("GET", f"/api/v1/tasks?village={village.code}", self.tokens["admin"])
        if reply.status != 200:
            self.refuse(f"listing {village.code}: {reply.status} {reply.body}")
            return False
        rows = [queries.TaskRow.from_json(row) for row in reply.body["tasks"]]
        work = [row for row in rows if row.id not in self.skip]
        for row in work:
            self.complete(village, row)
        return bool(work)

    def complete(self, village: Village, task: queries.TaskRow) -> None:
        actor = village.actor(task.role)
        data = program.task_data(task, village.story, dict(village.seen))
        path = f"/api/v1/tasks/{task.id}/complete"
        reply, lost_reply = self.request("POST", path, self.tokens[actor], data)
        message = (
            reply.body["error"]["message"] if reply.status >= 400 and isinstance(reply.body, dict) else ""
        )
        with self.told.lock:
            if reply.status == 200:
                self.told.acknowledged[task.id] = actor
            elif reply.status == 409 and "already completed" in message:
                if not lost_reply:
                    self.told.refused.append(f"{task.id}: completed by someone else: {message}")
                self.told.confirmed[task.id] = actor
            elif reply.status == 409:
                self.told.conflicts.append(message)
                return
            elif reply.status == 404:
                self.told.gone += 1
                return
            else:
                self.told.refused.append(f"{task.bpmn_id} {task.id}: {reply.status} {reply.body}")
                self.skip.add(task.id)
                return
        village.seen[task.bpmn_id] += 1

    def refuse(self, what: str) -> None:
        with self.told.lock:
            self.told.refused.append(what)
