"""The ``cardscan`` command: parses arguments, calls the library, turns errors into exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import logging
import os
import signal
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from rich.text import Text

from . import __version__, bench, export, ics, vcard
from .config import load_pipeline
from .db import Database, default_url
from .errors import CardscanError, ExitCode
from .loading import read_card_image
from .model import IngestResult, Note, OcrResult, Status, contact_record
from .pairing import collect_jobs, is_back_only
from .parse import parse_front
from .pipeline import Context, Job, attach_back, card_json, close_task, ingest_many, scan
from .watch import Watcher, WatchSettings

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING - 10 * args.verbose + 10 * args.quiet,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except CardscanError as e:
        err.print(f"[red]error:[/red] {e}", highlight=False, markup=True)
        return e.exit_code
    except KeyboardInterrupt:
        err.print("interrupted")
        return 130


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as e:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date like 2026-11-14") from e


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="cardscan", description=(
        "Turn business-card images into contacts and a follow-up list."))
    p.add_argument("--version", action="version", version=f"cardscan {__version__}")
    p.add_argument("-v", "--verbose", action="count", default=0, help="more log output")
    p.add_argument("-q", "--quiet", action="count", default=0, help="less log output")
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    def db_arg(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--db", metavar="URL", default=None, help=(
            f"SQLAlchemy database URL (default: $CARDSCAN_DB or {default_url()})"))

    def debug_arg(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--debug-images", type=Path, metavar="DIR",
                         help="save every intermediate image here, named by step")

    def meeting_args(cmd: argparse.ArgumentParser) -> None:
        cmd.add_argument("--met", type=_date, metavar="DATE",
                         help="date you met (YYYY-MM-DD) when the card's back does not say")
        cmd.add_argument("--event", metavar="NAME", help="where you met, e.g. 'Web Summit'")
        cmd.add_argument("--pipeline", metavar="NAME|FILE",
                         help="pipeline settings: a name from pipelines/ or a .toml path")

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

    rv = sub.add_parser("review", help="check and correct cards and work the follow-ups in "
                                       "your browser (a local web app)")
    db_arg(rv)
    rv.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: this computer only)")
    rv.add_argument("--port", type=int, default=8765,
                    help="port to listen on (default 8765; 0 picks a free one)")
    rv.add_argument("--pipeline", metavar="NAME|FILE",
                    help="the follow-up policy that plans the next touch")
    rv.set_defaults(func=cmd_review)

    c = sub.add_parser("contacts", help="list stored contacts")
    db_arg(c)
    c.add_argument("--json", action="store_true", help="print a JSON list")
    c.set_defaults(func=cmd_contacts)

    t = sub.add_parser("tasks", help="list the follow-ups still to do, soonest first")
    db_arg(t)
    t.add_argument("--due", choices=("today", "week", "overdue", "all"), default="all", help=(
        "today: due today or earlier; week: within 7 days; overdue: before today"))
    t.add_argument("--event", metavar="NAME", help="only contacts met at this event")
    t.add_argument("--json", action="store_true", help="print a JSON list")
    t.set_defaults(func=cmd_tasks)

    d = sub.add_parser("done", help="mark a follow-up done; the next touch is planned")
    d.add_argument("task", type=int, metavar="TASK")
    d.add_argument("--note", metavar="TEXT", help="what happened (kept with the task)")
    d.add_argument("--on", type=_date, metavar="DATE", help="when (default: today)")
    d.add_argument("--replied", action="store_true",
                   help="they replied: end the sequence instead of planning the next touch")
    db_arg(d)
    d.add_argument("--pipeline", metavar="NAME|FILE", help="the follow-up policy to plan with")
    d.set_defaults(func=cmd_done)

    sk = sub.add_parser("skip", help="skip a follow-up; the next touch is planned")
    sk.add_argument("task", type=int, metavar="TASK")
    sk.add_argument("--note", metavar="TEXT")
    db_arg(sk)
    sk.add_argument("--pipeline", metavar="NAME|FILE")
    sk.set_defaults(func=cmd_skip)

    sn = sub.add_parser("snooze", help="move a follow-up to a later date")
    sn.add_argument("task", type=int, metavar="TASK")
    sn.add_argument("--until", type=_date, required=True, metavar="DATE")
    db_arg(sn)
    sn.set_defaults(func=cmd_snooze)

    st = sub.add_parser("stop", help="end a contact's follow-ups (they replied, or enough)")
    st.add_argument("contact", type=int, metavar="CONTACT")
    st.add_argument("--note", metavar="TEXT")
    db_arg(st)
    st.set_defaults(func=cmd_stop)

    dr = sub.add_parser("draft", help="print a follow-up's message")
    dr.add_argument("task", type=int, metavar="TASK")
    db_arg(dr)
    dr.set_defaults(func=cmd_draft)

    co = sub.add_parser("consent", help="record whether a contact agreed to marketing e-mail")
    co.add_argument("contact", type=int, metavar="CONTACT")
    co.add_argument("answer", choices=("yes", "no"))
    db_arg(co)
    co.set_defaults(func=cmd_consent)

    at = sub.add_parser("attach", help="attach a stored back (no front was found) to a contact")
    at.add_argument("back", type=Path, metavar="BACK", help="the back's image file")
    at.add_argument("--to", type=int, required=True, metavar="CONTACT_ID")
    db_arg(at)
    meeting_args(at)
    at.set_defaults(func=cmd_attach)

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
    csv_cmd.add_argument("--format", choices=export.FORMATS, default="generic", help=(
        "column layout: the one each CRM's import maps without manual mapping; generic has "
        "every field (default)"))
    csv_cmd.add_argument("--excel", action="store_true",
                         help="start with a byte-order mark so Excel opens it as UTF-8")
    selection_args(csv_cmd)
    csv_cmd.set_defaults(func=cmd_export_csv)
    vcf_cmd = esub.add_parser("vcard", help="vCard (.vcf) for address books and CRMs")
    vcf_cmd.add_argument("--version", choices=("4", "3"), default="4", dest="vcard_version",
                         help="vCard 4.0 (default) or 3.0 (older address books)")
    selection_args(vcf_cmd)
    vcf_cmd.set_defaults(func=cmd_export_vcard)
    ics_cmd = esub.add_parser("ics", help="open follow-ups as calendar events (iCalendar)")
    db_arg(ics_cmd)
    ics_cmd.add_argument("-o", "--output", type=Path, help="file to write (default: stdout)")
    ics_cmd.add_argument("--pipeline", metavar="NAME|FILE",
                         help="calendar_time and calendar_minutes come from its [followup]")
    ics_cmd.set_defaults(func=cmd_export_ics)

    pa = sub.add_parser("parse", help="parse card text (no OCR) and print the fields")
    pa.add_argument("text_file", metavar="FILE", help="a text file, or - for standard input")
    pa.add_argument("--pipeline", metavar="NAME|FILE")
    pa.add_argument("--json", action="store_true", help="print one JSON object")
    pa.set_defaults(func=cmd_parse)

    be = sub.add_parser("bench", help="measure accuracy and speed on labelled card sets")
    be.add_argument("folders", type=Path, nargs="+", metavar="DIR")
    be.add_argument("--pipeline", metavar="NAME|FILE")
    be.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    be.add_argument("--json", type=Path, metavar="FILE", help="also write the figures as JSON")
    be.set_defaults(func=cmd_bench)
    return p


def _context(args: argparse.Namespace) -> Context:
    return Context(pipeline=load_pipeline(args.pipeline), today=dt.date.today(),
                   met=args.met, event=args.event, debug_dir=getattr(args, "debug_images", None))


def cmd_scan(args: argparse.Namespace) -> int:
    cards = scan(Job(args.front, args.back, duplex=args.duplex), _context(args))
    if not 1 <= args.card <= len(cards):
        err.print(f"error: {args.front} holds {len(cards)} card(s); --card {args.card} "
                  "is not one of them", highlight=False)
        return ExitCode.USAGE
    if len(cards) > 1:
        err.print(f"{args.front} holds {len(cards)} cards; showing card {args.card} "
                  "(choose with --card N; `cardscan batch` stores them all)", highlight=False)
    card = cards[args.card - 1]
    record = card_json(card)
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        _print_contacts([record])
    for warning in card.warnings:
        err.print(f"warning: {warning}", highlight=False)
    return ExitCode.OK


def cmd_batch(args: argparse.Namespace) -> int:
    ctx = _context(args)
    jobs = collect_jobs(args.paths, duplex=args.duplex)
    if not jobs:
        err.print("no card images found in " + ", ".join(map(str, args.paths)))
        return ExitCode.SOME_FILES_FAILED
    if args.dry_run:
        return _dry_run(jobs, args.db)
    db = Database(args.db)
    counts: Counter[str] = Counter()
    failures: list[str] = []
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               _Rate(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn())
    with (ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool,
          Progress(*columns, console=err, transient=True) as progress):
        bar = progress.add_task("cards", total=len(jobs))
        seen: set[Path] = set()
        for result in ingest_many(jobs, db, ctx, executor=pool):
            counts[result.status.value] += 1
            if result.status in (Status.FAILED, Status.NO_TEXT):
                failures.append(result.message)
            _report(result)
            if result.path not in seen:
                seen.add(result.path)
                progress.advance(bar)
    _summary(counts, failures)
    summary = ", ".join(f"{counts[s.value]} {s.value.replace('_', ' ')}" for s in Status)
    err.print(f"{len(jobs)} file(s): {summary}. Database: {db.safe_url}", highlight=False)
    bad = (counts[Status.FAILED.value] + counts[Status.NO_TEXT.value]
           + counts[Status.UNPAIRED.value])
    if bad:
        err.print(f"{bad} file(s) set aside; see the errors above", highlight=False)
        return ExitCode.SOME_FILES_FAILED
    return ExitCode.OK


class _Rate(ProgressColumn):
    """Cards per second so far."""

    def render(self, task: Any) -> Text:
        elapsed = task.elapsed or 0.0
        rate = task.completed / elapsed if elapsed > 0 else 0.0
        return Text(f"{rate:.2f} cards/s")


def _summary(counts: Counter[str], failures: list[str]) -> None:
    table = Table(title="batch summary", show_header=True)
    table.add_column("outcome")
    table.add_column("cards", justify="right")
    for status in Status:
        if counts[status.value]:
            table.add_row(status.value.replace("_", " "), str(counts[status.value]))
    err.print(table)
    for reason in failures:
        err.print(f"  failed: {reason}", highlight=False, markup=False)


def _dry_run(jobs: list[Job], url: str | None) -> int:
    """What a batch would do, without OCR and without writing anything."""
    db = Database.if_exists(url)
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
        table.add_row(str(job.front), str(job.back or ""), escape(action))
    out.print(table)
    return ExitCode.SOME_FILES_FAILED if bad else ExitCode.OK


def cmd_watch(args: argparse.Namespace) -> int:
    ctx = _context(args)
    db = Database(args.db)
    try:
        watcher = Watcher(args.inbox, db, ctx, WatchSettings(
            settle=args.settle, back_wait=args.back_wait, polling=args.polling),
            report=lambda line: err.print(line, highlight=False, markup=False))
    except FileNotFoundError as e:
        err.print(f"error: {e}", highlight=False)
        return ExitCode.USAGE
    folders = ", ".join(f"{p}/" for p in watcher.inbox.outcomes.values())
    err.print(f"watching {watcher.inbox.folder} (files end in {folders}); "
              f"database {db.safe_url}. Ctrl+C to stop.", highlight=False)

    def finish(signum: int, _frame: object) -> None:
        err.print("stopping after the current card...", highlight=False)
        watcher.stop.set()

    signal.signal(signal.SIGINT, finish)
    signal.signal(signal.SIGTERM, finish)
    moved = watcher.run(once=args.once)
    err.print(f"stopped; {moved} file(s) moved out of the inbox", highlight=False)
    return ExitCode.OK


def cmd_review(args: argparse.Namespace) -> int:
    from .review import serve  # Flask is imported only for this command

    def ready(url: str) -> None:
        print(f"cardscan review: {url}", flush=True)
        err.print("open that address in your browser; Ctrl+C stops", highlight=False)

    serve(Database(args.db), args.host, args.port,
          policy=load_pipeline(args.pipeline).followup, on_ready=ready)
    return ExitCode.OK


def _report(result: IngestResult) -> None:
    if result.status in (Status.FAILED, Status.NO_TEXT):
        err.print(f"[red]error:[/red] {result.message}", highlight=False)
    elif result.status in (Status.UNPAIRED, Status.ATTACHED):
        err.print(f"[yellow]note:[/yellow] {result.message}", highlight=False)
    else:
        back = f" + {result.back.name}" if result.back else ""
        part = f" (card {result.part + 1})" if result.part else ""
        err.print(f"{result.status.value}: {result.path}{back}{part}", highlight=False)


def cmd_attach(args: argparse.Namespace) -> int:
    note_id = attach_back(args.back, args.to, Database(args.db), _context(args))
    err.print(f"attached {args.back} to contact {args.to} (note {note_id})", highlight=False)
    return ExitCode.OK


def cmd_contacts(args: argparse.Namespace) -> int:
    contacts = Database(args.db).contacts()
    if args.json:
        print(json.dumps(contacts, ensure_ascii=False, indent=2))
    else:
        _print_contacts(contacts)
    return ExitCode.OK


def _print_contacts(contacts: list[dict[str, Any]]) -> None:
    table = Table(title=f"{len(contacts)} contact(s)")
    for col in ("name", "title", "company", "phones", "emails", "met", "event"):
        table.add_column(col)
    for c in contacts:
        phones = "\n".join(f"{p['number']} ({p['type']})" for p in c["phones"])
        table.add_row(c["name"] or "?", c["title"] or "", c["company"] or "", phones,
                      "\n".join(c["emails"]), c["met_on"] or "", c["event"] or "")
    out.print(table)


def cmd_tasks(args: argparse.Namespace) -> int:
    today = dt.date.today()
    due_by = {"today": today, "week": today + dt.timedelta(days=7)}.get(args.due)
    tasks = Database(args.db).tasks(event=args.event, due_by=due_by,
                                    due_before=today if args.due == "overdue" else None)
    if args.json:
        print(json.dumps(tasks, ensure_ascii=False, indent=2))
        return ExitCode.OK
    table = Table(title=f"{len(tasks)} follow-up(s) to do")
    for col in ("id", "due", "contact", "touch", "draft"):
        table.add_column(col, overflow="fold")
    for t in tasks:
        when = dt.date.fromisoformat(t["due"])
        late = " [red]overdue[/red]" if when < today else ""
        due_text = f"{t['due']} {when:%a}{late}" + (" [bold]![/bold]" if t["priority"] == "high"
                                                    else "")
        who = f"{t['contact_name'] or '?'}" + (f" ({t['company']})" if t["company"] else "")
        table.add_row(str(t["id"]), due_text, who, f"{t['touch']} {t['channel']}",
                      escape(t["draft"]))
    out.print(table)
    return ExitCode.OK


def cmd_done(args: argparse.Namespace) -> int:
    return _close(args, "stopped" if args.replied else "done", args.on or dt.date.today())


def cmd_skip(args: argparse.Namespace) -> int:
    return _close(args, "skipped", dt.date.today())


def _close(args: argparse.Namespace, state: str, on: dt.date) -> int:
    db = Database(args.db)
    planned = close_task(db, args.task, state=state, on=on, outcome=args.note,
                         policy=load_pipeline(args.pipeline).followup)
    word = {"done": "done", "skipped": "skipped", "stopped": "done; follow-ups stopped"}[state]
    err.print(f"task {args.task} {word}.", highlight=False)
    if planned is not None:
        err.print(f"next: touch {planned.touch} ({planned.channel}) due "
                  f"{planned.due_on:%a %Y-%m-%d}", highlight=False)
    elif state != "stopped":
        err.print("that was the last touch; the sequence has ended.", highlight=False)
    return ExitCode.OK


def cmd_snooze(args: argparse.Namespace) -> int:
    Database(args.db).snooze_task(args.task, args.until)
    err.print(f"task {args.task} snoozed until {args.until:%a %Y-%m-%d}", highlight=False)
    return ExitCode.OK


def cmd_stop(args: argparse.Namespace) -> int:
    count = Database(args.db).stop_contact(args.contact, on=dt.date.today(), outcome=args.note)
    err.print(f"contact {args.contact}: {count} follow-up(s) stopped", highlight=False)
    return ExitCode.OK


def cmd_draft(args: argparse.Namespace) -> int:
    print(Database(args.db).task(args.task)["draft"])
    return ExitCode.OK


def cmd_consent(args: argparse.Namespace) -> int:
    Database(args.db).set_consent(args.contact, args.answer == "yes")
    err.print(f"contact {args.contact}: marketing consent {args.answer}", highlight=False)
    return ExitCode.OK


def cmd_export_ics(args: argparse.Namespace) -> int:
    tasks = Database(args.db).tasks()
    data = ics.tasks_ics(tasks, load_pipeline(args.pipeline).followup, now=dt.datetime.now())
    if args.output:
        args.output.write_bytes(data)
        err.print(f"wrote {len(tasks)} follow-up(s) to {args.output}", highlight=False)
    else:
        sys.stdout.buffer.write(data)
    return ExitCode.OK


def cmd_export_csv(args: argparse.Namespace) -> int:
    return _export(args, args.format, lambda chosen: export.to_csv(chosen, args.format,
                                                                   excel=args.excel))


def cmd_export_vcard(args: argparse.Namespace) -> int:
    version = f"{args.vcard_version}.0"
    return _export(args, f"vcard{args.vcard_version}",
                   lambda chosen: vcard.to_vcard(chosen, version=version))


def _export(args: argparse.Namespace, fmt: str,
            write: Callable[[list[Mapping[str, Any]]], str]) -> int:
    """Choose the contacts, write them, and remember them for ``--new``."""
    db = Database(args.db)
    chosen = export.select(db.contacts(), event=args.event, since=args.since,
                           reviewed_only=args.reviewed_only,
                           leave_out=db.exported(fmt) if args.new else ())
    text = write(chosen)
    if args.output:
        args.output.write_text(text, encoding="utf-8", newline="")
        err.print(f"wrote {len(chosen)} contact(s) to {args.output}", highlight=False)
    else:
        sys.stdout.write(text)
    db.mark_exported([c["id"] for c in chosen], fmt, now=dt.datetime.now())
    return ExitCode.OK


def cmd_parse(args: argparse.Namespace) -> int:
    text = sys.stdin.read() if args.text_file == "-" else Path(args.text_file).read_text("utf-8")
    pipeline = load_pipeline(args.pipeline)
    fields = parse_front(OcrResult.from_text(text),
                         default_region=pipeline.parse.default_region)
    record = contact_record(fields, Note(), met_on=None, event=None)
    if args.json:
        print(json.dumps(record, ensure_ascii=False, indent=2))
    else:
        _print_contacts([record])
    return ExitCode.OK


def cmd_bench(args: argparse.Namespace) -> int:
    pipeline = load_pipeline(args.pipeline)
    with ProcessPoolExecutor(max_workers=max(1, args.workers)) as pool:
        reports = bench.run(args.folders, pipeline, pool)
    for report in reports:
        out.print(f"\n## {report.name} ({report.kind})\n", highlight=False, markup=False)
        out.print("\n".join(report.lines), highlight=False, markup=False)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({r.name: r.summary for r in reports}, indent=2),
                             encoding="utf-8")
    return ExitCode.OK
