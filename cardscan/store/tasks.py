"""Follow-up tasks in the database: reading them, and the state changes the lifecycle asks for
(``followup.lifecycle`` decides what happens; this only stores it)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, aliased, selectinload

from ..errors import NotFoundError, UsageError
from ..model import ACTIVE, PlannedTask
from .convert import task_view
from .schema import ContactRow, NoteRow, TaskRow, insert_rows
from .search import search_conditions
from .views import DUE_GROUPS, TaskPage, TaskView, soonest_first


class TaskQueries:
    session: Session

    def tasks(self, *, due_by: dt.date | None = None, due_before: dt.date | None = None,
              states: Sequence[str] | None = ACTIVE, event: str | None = None,
              contact_id: int | None = None, note_id: int | None = None) -> list[TaskView]:
        """Tasks ordered by due date, then priority (high first); by default the ones still
        to do (open or snoozed)."""
        query = (select(TaskRow).join(TaskRow.contact).where(ContactRow.deleted_at.is_(None))
                 .options(selectinload(TaskRow.contact), selectinload(TaskRow.note)))
        if due_by is not None:
            query = query.where(TaskRow.due_on <= due_by)
        if due_before is not None:
            query = query.where(TaskRow.due_on < due_before)
        if states is not None:
            query = query.where(TaskRow.state.in_(states))
        if contact_id is not None:
            query = query.where(TaskRow.contact_id == contact_id)
        if note_id is not None:
            query = query.where(TaskRow.note_id == note_id)
        return soonest_first(map(task_view, self.session.scalars(query)), event)

    def task_page(self, *, due: str, today: dt.date, search: str = "",
                  event: str | None = None, page: int = 1, per_page: int = 50) -> TaskPage:
        """A page of the follow-ups still to do (open or snoozed) in one due group, soonest
        first, high priority first on a day; the database sorts and cuts it."""
        if due not in DUE_GROUPS:
            raise UsageError(f"due is one of {', '.join(DUE_GROUPS)}")
        week = today + dt.timedelta(days=7)
        groups = {"today": TaskRow.due_on <= today, "week": TaskRow.due_on <= week,
                  "overdue": TaskRow.due_on < today}
        meeting = aliased(NoteRow)  # the task's own (the search looks through every one)
        where: list[Any] = [TaskRow.state.in_(ACTIVE), ContactRow.deleted_at.is_(None),
                            *search_conditions(search)]
        if event:
            where.append(func.lower(meeting.event) == event.lower())
        base = (select(TaskRow.id).join(ContactRow, ContactRow.id == TaskRow.contact_id)
                .outerjoin(meeting, meeting.id == TaskRow.note_id).where(*where))
        counted = self.session.execute(base.with_only_columns(
            func.count(TaskRow.id),
            *(func.coalesce(func.sum(case((condition, 1), else_=0)), 0)
              for condition in groups.values()))).one()
        counts = {"all": int(counted[0]), **{g: int(n) for g, n in zip(groups, counted[1:],
                                                                        strict=True)}}
        if due in groups:
            base = base.where(groups[due])
        matching = counts[due]
        pages = max(1, -(-matching // max(1, per_page)))
        page = min(max(1, page), pages)
        ids = list(self.session.scalars(
            base.order_by(TaskRow.due_on, case((meeting.priority == "high", 0), else_=1),
                          TaskRow.id).offset((page - 1) * per_page).limit(per_page)))
        rows = {t.id: t for t in self.session.scalars(
            select(TaskRow).where(TaskRow.id.in_(ids)).options(
                selectinload(TaskRow.contact), selectinload(TaskRow.note)))}
        return TaskPage(tuple(task_view(rows[i]) for i in ids), due, matching, page, pages,
                        counts)

    def task(self, task_id: int) -> TaskView:
        return task_view(self._task_row(task_id))

    def _task_row(self, task_id: int) -> TaskRow:
        task = self.session.get(TaskRow, task_id)
        if task is None:
            raise NotFoundError(f"no task {task_id}; see cardscan tasks")
        return task

    def add_task(self, contact_id: int, note_id: int | None, planned: PlannedTask, *,
                 now: dt.datetime) -> int:
        """Store a planned touch; its id."""
        [task_id] = insert_rows(self.session, TaskRow, [dict(
            contact_id=contact_id, note_id=note_id, touch=planned.touch, channel=planned.channel,
            due_on=planned.due_on, draft=planned.draft, created_at=now,
            sequence=1)])  # the version counter's first value, as the ORM writes it
        return task_id

    def close_task(self, task_id: int, *, state: str, on: dt.date,
                   outcome: str | None = None) -> None:
        """An open or snoozed task is done, skipped or stopped on ``on``."""
        task = self._task_row(task_id)
        if task.state not in ACTIVE:
            raise UsageError(f"task {task_id} is already {task.state}")
        task.state, task.closed_on, task.outcome = state, on, outcome

    def update_task(self, task_id: int, *, draft: str | None = None, note_id: int | None = None,
                    due_on: dt.date | None = None) -> None:
        task = self._task_row(task_id)
        if draft is not None:
            task.draft = draft
        if note_id is not None:
            task.note_id = note_id
        if due_on is not None:
            task.due_on = due_on

    def snooze_task(self, task_id: int, until: dt.date) -> None:
        task = self._task_row(task_id)
        if task.state not in ACTIVE:
            raise UsageError(f"task {task_id} is {task.state}; only open tasks snooze")
        task.state, task.due_on = "snoozed", until

    def stop_contact(self, contact_id: int, *, on: dt.date, outcome: str | None = None) -> int:
        """End a contact's follow-up sequence (they replied, or it is not worth more)."""
        if self.session.get(ContactRow, contact_id) is None:
            raise NotFoundError(f"no contact {contact_id}; see cardscan contacts")
        tasks = self._active(contact_id)
        for task in tasks:
            task.state, task.closed_on, task.outcome = "stopped", on, outcome
        return len(tasks)

    def restart_plan(self, contact_id: int, note_id: int, tasks: Sequence[PlannedTask], *,
                     now: dt.datetime) -> None:
        """A newer meeting: the old sequence stops (kept as history), the new one starts."""
        for task in self._active(contact_id):
            task.state, task.closed_on, task.outcome = "stopped", now.date(), "met again"
        for planned in tasks:
            self.add_task(contact_id, note_id, planned, now=now)

    def _active(self, contact_id: int) -> list[TaskRow]:
        return list(self.session.scalars(select(TaskRow).where(
            TaskRow.contact_id == contact_id, TaskRow.state.in_(ACTIVE))))
