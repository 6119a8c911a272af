"""The dashboard's counts, kept by the steps (`engine.runtime.places`): where each instance is
counted, the villages per program, provinsi and place, and the open tasks per kabupaten/kota and
day due; and the inbox's open tasks per role, step, taken or not, day due and day created.
`models` imports these, so every table is known wherever the models are."""

from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.store.base import Base


class InstancePlace(Base):
    """Where the dashboard counts an instance (its place: a step process, "-" or finished), under
    its village's provinsi and kabupaten/kota; kept by the steps (`engine.runtime.places`)."""

    __tablename__ = "instance_place"
    instance_id: Mapped[int] = mapped_column(ForeignKey("instance.id"), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200))
    provinsi: Mapped[str] = mapped_column(String(200), default="")
    kabupaten: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(200))


class PlaceCount(Base):
    """Villages per program, provinsi and place: the sum of `n` over the slots. Connections add in
    slots of their own, so concurrent workers do not wait on one row; a slot's `n` may be negative."""

    __tablename__ = "place_count"
    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    provinsi: Mapped[str] = mapped_column(String(200), primary_key=True)
    place: Mapped[str] = mapped_column(String(200), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class OverdueCount(Base):
    """Open human tasks per kabupaten/kota and day due (UTC, `YYYY-MM-DD`), summed over the slots
    as in `PlaceCount`: the dashboard's overdue tasks are the days before today plus today's tasks
    due before now (read through `ix_human_task_due_at`)."""

    __tablename__ = "overdue_count"
    due_day: Mapped[str] = mapped_column(String(10), primary_key=True)  # first: read as a range
    kabupaten: Mapped[str] = mapped_column(String(200), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class TaskCount(Base):
    """Open human tasks that are not suspended, per role, step process, taken or not, day due ("" for
    none) and day created (UTC, `YYYY-MM-DD`), summed over the slots as in `PlaceCount`; kept by the
    steps (`engine.runtime.task_counts`) so an inbox with a national grant counts its tasks without
    reading them (`engine.views.inbox_counts`)."""

    __tablename__ = "task_count"
    role: Mapped[str] = mapped_column(String(200), primary_key=True)
    process_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    claimed: Mapped[bool] = mapped_column(Boolean, primary_key=True)
    due_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    created_day: Mapped[str] = mapped_column(String(10), primary_key=True)
    slot: Mapped[int] = mapped_column(Integer, primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)
