"""Sync with the address book and calendar people already use: contacts to a CardDAV address
book, follow-ups to a CalDAV calendar (Nextcloud, iCloud, Fastmail, Radicale, Baikal...).

Only standard HTTP is needed (requests): each item is one resource, written with ``PUT`` and
``If-None-Match: *`` (create) or ``If-Match: <the ETag last seen>`` (update), read with
``GET``. A server that answers 412 to an update holds a version changed since the last sync:
cardscan does not overwrite it, reports a conflict and keeps the server's version beside its
own (the review page shows both). What was sent is remembered (table ``synced``), so a second
sync sends only what changed. A follow-up completed in the calendar app comes back as done and
its next touch is planned.

Credentials come from ``CARDSCAN_DAV_USER`` / ``CARDSCAN_DAV_PASSWORD`` or the user's
``~/.netrc`` entry for the host, never from the command line or the database. HTTPS
certificates are verified.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import netrc
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlparse

import requests

from .config import Pipeline
from .errors import NotFoundError, StorageError, UsageError
from .store import Database, SyncState

TIMEOUT = 30  # seconds per request


@dataclass
class SyncReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    done_remotely: list[str] = field(default_factory=list)


class _Conflict(Exception):
    pass


class Dav:
    """One collection (an address book or a calendar) on a DAV server."""

    def __init__(self, url: str, env: Mapping[str, str] | None = None) -> None:
        self.url = url if url.endswith("/") else url + "/"
        parsed = urlparse(self.url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise UsageError(f"{url} is not an http(s) URL of an address book or calendar")
        self.session = requests.Session()
        self.session.auth = credentials(parsed.hostname, os.environ if env is None else env)

    def check(self) -> None:
        """The collection is there and the credentials open it (asked before anything
        changes on either side): PROPFIND of the collection itself, no body."""
        self._send("PROPFIND", self.url, headers={"Depth": "0"}, ok=(207,))

    def get(self, href: str) -> tuple[str, str | None] | None:
        response = self._send("GET", href, ok=(200, 404))
        if response.status_code == 404:
            return None
        return response.text, response.headers.get("ETag")

    def put(self, href: str, body: str, content_type: str, etag: str | None) -> str | None:
        """Create (``etag`` None: only if nothing is there) or update the item last seen
        with ``etag``; returns the new ETag. Raises _Conflict when the server's differs."""
        headers = {"Content-Type": f"{content_type}; charset=utf-8"}
        headers["If-Match" if etag else "If-None-Match"] = etag or "*"
        response = self._send("PUT", href, data=body.encode("utf-8"), headers=headers,
                              ok=(200, 201, 204, 412))
        if response.status_code == 412:
            raise _Conflict(href)
        return response.headers.get("ETag") or (self.get(href) or ("", None))[1]

    def _send(self, method: str, href: str, *, ok: tuple[int, ...] = (200, 204),
              **kwargs: Any) -> requests.Response:
        try:
            response = self.session.request(method, href, timeout=TIMEOUT, **kwargs)
        except requests.RequestException as e:
            raise StorageError(f"cannot reach {self.url}: {_reason(e)}") from None
        status = response.status_code
        if status in (401, 403):
            what = "wrong user or password" if status == 401 else "not allowed"
            raise UsageError(f"{self.url}: {what} ({status}); set CARDSCAN_DAV_USER and "
                             "CARDSCAN_DAV_PASSWORD (an app password) or a ~/.netrc entry for "
                             "the host")
        if status == 404 and 404 not in ok:
            raise NotFoundError(f"{self.url}: no such address book or calendar (404)")
        if status not in ok:
            raise StorageError(f"{self.url}: the server answered {status} "
                               f"{response.reason} to {method}")
        return response


def credentials(host: str, env: Mapping[str, str]) -> tuple[str, str] | None:
    if env.get("CARDSCAN_DAV_USER"):
        return env["CARDSCAN_DAV_USER"], env.get("CARDSCAN_DAV_PASSWORD", "")
    try:
        found = netrc.netrc().authenticators(host)
    except (OSError, netrc.NetrcParseError):
        return None
    return (found[0], found[2] or "") if found else None


def _reason(error: Exception) -> str:
    text = str(error)
    return "connection refused" if "refused" in text.lower() else text.splitlines()[0][:200]


def _digest(body: str) -> str:
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def sync_contacts(db: Database, url: str, *, dry_run: bool = False, keep_ours: bool = False,
                  env: Mapping[str, str] | None = None,
                  now: dt.datetime | None = None) -> SyncReport:
    """Push every contact as a vCard 3.0 (what every CardDAV server reads). ``keep_ours``:
    a contact in conflict (changed on the server since) is written over with cardscan's
    version, once a person has compared the two."""
    from .export.vcard import contact_uid, to_vcard

    dav = Dav(url, env)
    dav.check()
    report = SyncReport()
    with db.transaction() as tx:
        known = tx.synced(dav.url, "contact")
    identity = db.identity
    for contact in db.contacts():
        record = contact.json()
        body = to_vcard([record], version="3.0", namespace=identity)
        uid = contact_uid(record, namespace=identity).removeprefix("urn:uuid:")
        _push(db, dav, "contact", contact.id, contact.name or f"contact {contact.id}", body,
              "text/vcard", urljoin(dav.url, f"{uid}.vcf"), known.get(contact.id), report,
              dry_run=dry_run, now=now, keep_ours=keep_ours)
    return report


def sync_followups(db: Database, url: str, settings: Pipeline, *, as_event: bool = False,
                   dry_run: bool = False, env: Mapping[str, str] | None = None,
                   now: dt.datetime | None = None) -> SyncReport:
    """First take back what was completed in the calendar app (done, next touch planned),
    then push every open follow-up, and the closing of every one synced before."""
    from icalendar import Calendar

    from .export.ics import task_uid, tasks_ics
    from .followup import lifecycle

    dav = Dav(url, env)
    dav.check()
    report = SyncReport()
    with db.transaction() as tx:
        known = tx.synced(dav.url, "task")
    for task in db.tasks():  # open or snoozed here: completed there?
        state = known.get(task.id)
        remote = dav.get(state.href) if state else None
        if state is None or remote is None:
            continue
        items = Calendar.from_ical(remote[0]).walk("VTODO")
        if items and str(items[0].get("status", "")).upper() == "COMPLETED":
            completed = items[0].get("completed")
            on = completed.dt.date() if completed is not None else dt.date.today()
            report.done_remotely.append(f"task {task.id} ({task.contact_name})")
            if not dry_run:
                lifecycle.close_task(db, task.id, state="done", on=on,
                                     policy=settings.policy, outcome="done in the calendar")
                with db.transaction() as tx:  # the app's version is the one to update next
                    tx.record_sync(dav.url, "task", task.id,
                                   SyncState(state.href, remote[1], state.digest),
                                   now=now or dt.datetime.now())
    with db.transaction() as tx:
        known = tx.synced(dav.url, "task")
    identity = db.identity
    for task in db.tasks(states=None):
        if task.status not in ("open", "snoozed") and task.id not in known:
            continue  # closed before it was ever synced: nothing to tell the calendar
        body = tasks_ics([task.json()], settings.policy, now=now or dt.datetime.now(),
                         namespace=identity, as_todo=not as_event, stamp=False)
        href = urljoin(dav.url, task_uid(task.id, identity).replace("@", "-") + ".ics")
        _push(db, dav, "task", task.id, f"task {task.id} ({task.contact_name})",
              body.decode("utf-8"), "text/calendar", href, known.get(task.id), report,
              dry_run=dry_run, now=now)
    return report


def _push(db: Database, dav: Dav, kind: str, local_id: int, label: str, body: str,
          content_type: str, href: str, state: SyncState | None, report: SyncReport, *,
          dry_run: bool, now: dt.datetime | None, keep_ours: bool = False) -> None:
    digest = _digest(body)
    if state is not None and state.conflict is not None and keep_ours and not dry_run:
        remote = dav.get(state.href)  # the server's version as it is now: write over it
        state = SyncState(state.href, remote[1] if remote else None, "", None)
    if state is not None and state.digest == digest and state.conflict is None:
        report.unchanged += 1
        return
    (report.updated if state else report.created).append(label)
    if dry_run:
        return
    target = state.href if state else href
    try:
        etag = dav.put(target, body, content_type, state.etag if state else None)
        new = SyncState(target, etag, digest)
    except _Conflict:
        (report.updated if state else report.created).remove(label)
        report.conflicts.append(label)
        remote = dav.get(target)
        new = SyncState(target, state.etag if state else None,
                        state.digest if state else digest, remote[0] if remote else "")
    with db.transaction() as tx:
        tx.record_sync(dav.url, kind, local_id, new, now=now or dt.datetime.now())


def lines(report: SyncReport, what: str) -> Iterator[str]:
    for label in report.done_remotely:
        yield f"done in the calendar: {label}; its next touch is planned"
    for label in report.created:
        yield f"created: {label}"
    for label in report.updated:
        yield f"updated: {label}"
    for label in report.conflicts:
        yield (f"conflict: {label} was changed on the server since the last sync; kept both "
               "(not overwritten; see the review page)")
    yield (f"{what}: {len(report.created)} created, {len(report.updated)} updated, "
           f"{report.unchanged} unchanged, {len(report.conflicts)} conflict(s)")
