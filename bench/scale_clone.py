"""Instances for bench/scale.py's national rollout: templates played, then cloned.

Instances: playing 84,000 villages step by step through the engine would take hours, so a few
*template* villages are played through the engine (`engine.demo.play`, each with its own story,
so they stand at different points of the five steps), and their stored rows are cloned into the
other villages: the instance header, every task row (on its own or in a finished subprocess's
packed row, packed again for each clone), the projections (human tasks, timers, waiting
messages) and the audit events. Every SpiffWorkflow task uuid is replaced by a
fresh one (in the header, the task rows, the projections and the events alike), the staff named
in the history become the clone village's own, and each clone's events are chained again with
their own hashes (instance id, task ids, actors, previous hash). A clone is therefore an
instance like any other: `engine.verify` checks its chain and replays it, and the engine runs it
on. Rows go in with COPY on PostgreSQL and executemany on SQLite, a few hundred instances per
transaction; the dashboard's counts (which the steps keep) are made once, after the last.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import text

from bench import model_desa as demo
from bench.scale_load import FLUSH, SEP, UUID, Progress, Writer, actor, fix_sequences, staff_of
from engine import clock
from engine.core import Engine, decode, encode
from engine.directory import access
from engine.directory.kemendagri import OfficialVillage
from engine.runtime.projections import HUMAN_TASK_COLUMNS
from engine.spiff import packing
from engine.spiff.ledger_entry import StoredTask
from engine.store.models import Village


@dataclass
class Template:
    """One instance played through the engine, its stored rows ready to be cloned."""

    label: str
    instance_id: int
    village: str
    instance: dict[str, Any]
    header: str
    tasks: list[tuple[int, str, str, str]]  # ord, task_id, workflow, body
    packed: list[bool]  # per task: whether its row is in its subprocess's packed row
    human: list[dict[str, Any]]
    timers: list[dict[str, Any]]
    messages: list[dict[str, Any]]
    events: list[dict[str, Any]]
    parts: list[str] = field(default_factory=list)  # the joined texts between the uuids
    uuids: list[int] = field(default_factory=list)  # per uuid position: index into the distinct ones
    distinct: int = 0

    def prepare(self) -> None:
        texts = [self.header]
        texts += [t for _, task_id, workflow, body in self.tasks for t in (task_id, workflow, body)]
        texts += (
            [r["id"] for r in self.human] + [r["id"] for r in self.timers] + [r["id"] for r in self.messages]
        )
        texts += [t for e in self.events for t in (e["task_id"] or "", e["data_text"])]
        split = UUID.split(SEP.join(texts))
        found = UUID.findall(SEP.join(texts))
        index: dict[str, int] = {}
        self.parts = split
        self.uuids = [index.setdefault(u, len(index)) for u in found]
        self.distinct = len(index)


TIME_COLUMNS = ("created_at", "updated_at", "due_at", "engine_time", "wall_time")


def _dt(value: Any) -> Any:
    """A timestamp as read back raw (SQLite gives text): an aware datetime in UTC."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return clock.as_utc(value) if isinstance(value, datetime) else value


def capture(engine: Engine, instance_id: int, label: str) -> Template:
    with engine.db.engine.connect() as conn:

        def rows(sql: str) -> list[dict[str, Any]]:
            found = [dict(r._mapping) for r in conn.execute(text(sql), {"id": instance_id})]
            for row in found:
                for column in TIME_COLUMNS:
                    if column in row:
                        row[column] = _dt(row[column])
            return found

        inst = rows("SELECT * FROM instance WHERE id = :id")[0]
        tasks = [
            (r["ord"], r["task_id"], r["workflow"], r["body"], False)
            for r in rows("SELECT ord, task_id, workflow, body FROM instance_task WHERE instance_id = :id")
        ]
        for r in rows("SELECT workflow, body FROM instance_packed WHERE instance_id = :id"):
            tasks += [
                (entry.ord, task_id, entry.workflow, entry.body, True)
                for task_id, entry in packing.unpack(r["workflow"], bytes(r["body"]))
            ]
        tasks.sort()
        events = rows(
            "SELECT seq, type, actor, task_id, bpmn_id, data, engine_time, wall_time "
            "FROM audit_event WHERE instance_id = :id ORDER BY seq"
        )
        for e in events:
            data = json.loads(e["data"]) if isinstance(e["data"], str) else e["data"]
            e["data_text"] = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        found = Template(
            label,
            instance_id,
            inst["village_code"],
            inst,
            decode(bytes(inst["header"])),
            [task[:4] for task in tasks],
            [task[4] for task in tasks],
            rows("SELECT * FROM human_task WHERE instance_id = :id"),
            rows("SELECT * FROM timer WHERE instance_id = :id"),
            rows("SELECT * FROM waiting_message WHERE instance_id = :id"),
            events,
        )
    found.prepare()
    return found


def fresh_uuids(count: int) -> list[str]:
    h = os.urandom(16 * count).hex()
    return [
        f"{h[i : i + 8]}-{h[i + 8 : i + 12]}-4{h[i + 13 : i + 16]}-a{h[i + 17 : i + 20]}-{h[i + 20 : i + 32]}"
        for i in range(0, 32 * count, 32)
    ]


def _js(value: str | None) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _iso(value: datetime) -> str:
    return clock.as_utc(value).isoformat()


INSTANCE_COLUMNS = (
    "id",
    "process_version_id",
    "process_id",
    "village_code",
    "status",
    "revision",
    "header",
    "last_seq",
    "last_hash",
    "started_by",
    "created_at",
    "updated_at",
)
HUMAN_COLUMNS = HUMAN_TASK_COLUMNS
EVENT_COLUMNS = (
    "instance_id",
    "seq",
    "type",
    "actor",
    "task_id",
    "bpmn_id",
    "data",
    "engine_time",
    "wall_time",
    "prev_hash",
    "hash",
)


class Cloner:
    """Writes clones of templates into villages, with fresh ids, uuids, staff and hash chains."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.writer = Writer(engine)
        with engine.db.engine.connect() as conn:
            self.next_id = (
                int(conn.execute(text("SELECT COALESCE(MAX(id), 0) FROM instance")).scalar() or 0) + 1
            )
        self.pending = 0
        self.checked: set[int] = set()

    def clone(self, tpl: Template, code: str) -> int:
        new = fresh_uuids(tpl.distinct)
        pieces = [""] * (2 * len(tpl.uuids) + 1)
        pieces[0::2] = tpl.parts
        pieces[1::2] = [new[i] for i in tpl.uuids]
        texts = iter("".join(pieces).split(SEP))
        instance_id, self.next_id = self.next_id, self.next_id + 1
        kab = access.kabupaten_code_of(code)
        names = dict(zip(staff_of(tpl.village).values(), staff_of(code).values(), strict=True))
        w, inst = self.writer, tpl.instance
        header = next(texts)
        tasks = [(ord_, next(texts), next(texts), next(texts)) for ord_, _, _, _ in tpl.tasks]
        human_ids = [next(texts) for _ in tpl.human]
        timer_ids = [next(texts) for _ in tpl.timers]
        message_ids = [next(texts) for _ in tpl.messages]
        prev = "0" * 64
        events = []
        for e in tpl.events:
            task_id, data_text = next(texts) or None, next(texts)
            who = names.get(e["actor"], e["actor"])
            body = (
                f'{{"actor":{_js(who)},"bpmn_id":{_js(e["bpmn_id"])},"data":{data_text},'
                f'"engine_time":"{_iso(e["engine_time"])}","instance":{instance_id},"prev":"{prev}",'
                f'"seq":{e["seq"]},"task_id":{_js(task_id)},"type":{_js(e["type"])},'
                f'"wall_time":"{_iso(e["wall_time"])}"}}'
            )
            digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
            events.append((e, task_id, who, data_text, prev, digest))
            prev = digest
        if tpl.instance_id not in self.checked:  # the hand-built canonical JSON is audit's own
            self._check(events, instance_id)
            self.checked.add(tpl.instance_id)
        started_by = names.get(inst["started_by"], inst["started_by"])
        w.add(
            "instance",
            INSTANCE_COLUMNS,
            (
                instance_id,
                inst["process_version_id"],
                inst["process_id"],
                code,
                inst["status"],
                inst["revision"],
                encode(header),
                inst["last_seq"],
                prev,
                started_by,
                w.ts(inst["created_at"]),
                w.ts(inst["updated_at"]),
            ),
        )
        packs: dict[str, list[tuple[str, StoredTask]]] = {}
        for (ord_, task_id, workflow, body), in_pack in zip(tasks, tpl.packed, strict=True):
            if in_pack:
                packs.setdefault(workflow, []).append((task_id, StoredTask(0.0, None, workflow, ord_, body)))
                continue
            w.add(
                "instance_task",
                ("instance_id", "ord", "task_id", "workflow", "body"),
                (instance_id, ord_, task_id, workflow, body),
            )
        for workflow, entries in packs.items():
            w.add(
                "instance_packed",
                ("instance_id", "workflow", "body"),
                (instance_id, workflow, packing.pack(entries)),
            )
        for row, new_id in zip(tpl.human, human_ids, strict=True):
            w.add(
                "human_task",
                HUMAN_COLUMNS,
                (
                    new_id,
                    instance_id,
                    code,
                    kab,
                    row["process_id"],
                    row["bpmn_id"],
                    row["name"],
                    row["role"],
                    row["form"],
                    w.ts(row["created_at"]),
                    w.ts(row["due_at"]),
                    names.get(row["claimed_by"] or "", row["claimed_by"]),
                    bool(row["suspended"]),
                ),
            )
        for row, new_id in zip(tpl.timers, timer_ids, strict=True):
            w.add(
                "timer",
                ("id", "instance_id", "bpmn_id", "name", "due_at", "suspended"),
                (
                    new_id,
                    instance_id,
                    row["bpmn_id"],
                    row["name"],
                    w.ts(row["due_at"]),
                    bool(row["suspended"]),
                ),
            )
        for row, new_id in zip(tpl.messages, message_ids, strict=True):
            w.add(
                "waiting_message",
                ("id", "instance_id", "village_code", "name", "bpmn_id"),
                (new_id, instance_id, code, row["name"], row["bpmn_id"]),
            )
        for e, task_id, who, data_text, prev_hash, digest in events:
            w.add(
                "audit_event",
                EVENT_COLUMNS,
                (
                    instance_id,
                    e["seq"],
                    e["type"],
                    who,
                    task_id,
                    e["bpmn_id"],
                    data_text,
                    w.ts(e["engine_time"]),
                    w.ts(e["wall_time"]),
                    prev_hash,
                    digest,
                ),
            )
        self.pending += 1
        if self.pending >= FLUSH:
            self.flush()
        return instance_id

    def _check(self, events: list[tuple[Any, ...]], instance_id: int) -> None:
        from engine.runtime import audit

        for e, task_id, who, data_text, prev_hash, digest in events:
            body = audit._body(
                instance_id,
                e["seq"],
                e["type"],
                who,
                task_id,
                e["bpmn_id"],
                json.loads(data_text),
                e["engine_time"],
                e["wall_time"],
                prev_hash,
            )
            assert hashlib.sha256(audit.canonical(body)).hexdigest() == digest, (
                "clone hash differs from audit's"
            )

    def flush(self) -> None:
        self.writer.flush()
        self.pending = 0

    def finish(self) -> None:
        self.flush()
        fix_sequences(self.engine)
        # The dashboard's counts, which the steps keep, counted once for all the clones.
        from engine.runtime import place_check

        with self.engine.db.engine.begin() as connection:
            place_check.repair(connection)


def play_templates(
    engine: Engine, plays: list[tuple[str, OfficialVillage, demo.Story, datetime]]
) -> list[Template]:
    """Play each (label, village, story, today) through the engine and capture its rows."""
    found = []
    progress = Progress("templates through the engine", len(plays))
    for done, (label, official, story, today) in enumerate(plays, start=1):
        with engine.db.sessions() as session:
            village = session.get(Village, official.code)
            assert village is not None
            session.expunge(village)
        demo.play(engine, village, story, today, actor=actor)
        with engine.db.engine.connect() as conn:
            instance_id = int(
                conn.execute(
                    text("SELECT MAX(id) FROM instance WHERE village_code = :c"), {"c": official.code}
                ).scalar_one()
            )
        found.append(capture(engine, instance_id, label))
        progress(done)
    engine.workflows.clear()
    return found


def clone_all(
    engine: Engine, assignments: Iterator[tuple[Template, str]], total: int, label: str
) -> dict[str, list[int]]:
    """Clone each (template, village code); returns the new instance ids per template label."""
    cloner = Cloner(engine)
    progress = Progress(label, total)
    made: dict[str, list[int]] = {}
    for done, (tpl, code) in enumerate(assignments, start=1):
        made.setdefault(tpl.label, []).append(cloner.clone(tpl, code))
        progress(done)
    cloner.finish()
    return made
