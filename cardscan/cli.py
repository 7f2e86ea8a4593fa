"""The ``cardscan`` command: parses arguments, resolves the settings once, calls the library,
and turns errors into the documented exit codes.

Heavy libraries (OpenCV, SQLAlchemy, Flask, the OCR engines) are imported inside the commands
that use them, so ``cardscan --help`` and ``--version`` start at once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import sys
import threading
import traceback
import uuid
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from functools import cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import __version__
from .config import CHANNELS, Pipeline, default_database, resolve
from .errors import (
    EXIT_MEANINGS,
    CardscanError,
    ExitCode,
    MissingDependencyError,
    NotFoundError,
    StorageError,
    UsageError,
    shown,
)

if TYPE_CHECKING:
    from rich.console import Console

    from .model import IngestResult
    from .pipeline import Context
    from .store import Database

log = logging.getLogger("cardscan")


@cache
def _console(stderr: bool) -> Console:
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True, highlight=False)


def say(message: str, *, style: str | None = None, prefix: str = "") -> None:
    """One line on stderr, printed literally (card text and paths are never Rich markup, and
    a file name that is not UTF-8 shows its bytes as \\xNN); ``prefix`` (``error:``) is shown
    in ``style``."""
    from rich.text import Text

    text = message.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    line = Text.assemble((prefix, style or ""), " " if prefix else "", text)
    _console(True).print(line)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _logging(args.verbose - args.quiet)
    try:
        return int(args.func(args) or 0)
    except CardscanError as e:
        say(str(e), prefix="error:", style="red")
        return int(e.exit_code)
    except KeyboardInterrupt:
        say("interrupted")
        return ExitCode.INTERRUPTED
    except BrokenPipeError:
        # The reader went away (`| head`): end quietly. Point stdout at /dev/null so that
        # Python's own flush at exit does not print a second error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return ExitCode.OUTPUT_CLOSED
    except Exception as e:  # a fault in cardscan: one line, the traceback in the log
        where = _log_traceback()
        log.debug("unexpected error", exc_info=True)
        say(f"internal error {type(e).__name__}: {e}. The traceback is in {where} (or run "
            "with -v); please report it.", prefix="error:", style="red")
        return ExitCode.UNEXPECTED


def _logging(verbosity: int) -> None:
    """-v: cardscan's own INFO lines; -vv: its DEBUG lines. Other libraries (PIL, nameparser,
    watchdog) stay at WARNING whatever the verbosity: their debug output is noise here."""
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    level = {1: logging.INFO}.get(verbosity, logging.DEBUG if verbosity > 1 else None)
    if verbosity < 0:
        level = logging.ERROR
    logging.getLogger("cardscan").setLevel(level or logging.WARNING)


def _log_traceback() -> Path | str:
    from platformdirs import user_log_path

    path = user_log_path("cardscan") / "cardscan.log"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as f:
            f.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} cardscan "
                    f"{__version__} {' '.join(sys.argv[1:])}\n{traceback.format_exc()}")
    except OSError:
        return "the output of -v"
    return path


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-14") from e


def _id(text: str) -> int:
    """A contact or task id: a positive whole number that a database can hold."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an id like 12") from None
    if not 1 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"{text} is not an id (1 to 2^63-1)")
    return value


def exit_code_table() -> str:
    return "\n".join(f"  {int(code):>3}  {EXIT_MEANINGS[code]}" for code in ExitCode)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="cardscan", formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Turn business-card images into contacts and a follow-up list.",
        epilog="settings: built-in defaults < --pipeline file < CARDSCAN_* environment < "
               "flags\n\nexit codes:\n" + exit_code_table())
    p.add_argument("--version", action="version", version=f"cardscan {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0,
                   help="more log output (-vv: debug)")
    p.add_argument("-q", "--quiet", action="count", default=0, help="less log output")
    sub = p.add_subparsers(required=True, metavar="COMMAND")
    for add in (_scan_commands, _batch_commands, _contact_commands, _task_commands,
                _export_commands, _tool_commands):
        add(sub)
    return p


def db_arg(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--db", metavar="URL", default=None, help=(
        f"SQLAlchemy database URL (default: $CARDSCAN_DB or {default_database()})"))


def pipeline_arg(cmd: argparse.ArgumentParser, help: str = "pipeline settings: a name from "
                 "pipelines/ or a .toml path") -> None:
    cmd.add_argument("--pipeline", metavar="NAME|FILE", help=help)


def debug_arg(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--debug-images", type=Path, metavar="DIR",
                     help="save every intermediate image here, named by step")


def meeting_args(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--met", type=_date, metavar="DATE",
                     help="date you met (YYYY-MM-DD) when the card's back does not say")
    cmd.add_argument("--event", metavar="NAME", help="where you met, e.g. 'Web Summit'")
    pipeline_arg(cmd)


def _scan_commands(sub: Any) -> None:
    s = sub.add_parser("scan", help="read one card and print it; stores nothing")
    s.add_argument("front", type=Path, metavar="FRONT")
    s.add_argument("--back", type=Path, metavar="BACK", help="image of the card's back")
    meeting_args(s)
    s.add_argument("--duplex", action="store_true",
                   help="FRONT's pages alternate front, back (a duplex scan)")
    s.add_argument("--card", type=int, default=1, metavar="N",
                   help="which card when the file holds several (pages, sheets); default 1")
    s.add_argument("--json", action="store_true", help="print one JSON object")
    debug_arg(s)
    s.set_defaults(func=cmd_scan)

    pa = sub.add_parser("parse", help="parse card text (no OCR) and print the fields")
    pa.add_argument("text_file", metavar="FILE", help="a text file, or - for standard input")
    pipeline_arg(pa)
    pa.add_argument("--json", action="store_true", help="print one JSON object")
    pa.set_defaults(func=cmd_parse)


def _batch_commands(sub: Any) -> None:
    b = sub.add_parser("batch", help="ingest image files and folders into the database")
    b.add_argument("paths", type=Path, nargs="+", metavar="PATH")
    db_arg(b)
    meeting_args(b)
    b.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                   help="Tesseract processes in parallel (default: one per CPU)")
    b.add_argument("--dry-run", action="store_true",
                   help="list what would be read, skipped or set aside; read and store nothing")
    b.add_argument("--duplex", action="store_true", help=(
        "sides alternate front, back: the pages of each file, or the files of each folder "
        "in name order (a sheet-fed duplex scanner's output)"))
    b.add_argument("--cluster", metavar="ADDRESS",
                   default=os.environ.get("CARDSCAN_DASK_SCHEDULER"), help=(
                       "read on a Dask cluster (tcp://HOST:8786; default: "
                       "$CARDSCAN_DASK_SCHEDULER); this machine still stores every card"))
    debug_arg(b)
    b.set_defaults(func=cmd_batch)

    w = sub.add_parser("watch", help="read cards dropped into a folder, as they arrive")
    w.add_argument("inbox", type=Path, metavar="DIR")
    db_arg(w)
    meeting_args(w)
    w.add_argument("--polling", action="store_true",
                   help="look at the folder every second instead of OS file events "
                        "(network shares, some sync tools)")
    w.add_argument("--once", action="store_true",
                   help="read what is in the folder now, then exit")
    w.add_argument("--settle", type=float, default=2.0, metavar="SECONDS",
                   help="a file is read once its size and time stay the same this long (2)")
    w.add_argument("--back-wait", type=float, default=30.0, metavar="SECONDS",
                   help="how long x_front waits for x_back to arrive, and vice versa (30)")
    w.set_defaults(func=cmd_watch)

    at = sub.add_parser("attach", help="attach a stored back (no front was found) to a contact")
    at.add_argument("back", type=Path, metavar="BACK", help="the back's image file")
    at.add_argument("--to", type=_id, required=True, metavar="CONTACT_ID")
    db_arg(at)
    meeting_args(at)
    at.set_defaults(func=cmd_attach)


def _contact_commands(sub: Any) -> None:
    rv = sub.add_parser("review", help="check and correct cards and work the follow-ups in "
                                       "your browser (a local web app)")
    db_arg(rv)
    rv.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: this computer only)")
    rv.add_argument("--port", type=int, default=8765,
                    help="port to listen on (default 8765; 0 picks a free one)")
    pipeline_arg(rv, "settings: the follow-up policy and the phone region")
    rv.add_argument("--set-password", action="store_true",
                    help="set the password the review page asks for when it listens on "
                         "anything but 127.0.0.1 (read from the terminal, or one line of "
                         "standard input), then exit")
    rv.add_argument("--behind-proxy", action="store_true",
                    help="trust one reverse proxy's X-Forwarded-Proto/-Host headers (HTTPS "
                         "there makes the sign-in cookie Secure)")
    rv.add_argument("--bench", type=int, metavar="N",
                    help="seed N generated contacts into a throwaway database, time the "
                         "queue, a card page and the follow-ups page, and exit")
    rv.set_defaults(func=cmd_review)

    c = sub.add_parser("contacts", help="list stored contacts")
    db_arg(c)
    c.add_argument("--json", action="store_true", help="print a JSON list")
    c.set_defaults(func=cmd_contacts)

    co = sub.add_parser("consent", help="record whether a contact agreed to marketing e-mail")
    co.add_argument("contact", type=_id, metavar="CONTACT")
    co.add_argument("answer", choices=("yes", "no"))
    db_arg(co)
    co.set_defaults(func=cmd_consent)


def _task_commands(sub: Any) -> None:
    t = sub.add_parser("tasks", help="list the follow-ups still to do, soonest first")
    db_arg(t)
    t.add_argument("--due", choices=("today", "week", "overdue", "all"), default="all", help=(
        "today: due today or earlier; week: within 7 days; overdue: before today"))
    t.add_argument("--event", metavar="NAME", help="only contacts met at this event")
    t.add_argument("--json", action="store_true", help="print a JSON list")
    t.set_defaults(func=cmd_tasks)

    d = sub.add_parser("done", help="mark a follow-up done; the next touch is planned")
    d.add_argument("task", type=_id, metavar="TASK")
    d.add_argument("--note", metavar="TEXT", help="what happened (kept with the task)")
    d.add_argument("--on", type=_date, metavar="DATE", help="when (default: today)")
    d.add_argument("--replied", action="store_true",
                   help="they replied: end the sequence instead of planning the next touch")
    db_arg(d)
    pipeline_arg(d, "the follow-up policy to plan with")
    d.set_defaults(func=cmd_done)

    sk = sub.add_parser("skip", help="skip a follow-up; the next touch is planned")
    sk.add_argument("task", type=_id, metavar="TASK")
    sk.add_argument("--note", metavar="TEXT")
    db_arg(sk)
    pipeline_arg(sk, "the follow-up policy to plan with")
    sk.set_defaults(func=cmd_skip)

    sn = sub.add_parser("snooze", help="move a follow-up to a later date")
    sn.add_argument("task", type=_id, metavar="TASK")
    sn.add_argument("--until", type=_date, required=True, metavar="DATE")
    db_arg(sn)
    sn.set_defaults(func=cmd_snooze)

    st = sub.add_parser("stop", help="end a contact's follow-ups (they replied, or enough)")
    st.add_argument("contact", type=_id, metavar="CONTACT")
    st.add_argument("--note", metavar="TEXT")
    db_arg(st)
    st.set_defaults(func=cmd_stop)

    dr = sub.add_parser("draft", help="print a follow-up's message")
    dr.add_argument("task", type=_id, metavar="TASK")
    dr.add_argument("--channel", choices=CHANNELS, help=(
        "write it for another channel (e.g. linkedin: a connection note of at most 300 "
        "characters; letter: a handwritten card)"))
    db_arg(dr)
    pipeline_arg(dr)
    dr.set_defaults(func=cmd_draft)

    ev = sub.add_parser("event", help="events you go to: their follow-up time goes on the "
                                      "calendar before the cards are in")
    evsub = ev.add_subparsers(required=True, metavar="ACTION")
    ea = evsub.add_parser("add", help="record an event (again: new dates for it)")
    ea.add_argument("name", metavar="NAME")
    ea.add_argument("--on", type=_date, required=True, metavar="DATE", help="its (first) day")
    ea.add_argument("--until", type=_date, metavar="DATE", help="its last day (default: --on)")
    db_arg(ea)
    ea.set_defaults(func=cmd_event_add)
    el = evsub.add_parser("list", help="the recorded events, with the cards met at each")
    el.add_argument("--json", action="store_true", help="print a JSON list")
    db_arg(el)
    el.set_defaults(func=cmd_event_list)

    rp = sub.add_parser("report", help="per event: cards, reviewed, first touches within 48 "
                                       "hours, later touches, replies")
    rp.add_argument("--event", metavar="NAME", help="only this event")
    rp.add_argument("--json", action="store_true", help="print JSON")
    db_arg(rp)
    pipeline_arg(rp, "settings: the follow-up policy the 48 hours are counted by")
    rp.set_defaults(func=cmd_report)


def _export_commands(sub: Any) -> None:
    from .export.crm import FORMATS  # the column lists only; no CSV is written here

    e = sub.add_parser("export", help="export contacts")
    esub = e.add_subparsers(required=True, metavar="FORMAT")

    def selection_args(cmd: argparse.ArgumentParser) -> None:
        db_arg(cmd)
        cmd.add_argument("--event", metavar="NAME", help="only contacts met at this event")
        cmd.add_argument("--since", type=_date, metavar="DATE",
                         help="only contacts stored or met on or after DATE")
        cmd.add_argument("--new", action="store_true", help=(
            "only contacts not exported in this format before (a weekly export never "
            "duplicates records in the CRM)"))
        cmd.add_argument("--reviewed-only", action="store_true",
                         help="only contacts a person has confirmed (cardscan review)")
        cmd.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")

    csv_cmd = esub.add_parser("csv", help="CSV for Google, Outlook, HubSpot, Salesforce or any "
                                          "spreadsheet (UTF-8)")
    csv_cmd.add_argument("--format", choices=FORMATS, default="generic", help=(
        "column layout: the one each CRM's import maps without manual mapping; generic has "
        "every field (default)"))
    csv_cmd.add_argument("--excel", action="store_true",
                         help="start with a byte-order mark so Excel opens it as UTF-8")
    selection_args(csv_cmd)
    csv_cmd.set_defaults(func=cmd_export_csv)
    vcf_cmd = esub.add_parser("vcard", help="vCard (.vcf) for address books and CRMs")
    vcf_cmd.add_argument("--version", choices=("4", "3"), default="4", dest="vcard_version",
                         help="vCard 4.0 (default) or 3.0 (older address books)")
    vcf_cmd.add_argument("--photo", action="store_true",
                         help="a small JPEG of the card's front in each vCard (PHOTO)")
    selection_args(vcf_cmd)
    vcf_cmd.set_defaults(func=cmd_export_vcard)
    ics_cmd = esub.add_parser("ics", help="follow-ups as calendar events or to-dos "
                              "(iCalendar)")
    db_arg(ics_cmd)
    ics_cmd.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    ics_cmd.add_argument("--as", dest="kind", choices=("event", "todo"), default="event",
                         help="calendar events (default) or to-dos (VTODO) for task apps")
    ics_cmd.add_argument("--include-closed", action="store_true", help=(
        "also the done, skipped and stopped follow-ups, as cancelled events or completed "
        "to-dos, so that importing again clears them from the calendar"))
    pipeline_arg(ics_cmd, "calendar_time, calendar_minutes, calendar_timezone and "
                 "calendar_alarm_minutes come from its [followup]")
    ics_cmd.set_defaults(func=cmd_export_ics)
    sheet = esub.add_parser("sheet", help="a printable PDF of an event's cards, front and "
                                          "back side by side")
    sheet.add_argument("--event", metavar="NAME", required=True)
    sheet.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    db_arg(sheet)
    sheet.set_defaults(func=cmd_export_sheet)
    labels = esub.add_parser("labels", help="address labels (CSV) for the handwritten-note "
                                            "follow-ups")
    labels.add_argument("--excel", action="store_true", help="start with a BOM (Excel)")
    labels.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    db_arg(labels)
    labels.set_defaults(func=cmd_export_labels)


def _tool_commands(sub: Any) -> None:
    be = sub.add_parser("bench", help="measure accuracy and speed on labelled card sets")
    be.add_argument("folders", type=Path, nargs="+", metavar="DIR")
    pipeline_arg(be)
    be.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    be.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    be.set_defaults(func=cmd_bench)

    sy = sub.add_parser("sync", help="push contacts to a CardDAV address book, follow-ups to "
                        "a CalDAV calendar (and take back what was done there)")
    sysub = sy.add_subparsers(required=True, metavar="WHAT")
    for what, helptext in (("contacts", "contacts as vCards to an address book"),
                           ("followups", "follow-ups as to-dos or events to a calendar")):
        one = sysub.add_parser(what, help=helptext)
        one.add_argument("url", nargs="?", metavar="URL", help=(
            f"the collection's URL (default: [sync] {what} of the pipeline)"))
        one.add_argument("--dry-run", action="store_true",
                         help="list what would be created or updated; change nothing")
        if what == "followups":
            one.add_argument("--as", dest="kind", choices=("todo", "event"), default=None)
        else:
            one.add_argument("--keep-ours", action="store_true", help=(
                "write cardscan's version over contacts in conflict (changed on the server "
                "since the last sync), once you have compared them in the review page"))
        db_arg(one)
        pipeline_arg(one)
        one.set_defaults(func=cmd_sync, what=what)

    dbp = sub.add_parser("db", help="the database's schema: check it, upgrade it")
    dbsub = dbp.add_subparsers(required=True, metavar="ACTION")
    up = dbsub.add_parser("upgrade", help="move the database to this cardscan's schema "
                          "(back it up first; SQLite files are upgraded on open anyway)")
    db_arg(up)
    up.set_defaults(func=cmd_db_upgrade)
    ck = dbsub.add_parser("check", help="say whether the database is current (exit 0) or "
                          "needs `cardscan db upgrade` (exit 5)")
    db_arg(ck)
    ck.set_defaults(func=cmd_db_check)


# --- settings and the database ---------------------------------------------------------------

def cmd_sync(args: argparse.Namespace) -> int:
    from . import sync

    settings = settings_of(args)
    url = args.url or getattr(settings.sync, args.what)
    if not url:
        raise UsageError(f"give the {args.what} collection's URL, or set [sync] {args.what} "
                         "in the pipeline file")
    db = required_db(settings)
    if args.what == "contacts":
        report = sync.sync_contacts(db, url, dry_run=args.dry_run, keep_ours=args.keep_ours)
    else:
        as_event = (args.kind or settings.sync.followups_as) == "event"
        report = sync.sync_followups(db, url, settings, as_event=as_event,
                                     dry_run=args.dry_run)
    where = "dry run, nothing sent" if args.dry_run else url
    for line in sync.lines(report, f"{args.what} ({where})"):
        say(line, prefix="warning:" if line.startswith("conflict") else "",
            style="yellow" if line.startswith("conflict") else None)
    return ExitCode.OK


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from .store import SCHEMA_REVISION, Database, schema_state

    settings = settings_of(args)
    url = settings.storage.database
    try:
        before = schema_state(url)
    except NotFoundError:  # a SQLite file not made yet: made now
        before = None
    db = Database(url, store=_store_dir(settings), busy_seconds=settings.storage.busy_seconds,
                  upgrade=True)
    if before is not None and before.current:
        say(f"database {db.safe_url} is current (schema revision {SCHEMA_REVISION})")
    else:
        was = before.describe() if before is not None else "new"
        say(f"database {db.safe_url}: {was} -> schema revision {SCHEMA_REVISION}")
    return ExitCode.OK


def cmd_db_check(args: argparse.Namespace) -> int:
    from .store import SCHEMA_REVISION, schema_state, shown_url

    url = settings_of(args).storage.database
    found = schema_state(url)
    if found.current:
        say(f"database {shown_url(url)} is current (schema revision {SCHEMA_REVISION})")
        return ExitCode.OK
    say(f"database {shown_url(url)} is {found.describe()}; this cardscan needs revision "
        f"{SCHEMA_REVISION}: run `cardscan db upgrade`", prefix="error:", style="red")
    return ExitCode.STORAGE



def settings_of(args: argparse.Namespace) -> Pipeline:
    """The run's settings, resolved once: defaults < pipeline file < CARDSCAN_* < flags."""
    return resolve(getattr(args, "pipeline", None),
                   flags={"storage.database": getattr(args, "db", None)})


def _store_dir(settings: Pipeline) -> Path | None:
    return Path(settings.storage.store).expanduser() if settings.storage.store else None


def open_db(settings: Pipeline) -> Database:
    """The database, created when it is not there yet (commands that store cards)."""
    from .store import Database

    return Database(settings.storage.database, store=_store_dir(settings),
                    busy_seconds=settings.storage.busy_seconds)


def existing_db(settings: Pipeline) -> Database | None:
    """The database if it exists: read-only commands never create one."""
    from .store import Database

    return Database.existing(settings.storage.database, store=_store_dir(settings),
                             busy_seconds=settings.storage.busy_seconds)


def required_db(settings: Pipeline) -> Database:
    db = existing_db(settings)
    if db is None:
        raise NotFoundError(f"no database at {settings.storage.database} yet; store cards "
                            "first with cardscan batch, or give --db")
    return db


def _context(args: argparse.Namespace, settings: Pipeline) -> Context:
    from .pipeline import Context

    return Context(pipeline=settings, today=dt.date.today(), met=getattr(args, "met", None),
                   event=getattr(args, "event", None),
                   debug_dir=getattr(args, "debug_images", None))


def _check_engines(settings: Pipeline) -> None:
    """Tesseract and its language packs, before any file is read (else every file fails)."""
    from .read.engines import check_engines

    check_engines(settings.ocr, orient=settings.preprocess.orient)


# --- reading cards ---------------------------------------------------------------------------

def cmd_scan(args: argparse.Namespace) -> int:
    from .intake.pairing import Job
    from .pipeline import card_json, scan

    settings = settings_of(args)
    cards = scan(Job(args.front, args.back, duplex=args.duplex), _context(args, settings))
    if not 1 <= args.card <= len(cards):
        raise UsageError(f"{args.front} holds {len(cards)} card(s); --card {args.card} is not "
                         "one of them")
    if len(cards) > 1:
        say(f"{args.front} holds {len(cards)} cards; showing card {args.card} (choose with "
            "--card N; `cardscan batch` stores them all)")
    card = cards[args.card - 1]
    record = card_json(card)
    if args.json:
        _print_json(record)
    else:
        _print_contacts([record])
    for warning in card.warnings:
        say(warning, prefix="warning:", style="yellow")
    return ExitCode.OK


def cmd_parse(args: argparse.Namespace) -> int:
    from .model import Note, OcrResult, contact_record
    from .parse import parse_front

    try:
        text = (sys.stdin.read() if args.text_file == "-"
                else Path(args.text_file).read_text("utf-8"))
    except (OSError, UnicodeDecodeError) as e:
        raise UsageError(f"{args.text_file}: cannot read it as UTF-8 text ({e})") from e
    settings = settings_of(args)
    fields = parse_front(OcrResult.from_text(text),
                         default_region=settings.parse.default_region)
    record = contact_record(fields, Note(), met_on=None, event=None)
    if args.json:
        _print_json(record)
    else:
        _print_contacts([record])
    return ExitCode.OK


def cmd_batch(args: argparse.Namespace) -> int:
    from .intake.pairing import collect_jobs

    settings = settings_of(args)
    missing = [p for p in args.paths if not p.exists()]
    jobs = collect_jobs([p for p in args.paths if p.exists()], duplex=args.duplex)
    for path in missing:
        say(f"{path}: no such file or folder", prefix="error:", style="red")
    if not jobs:
        say("no card images found in " + ", ".join(map(str, args.paths)), prefix="error:",
            style="red")
        return ExitCode.BAD_INPUT
    if args.dry_run:
        return _dry_run(jobs, settings) or (ExitCode.BAD_INPUT if missing else ExitCode.OK)
    _check_engines(settings)
    db = open_db(settings)
    counts, failures = _run_batch(jobs, db, _context(args, settings), args.workers,
                                  cluster=args.cluster)
    _summary(counts, failures)
    from .model import Status

    summary = ", ".join(f"{counts[s.value]} {s.value.replace('_', ' ')}" for s in Status)
    say(f"{len(jobs)} file(s): {summary}. Database: {db.safe_url}")
    bad = (counts[Status.FAILED.value] + counts[Status.NO_TEXT.value]
           + counts[Status.UNPAIRED.value] + len(missing))
    if counts[Status.NOT_STORED.value]:
        say(f"{counts[Status.NOT_STORED.value]} file(s) read but not stored (see above); "
            "run the batch again once the database or disk is fixed")
        return ExitCode.STORAGE
    if bad:
        say(f"{bad} file(s) set aside; see the errors above")
        return ExitCode.BAD_INPUT
    return ExitCode.OK


def _run_batch(jobs: list[Any], db: Database, ctx: Context, workers: int, *,
               cluster: str | None = None) -> tuple[Counter[str], list[str]]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from .model import Status
    from .pipeline import ingest_many, warm
    from .workers import WorkerPool

    counts: Counter[str] = Counter()
    failures: list[str] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("ETA"),
               TimeRemainingColumn())
    pool: Any
    if cluster:
        try:
            from .cluster import ClusterPool
        except ImportError:
            raise MissingDependencyError("--cluster needs Dask on this machine and the "
                                         "workers: pip install 'cardscan[cluster]'") from None
        pool = ClusterPool(cluster, ctx.pipeline)
        label = f"cards ({pool.workers} Dask workers)"
        say(f"reading on the Dask cluster at {cluster}: {pool.workers} worker thread(s)")
    else:
        # A long batch loads RapidOCR in each worker before its first card, so the ETA holds
        # from the start; a short one leaves it to the first card that needs it (1.2 s).
        pool = WorkerPool(workers, memory_mb=ctx.pipeline.limits.worker_memory_mb,
                          prepare=partial(warm, ctx.pipeline,
                                          every_engine=len(jobs) >= 10 * workers))
        label = "cards"
    # The parent plans each card's first touch: it loads the holidays and templates while the
    # workers load their engines, not on the first card.
    from .followup.lifecycle import warm as warm_planner

    threading.Thread(target=warm_planner, args=(ctx.pipeline.policy,), daemon=True).start()
    try:
        with Progress(*columns, console=_console(True), transient=True) as progress:
            bar = progress.add_task(label, total=len(jobs), rate="")
            seen: set[Path] = set()
            for result in ingest_many(jobs, db, ctx, executor=pool):
                counts[result.status.value] += 1
                if result.status in (Status.FAILED, Status.NO_TEXT, Status.NOT_STORED):
                    failures.append(result.message)
                _report(result)
                if result.path not in seen:
                    seen.add(result.path)
                    progress.advance(bar)
                    elapsed = progress.tasks[0].elapsed or 0.0
                    progress.update(bar, rate=f"{len(seen) / elapsed:.2f} cards/s"
                                    if elapsed else "")
    finally:
        # Interrupted: the cards being read finish, the queued ones are dropped (what was
        # committed stays; a re-run reads the rest).
        pool.shutdown(wait=True, cancel_futures=True)
    return counts, failures


def _summary(counts: Counter[str], failures: list[str]) -> None:
    from rich.table import Table

    from .model import Status

    table = Table(title="batch summary", show_header=True)
    table.add_column("outcome")
    table.add_column("cards", justify="right")
    for status in Status:
        if counts[status.value]:
            table.add_row(status.value.replace("_", " "), str(counts[status.value]))
    _console(True).print(table)
    for reason in failures:
        say(reason, prefix="  failed:")


def _dry_run(jobs: list[Any], settings: Pipeline) -> int:
    """What a batch would do, without OCR and without writing anything."""
    from rich.table import Table
    from rich.text import Text

    from .intake.pairing import is_back_only
    from .read.loading import read_card_image

    db = existing_db(settings)
    table = Table(title=f"dry run: {len(jobs)} file(s), nothing read or stored")
    for col in ("front", "back", "would be"):
        table.add_column(col, overflow="fold")
    bad = 0
    for job in jobs:
        try:
            image = read_card_image(job.front)
            if job.back:
                read_card_image(job.back)
            action = ("skipped: already stored" if db and db.has_scan(image.sha256)
                      else "kept as a back without its front" if is_back_only(job)
                      else "read and stored")
        except CardscanError as e:
            bad += 1
            action = f"set aside: {e}"
        table.add_row(Text(str(job.front)), Text(str(job.back or "")), Text(action))
    _console(False).print(table)
    return ExitCode.BAD_INPUT if bad else ExitCode.OK


def cmd_watch(args: argparse.Namespace) -> int:
    import signal

    from .intake.watch import OutsideInbox, Watcher, WatchSettings

    settings = settings_of(args)
    if not args.inbox.is_dir():
        raise UsageError(f"{args.inbox} is not a folder; give the inbox folder to watch")
    _check_engines(settings)
    db = open_db(settings)
    try:
        watcher = Watcher(args.inbox, db, _context(args, settings), WatchSettings(
            settle=args.settle, back_wait=args.back_wait, polling=args.polling),
            report=lambda line: say(line))
    except OutsideInbox as e:
        raise UsageError(str(e)) from e
    folders = ", ".join(f"{p}/" for p in watcher.inbox.outcomes.values())
    say(f"watching {watcher.inbox.folder} (files end in {folders}); database {db.safe_url}. "
        "Ctrl+C to stop.")

    def finish(signum: int, _frame: object) -> None:
        say("stopping after the current card...")
        watcher.stop.set()

    signal.signal(signal.SIGINT, finish)
    signal.signal(signal.SIGTERM, finish)
    moved = watcher.run(once=args.once)
    say(f"stopped; {moved} file(s) moved out of the inbox")
    if args.once and watcher.not_stored:
        say(f"{watcher.not_stored} file(s) left in the inbox: they could not be stored (see "
            "above)")
        return ExitCode.STORAGE
    return ExitCode.OK


def cmd_attach(args: argparse.Namespace) -> int:
    from .pipeline import attach_back

    settings = settings_of(args)
    note_id = attach_back(args.back, args.to, required_db(settings), _context(args, settings))
    say(f"attached {args.back} to contact {args.to} (note {note_id})")
    return ExitCode.OK


def _report(result: IngestResult) -> None:
    from .model import Status

    if result.status in (Status.FAILED, Status.NO_TEXT, Status.NOT_STORED):
        say(result.message, prefix="error:", style="red")
    elif result.status in (Status.UNPAIRED, Status.ATTACHED):
        say(result.message, prefix="note:", style="yellow")
    else:
        back = f" + {result.back.name}" if result.back else ""
        part = f" (card {result.part + 1})" if result.part else ""
        say(f"{result.status.value}: {shown(result.path)}{back}{part}")


# --- contacts ---------------------------------------------------------------------------------

def cmd_review(args: argparse.Namespace) -> int:
    from .intake.upload import Uploads
    from .review import serve  # Flask is imported only for this command

    if args.bench:
        from .review.loadtest import run

        run(args.bench, say=lambda line: print(line, flush=True))
        return ExitCode.OK
    settings = settings_of(args)
    db = open_db(settings)
    if args.set_password:
        return _set_password(db)

    def ready(url: str) -> None:
        print(f"cardscan review: {url}", flush=True)
        say("open that address in your browser; Ctrl+C stops")

    try:
        serve(db, settings, host=args.host, port=args.port, on_ready=ready,
              ingest=Uploads(db, settings).ingest, behind_proxy=args.behind_proxy)
    except KeyboardInterrupt:  # Ctrl+C is how the review app is stopped
        say("stopped")
    return ExitCode.OK


def _set_password(db: Database) -> int:
    import getpass

    from .review import auth

    if sys.stdin.isatty():
        password = getpass.getpass("review password: ")
        if getpass.getpass("again: ") != password:
            raise UsageError("the two passwords differ; nothing was changed")
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    auth.set_password(db, password)
    say(f"password set for the review page of {db.safe_url} (asked for on any address but "
        "127.0.0.1)")
    return ExitCode.OK


def cmd_contacts(args: argparse.Namespace) -> int:
    db = existing_db(settings_of(args))
    contacts = [c.json() for c in (db.contacts() if db else [])]
    if args.json:
        _print_json(contacts)
    else:
        _print_contacts(contacts)
    return ExitCode.OK


def _print_contacts(contacts: list[dict[str, Any]]) -> None:
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{len(contacts)} contact(s)")
    for col in ("name", "title", "company", "phones", "emails", "met", "event"):
        table.add_column(col)
    for c in contacts:
        phones = "\n".join(f"{p['number']} ({p['type']})" for p in c["phones"])
        cells = (c["name"] or "?", c["title"] or "", c["company"] or "", phones,
                 "\n".join(c["emails"]), c["met_on"] or "", c["event"] or "")
        table.add_row(*(Text(cell) for cell in cells))  # card text is never markup
    _console(False).print(table)


def cmd_consent(args: argparse.Namespace) -> int:
    with required_db(settings_of(args)).transaction() as tx:
        tx.set_consent(args.contact, args.answer == "yes")
    say(f"contact {args.contact}: marketing consent {args.answer}")
    return ExitCode.OK


# --- follow-ups -------------------------------------------------------------------------------

def cmd_tasks(args: argparse.Namespace) -> int:
    today = dt.date.today()
    due_by = {"today": today, "week": today + dt.timedelta(days=7)}.get(args.due)
    from .store.quick import read_tasks

    settings = settings_of(args)
    filters: dict[str, Any] = dict(event=args.event, due_by=due_by,
                                   due_before=today if args.due == "overdue" else None)
    # A SQLite file at this revision is read without SQLAlchemy (0.1 s instead of 0.5 s).
    found = read_tasks(settings.storage.database, busy_seconds=settings.storage.busy_seconds,
                       **filters)
    if found is None:
        db = existing_db(settings)
        found = db.tasks(**filters) if db else []
    tasks = [t.json() for t in found]
    if args.json:
        _print_json(tasks)
        return ExitCode.OK
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"{len(tasks)} follow-up(s) to do")
    for col in ("id", "due", "contact", "touch", "draft"):
        table.add_column(col, overflow="fold")
    for t in tasks:
        when = dt.date.fromisoformat(t["due"])
        due = Text(f"{t['due']} {when:%a}")
        if when < today:
            due.append(" overdue", style="red")
        if t["priority"] == "high":
            due.append(" !", style="bold")
        who = f"{t['contact_name'] or '?'}" + (f" ({t['company']})" if t["company"] else "")
        table.add_row(str(t["id"]), due, Text(who), f"{t['touch']} {t['channel']}",
                      Text(t["draft"]))
    _console(False).print(table)
    return ExitCode.OK


def cmd_done(args: argparse.Namespace) -> int:
    return _close(args, "stopped" if args.replied else "done", args.on or dt.date.today())


def cmd_skip(args: argparse.Namespace) -> int:
    return _close(args, "skipped", dt.date.today())


def _close(args: argparse.Namespace, state: str, on: dt.date) -> int:
    from .followup import lifecycle

    settings = settings_of(args)
    planned = lifecycle.close_task(required_db(settings), args.task, state=state, on=on,
                                   outcome=args.note, policy=settings.policy)
    word = {"done": "done", "skipped": "skipped", "stopped": "done; follow-ups stopped"}[state]
    say(f"task {args.task} {word}.")
    if planned is not None:
        say(f"next: touch {planned.touch} ({planned.channel}) due {planned.due_on:%a %Y-%m-%d}")
    elif state != "stopped":
        say("that was the last touch; the sequence has ended.")
    return ExitCode.OK


def cmd_snooze(args: argparse.Namespace) -> int:
    with required_db(settings_of(args)).transaction() as tx:
        tx.snooze_task(args.task, args.until)
    say(f"task {args.task} snoozed until {args.until:%a %Y-%m-%d}")
    return ExitCode.OK


def cmd_stop(args: argparse.Namespace) -> int:
    with required_db(settings_of(args)).transaction() as tx:
        count = tx.stop_contact(args.contact, on=dt.date.today(), outcome=args.note)
    say(f"contact {args.contact}: {count} follow-up(s) stopped")
    return ExitCode.OK


def cmd_draft(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    db = required_db(settings)
    if args.channel:
        from .followup import lifecycle

        print(lifecycle.draft_for(db, args.task, args.channel, settings.policy))
        return ExitCode.OK
    with db.transaction() as tx:
        draft = tx.task(args.task).draft
    print(draft)
    return ExitCode.OK


def cmd_event_add(args: argparse.Namespace) -> int:
    until = args.until or args.on
    if until < args.on:
        raise UsageError(f"--until {until} is before --on {args.on}")
    name = " ".join(args.name.split())
    if not name:
        raise UsageError("give the event a name")
    from .followup.planner import event_block_days

    settings = settings_of(args)
    with open_db(settings).transaction() as tx:
        event = tx.record_event(name, args.on, until, now=dt.datetime.now())
    days = ", ".join(f"{d:%a %Y-%m-%d}" for d in event_block_days(event.ends_on,
                                                                  settings.policy))
    say(f"event {event.name}: {event.starts_on} to {event.ends_on}; follow-up time on {days} "
        "(cardscan export ics)")
    return ExitCode.OK


def cmd_event_list(args: argparse.Namespace) -> int:
    db = existing_db(settings_of(args))
    events = []
    if db is not None:
        with db.transaction() as tx:
            events = tx.recorded_events()
    if args.json:
        _print_json([e.json() for e in events])
        return ExitCode.OK
    for e in events:
        span = str(e.starts_on) + (f" to {e.ends_on}" if e.ends_on != e.starts_on else "")
        print(f"{e.name}\t{span}\t{e.cards} card{'s' if e.cards != 1 else ''}")
    if not events:
        say("no events yet: cardscan event add NAME --on DATE")
    return ExitCode.OK


def cmd_report(args: argparse.Namespace) -> int:
    from .followup.report import figures

    settings = settings_of(args)
    db = existing_db(settings)
    history, recorded = [], []
    if db is not None:
        with db.transaction() as tx:
            history = tx.history(args.event)
            recorded = [e.name for e in tx.recorded_events()
                        if args.event is None or e.name.casefold() == args.event.casefold()]
    rows = figures(history, settings.policy, events=recorded)
    if args.json:
        _print_json([r.json() for r in rows])
        return ExitCode.OK
    from rich.table import Table
    from rich.text import Text

    table = Table(title="follow-ups per event (48 h: first touch done by the day it was due)")
    for column in ("event", "cards", "reviewed", "first touch", "within 48 h", "later",
                   "replied", "stopped"):
        table.add_column(column, justify="left" if column == "event" else "right")
    for r in rows:
        table.add_row(Text(r.event), str(r.cards), str(r.reviewed), str(r.first_touch_done),
                      f"{r.within_48h} ({r.share_48h:.0%})", str(r.later_touches_done),
                      str(r.replied), str(r.stopped))
    _console(False).print(table)
    return ExitCode.OK


# --- exports ----------------------------------------------------------------------------------

def cmd_export_ics(args: argparse.Namespace) -> int:
    from .export.ics import tasks_ics
    from .model import ACTIVE

    settings = settings_of(args)
    db = existing_db(settings)
    tasks = [t.json() for t in (db.tasks(states=None if args.include_closed else ACTIVE)
                                if db else [])]
    events = []
    if db is not None:
        with db.transaction() as tx:
            events = tx.recorded_events()
    data = tasks_ics(tasks, settings.policy, now=dt.datetime.now(),
                     namespace=db.identity if db else uuid.uuid4(), as_todo=args.kind == "todo",
                     events=events)
    _write_output(args.output, data)
    if args.output:
        say(f"wrote {len(tasks)} follow-up(s) to {args.output}")
    return ExitCode.OK


def cmd_export_sheet(args: argparse.Namespace) -> int:
    from .export.sheet import event_sheet
    from .review.actions import sheet_cards

    db = required_db(settings_of(args))
    cards = sheet_cards(db, args.event)
    if not cards:
        raise NotFoundError(f"no cards met at {args.event!r}; see cardscan event list")
    part = args.output.with_name(args.output.name + ".part")
    try:
        pages = event_sheet(cards, part, event=args.event)
        part.replace(args.output)
    except OSError as e:
        part.unlink(missing_ok=True)
        raise UsageError(f"cannot write {args.output}: {e.strerror or e}") from e
    say(f"wrote {len(cards)} card(s) of {args.event} on {pages} page(s) to {args.output}")
    return ExitCode.OK


def cmd_export_labels(args: argparse.Namespace) -> int:
    from .export.crm import labels_csv

    db = existing_db(settings_of(args))
    tasks = [t.json() for t in db.tasks()] if db else []
    data = labels_csv(tasks, excel=args.excel)
    _write_output(args.output, data.encode("utf-8"))
    if args.output:
        count = sum(t["channel"] == "letter" for t in tasks)
        say(f"wrote {count} label(s) to {args.output}")
    return ExitCode.OK


def cmd_export_csv(args: argparse.Namespace) -> int:
    from .export import to_csv

    return _export(args, args.format, lambda chosen: to_csv(chosen, args.format,
                                                            excel=args.excel))


def cmd_export_vcard(args: argparse.Namespace) -> int:
    from .export.photos import card_photos
    from .export.vcard import to_vcard

    version = f"{args.vcard_version}.0"
    db = existing_db(settings_of(args))
    namespace = db.identity if db else uuid.uuid4()
    photos = card_photos(db) if args.photo and db else {}
    return _export(args, f"vcard{args.vcard_version}",
                   lambda chosen: to_vcard(chosen, version=version, namespace=namespace,
                                           photos=photos))


def _export(args: argparse.Namespace, fmt: str,
            write: Callable[[list[Mapping[str, Any]]], str]) -> int:
    """Choose the contacts, write them, and only once the whole output is written remember
    them for ``--new`` (a cut pipe or a full disk marks nothing)."""
    from .export import select

    db = existing_db(settings_of(args))
    if args.new and db is not None and db.readonly:
        raise StorageError(f"{db.safe_url} is read-only: --new cannot record what it exports; "
                           "export without --new")
    contacts = [c.json() for c in db.contacts()] if db else []
    chosen = select(contacts, event=args.event, since=args.since,
                    reviewed_only=args.reviewed_only,
                    leave_out=_exported(db, fmt) if args.new and db else ())
    _write_output(args.output, write(chosen).encode("utf-8"))
    if args.output:
        say(f"wrote {len(chosen)} contact(s) to {args.output}")
    if db is not None and chosen and not db.readonly:  # read-only: --new was refused above
        with db.transaction() as tx:
            tx.mark_exported([c["id"] for c in chosen], fmt, now=dt.datetime.now())
    return ExitCode.OK


def _exported(db: Database, fmt: str) -> set[int]:
    with db.transaction() as tx:
        return tx.exported(fmt)


def _write_output(path: Path | None, data: bytes) -> None:
    """Write ``data`` to stdout, or to ``path`` through a temporary file renamed when whole."""
    if path is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    part = path.with_name(path.name + ".part")
    try:
        part.write_bytes(data)
        part.replace(path)
    except OSError as e:
        part.unlink(missing_ok=True)
        raise UsageError(f"cannot write {path}: {e.strerror or e}") from e


def _print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(value, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


# --- tools ------------------------------------------------------------------------------------

def cmd_bench(args: argparse.Namespace) -> int:
    from concurrent.futures import ProcessPoolExecutor

    from . import bench

    settings = settings_of(args)
    workers = max(1, args.workers)
    with ProcessPoolExecutor(max_workers=workers) as pool:
        # Models loaded before the first card, as in a batch: the first set's per-card times
        # carried the loading (samples' clean scans: parse 0.17 s a card on average).
        list(pool.map(bench.warm_worker, [settings] * workers))
        reports = bench.run(args.folders, settings, pool)
    for report in reports:
        print(f"\n## {report.name} ({report.kind})\n", flush=True)
        print("\n".join(report.lines), flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({r.name: r.summary for r in reports}, indent=2),
                             encoding="utf-8")
    return ExitCode.OK
