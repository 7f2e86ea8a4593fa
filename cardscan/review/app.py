"""The review web app (Flask): requests in, ``store`` calls, Jinja pages out. Local use only.

Security: it binds 127.0.0.1 unless told otherwise and answers only to its own host name (no
DNS rebinding); on any other address it asks for the database's password (``auth``) and will
not start without one; every state change is a POST carrying the per-process CSRF token; Jinja
escapes every value and the Content-Security-Policy allows only the app's own script and style;
images are looked up by scan id and served only from the scan store.

Pages fetch only what they show: the queue and the follow-ups are searched, sorted and cut
into pages by the database (``cardscan review --bench 10000`` times them).
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import secrets
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, SecurityError
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter
from werkzeug.serving import (
    BaseWSGIServer,
    WSGIRequestHandler,
    make_server,
    select_address_family,
)
from werkzeug.wrappers.response import Response as BaseResponse

from ..config import Pipeline
from ..errors import CardscanError, ConfigError, NotFoundError
from ..export import FORMATS, to_csv
from ..export.photos import card_photos
from ..export.vcard import to_vcard
from ..followup import next_allowed_day
from ..model import IngestResult
from ..parse.phones import display_phone
from ..store import Database, QueueQuery
from ..store.views import QUEUE_SORTS, QUEUE_STATUSES
from . import actions, auth, fields

# What an upload hands to ingest: (file name, bytes) pairs in, one result per card out.
Ingest = Callable[[list[tuple[str, bytes]]], list[IngestResult]]

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SHORTCUTS = (("Ctrl+Enter", "confirm: save, mark reviewed, next card"),
             ("Ctrl+S", "save"), ("Alt+N or J", "skip to the next card (J outside a field)"),
             ("Esc", "close an enlarged image"))
TASK_SHORTCUTS = (("J / K", "next / previous follow-up"), ("C", "copy its draft"),
                  ("D", "done"), ("S", "skip"), ("Z", "snooze to the day shown"),
                  ("/", "search"))
PAGE_SIZES = (25, 50, 100, 200)
MAX_UPLOAD_FILES = 50
OPEN_ENDPOINTS = frozenset({"login_page", "login_post", "static"})  # without signing in


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure when the page came over HTTPS (behind a proxy that says
    so, with ``--behind-proxy``), so it never travels in the clear after that."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request.is_secure or super().get_cookie_secure(app))


def create_app(db: Database, settings: Pipeline | None = None, *,
               today: Callable[[], dt.date] = dt.date.today,
               hosts: tuple[str, ...] = ("127.0.0.1", "localhost"),
               sign_in: bool = False, ingest: Ingest | None = None,
               behind_proxy: bool = False) -> Flask:
    """The review app over ``db``. ``settings`` (resolved by the caller; default: built-in)
    give the follow-up policy that plans the next touch and the region for typed phones;
    ``today`` is the clock; ``hosts`` are the host names it answers to (an empty tuple: any);
    ``sign_in``: every page but the sign-in page needs the database's password; ``ingest``
    reads uploaded cards (None: no uploads); ``behind_proxy``: trust one reverse proxy's
    X-Forwarded-Proto/-Host (HTTPS there makes the session cookie Secure)."""
    settings = settings or Pipeline()
    app = Flask(__name__)
    app.session_interface = _SessionInterface()
    if behind_proxy:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_proto=1, x_host=1)  # type: ignore[method-assign]
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=1_000_000,
        SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True,
        TRUSTED_HOSTS=list(hosts) or None,
        CARDSCAN_DB=db, CARDSCAN_POLICY=settings.policy, CARDSCAN_TODAY=today,
        CARDSCAN_REGION=settings.parse.default_region, CARDSCAN_LIMITS=settings.limits,
        CARDSCAN_CSRF=secrets.token_urlsafe(32), CARDSCAN_SETTINGS=settings,
        CARDSCAN_SIGN_IN=sign_in, CARDSCAN_INGEST=ingest, CARDSCAN_THROTTLE=auth.Throttle())
    app.before_request(_check_request)
    app.after_request(_secure_headers)
    app.context_processor(_template_globals)
    app.add_template_filter(display_phone, "phone")
    app.register_error_handler(NotFoundError, _not_found)
    app.register_error_handler(CardscanError, _user_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(SecurityError, _untrusted_host)
    _routes(app)
    return app


# --- request plumbing -------------------------------------------------------------------------

def _db() -> Database:
    db: Database = current_app.config["CARDSCAN_DB"]
    return db


def _config(key: str) -> Any:
    return current_app.config[key]


def _check_request() -> BaseResponse | None:
    """Signed in (when the app asks for it), and every state change carries this process's
    CSRF token (form field or header)."""
    if (_config("CARDSCAN_SIGN_IN") and request.endpoint not in OPEN_ENDPOINTS
            and not session.get("signed_in")):
        if request.method in SAFE_METHODS:
            return redirect(url_for("login_page", next=_here()))
        abort(401, description="sign in first")
    if request.method in SAFE_METHODS:
        return None
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not hmac.compare_digest(sent.encode(), _config("CARDSCAN_CSRF").encode()):
        abort(403, description="missing or wrong CSRF token; reload the page and try again")
    return None


def _here() -> str:
    """This page's path and query (where to come back to)."""
    return request.full_path.rstrip("?")


def _local(target: str | None, default: str) -> str:
    """``target`` when it is a path on this site (never another site: no open redirect)."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


def _secure_headers(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _template_globals() -> dict[str, Any]:
    return {"csrf_token": _config("CARDSCAN_CSRF"), "csrf_field": CSRF_FIELD,
            "formats": FORMATS, "shortcuts": SHORTCUTS, "weak": actions.WEAK,
            "signed_in": bool(session.get("signed_in")),
            "sign_in": _config("CARDSCAN_SIGN_IN"), "uploads": _config("CARDSCAN_INGEST")
            is not None,
            "confidence_of": actions.field_confidence, "confidence_class": confidence_class}


def confidence_class(value: float | None) -> str:
    """The CSS class that shades a field by how sure the machine was."""
    if value is None:
        return "conf-none"
    if value <= 0:
        return "conf-missing"
    if value < actions.WEAK:
        return "conf-weak"
    return "conf-fair" if value < 0.85 else "conf-good"


def _not_found(e: NotFoundError) -> tuple[str, int]:
    return render_template("error.html", message=str(e), status=404), 404


def _user_error(e: CardscanError) -> tuple[str, int]:
    return render_template("error.html", message=str(e), status=400), 400


def _untrusted_host(e: SecurityError) -> Response:
    """A request for another host name (DNS rebinding): no page, since no URL can be built."""
    return Response(f"{e.description}\n", status=400, mimetype="text/plain")


def _http_error(e: HTTPException) -> tuple[str, int]:
    status = e.code or 500
    return render_template("error.html", message=e.description, status=status), status


# --- pages ------------------------------------------------------------------------------------

class IdConverter(IntegerConverter):
    """A row id: 1 to 2^63-1, what a database column holds; anything else is not found (an
    id past 2^63 would overflow the database driver)."""

    def __init__(self, url_map: Any) -> None:
        super().__init__(url_map, min=1, max=2**63 - 1)


def _routes(app: Flask) -> None:
    app.url_map.converters["id"] = IdConverter
    app.add_url_rule("/", view_func=queue_page)
    app.add_url_rule("/card/<id:contact_id>", view_func=card_page)
    app.add_url_rule("/card/<id:contact_id>", view_func=card_post, methods=["POST"])
    app.add_url_rule("/card/<id:contact_id>/next", view_func=next_page)
    app.add_url_rule("/scan/<id:scan_id>", view_func=scan_image)
    app.add_url_rule("/followups", view_func=followups_page)
    app.add_url_rule("/tasks/<id:task_id>/done", view_func=task_done, methods=["POST"])
    app.add_url_rule("/tasks/<id:task_id>/snooze", view_func=task_snooze, methods=["POST"])
    app.add_url_rule("/export/<fmt>.csv", view_func=export_csv)
    app.add_url_rule("/export/contacts.vcf", view_func=export_vcard)
    app.add_url_rule("/sync", view_func=sync_now, methods=["POST"])
    app.add_url_rule("/bulk", view_func=bulk_action, methods=["POST"])
    app.add_url_rule("/merge", view_func=merge_page)
    app.add_url_rule("/merge", view_func=merge_post, methods=["POST"])
    app.add_url_rule("/card/<id:contact_id>/delete", view_func=delete_post, methods=["POST"])
    app.add_url_rule("/card/<id:contact_id>/restore", view_func=restore_post,
                     methods=["POST"])
    app.add_url_rule("/trash", view_func=trash_page)
    app.add_url_rule("/upload", view_func=upload_page)
    app.add_url_rule("/upload", view_func=upload_post, methods=["POST"])
    app.add_url_rule("/report", view_func=report_page)
    app.add_url_rule("/export/sheet.pdf", view_func=export_sheet)
    app.add_url_rule("/login", view_func=login_page)
    app.add_url_rule("/login", view_func=login_post, methods=["POST"])
    app.add_url_rule("/logout", view_func=logout_post, methods=["POST"])


def _page_number(name: str = "page") -> int:
    try:
        return max(1, int(request.args.get(name, "1")))
    except ValueError:
        return 1


def _per_page() -> int:
    try:
        size = int(request.args.get("per_page", "50"))
    except ValueError:
        return 50
    return size if size in PAGE_SIZES else 50


def queue_query() -> QueueQuery:
    """The queue page's search, filters, order and page from its URL (bad values: defaults)."""
    args = request.args
    status = args.get("status", "unreviewed")
    sort = args.get("sort", "queue")
    return QueueQuery(
        search=args.get("q", "").strip()[:200], event=args.get("event") or None,
        status=status if status in QUEUE_STATUSES else "unreviewed",
        check=args.get("check") == "1",
        due_by=_config("CARDSCAN_TODAY")() if args.get("due") == "1" else None,
        sort=sort if sort in QUEUE_SORTS else "queue", page=_page_number(),
        per_page=_per_page())


def queue_page() -> str:
    sync = _config("CARDSCAN_SETTINGS").sync
    targets = [f"{what}: {url}" for what, url in (("contacts", sync.contacts),
                                                   ("follow-ups", sync.followups)) if url]
    query = queue_query()
    found = actions.queue_page(_db(), query)
    args = {k: v for k, v in request.args.items() if k != "page"}
    return render_template("queue.html", found=found, query=query, args=args,
                           sorts=QUEUE_SORTS, statuses=QUEUE_STATUSES, page_sizes=PAGE_SIZES,
                           sync_targets=targets, here=_here())


def _selected() -> list[int]:
    ids = []
    for value in request.form.getlist("id"):
        if not value.isdigit() or not 0 < int(value) < 2**63:
            abort(400, description=f"not a contact id: {value[:20]!r}")
        ids.append(int(value))
    return ids


def bulk_action() -> BaseResponse:
    """The queue's selection: confirm every selected contact, or download them in a format."""
    ids, action = _selected(), request.form.get("action", "")
    back = _local(request.form.get("back"), url_for("queue_page"))
    if not ids:
        flash("Select contacts first (the boxes on the left).", "error")
        return redirect(back)
    if action == "confirm":
        count = actions.confirm_many(_db(), ids, policy=_config("CARDSCAN_POLICY"))
        flash(f"{count} contact{'s' if count != 1 else ''} confirmed.", "ok")
        return redirect(back)
    if action == "export":
        fmt = request.form.get("format", "google")
        if fmt == "vcard":
            db = _db()
            return _download(to_vcard(actions.export_contacts(db, ids=ids), version="4.0",
                                      namespace=db.identity), "cardscan-selection.vcf",
                             "text/vcard; charset=utf-8")
        if fmt not in FORMATS:
            abort(400, description=f"no export format {fmt!r}")
        return _download(to_csv(actions.export_contacts(_db(), ids=ids), fmt, excel=False),
                         f"cardscan-{fmt}-selection.csv", "text/csv; charset=utf-8")
    abort(400, description="action is confirm or export")


def merge_page() -> str:
    try:
        keep, other = int(request.args["keep"]), int(request.args["other"])
    except (KeyError, ValueError):
        abort(400, description="choose two contacts: /merge?keep=ID&other=ID")
    a, b = actions.merge_pair(_db(), keep, other)
    rows = [(f, a.value(f), b.value(f)) for f in actions.MERGE_FIELDS]
    return render_template("merge.html", a=a, b=b, rows=rows)


def merge_post() -> BaseResponse:
    try:
        keep, other = int(request.form["keep"]), int(request.form["other"])
    except (KeyError, ValueError):
        abort(400, description="keep and other are contact ids")
    choices = {f: request.form[f"choose_{f}"] for f in actions.MERGE_FIELDS
               if f"choose_{f}" in request.form}
    actions.merge(_db(), keep, other, choices, policy=_config("CARDSCAN_POLICY"))
    flash(f"Contact {other} merged into contact {keep}: both cards, meetings and "
          "follow-ups are here.", "ok")
    return redirect(url_for("card_page", contact_id=keep))


def delete_post(contact_id: int) -> BaseResponse:
    actions.delete(_db(), contact_id)
    flash(str(contact_id), "undo")
    return redirect(_local(request.form.get("back"), url_for("queue_page")))


def restore_post(contact_id: int) -> BaseResponse:
    actions.restore(_db(), contact_id)
    flash(f"Contact {contact_id} is back.", "ok")
    return redirect(url_for("card_page", contact_id=contact_id))


def trash_page() -> str:
    return render_template("trash.html", trashed=actions.trash(_db()))


def upload_page() -> str:
    return render_template("upload.html", max_files=MAX_UPLOAD_FILES)


def upload_post() -> BaseResponse | tuple[BaseResponse, int]:
    """Cards from the browser (picked, dropped or photographed) into the batch's ingest."""
    ingest = _config("CARDSCAN_INGEST")
    if ingest is None:
        abort(404, description="uploads are not enabled in this review app")
    limits = _config("CARDSCAN_LIMITS")
    request.max_content_length = MAX_UPLOAD_FILES * limits.max_file_mb * 1_000_000
    files = [f for f in request.files.getlist("files") if f.filename]
    wants_json = request.accept_mimetypes.best == "application/json"
    if not files or len(files) > MAX_UPLOAD_FILES:
        message = (f"choose 1 to {MAX_UPLOAD_FILES} card images or PDFs")
        if wants_json:
            return jsonify({"error": message}), 400
        flash(message, "error")
        return redirect(url_for("upload_page"))
    results = ingest([(f.filename or "", f.read()) for f in files])
    shown = [{"file": r.path.name, "status": r.status.value, "contact_id": r.contact_id,
              "message": r.message, "card": r.part + 1,
              "url": url_for("card_page", contact_id=r.contact_id) if r.contact_id else None}
             for r in results]
    if wants_json:
        return jsonify({"results": shown, "queue": url_for("queue_page")})
    for r in shown:
        flash(f"{r['file']}: {r['status']}" + (f" ({r['message']})" if r["message"] else ""),
              "error" if r["status"] in ("failed", "no_text", "not_stored") else "ok")
    return redirect(url_for("queue_page"))


def report_page() -> str:
    """Did the follow-ups happen, per event: the same figures as ``cardscan report``."""
    from ..followup.report import figures

    with _db().transaction() as tx:
        history, events = tx.history(), tx.recorded_events()
    rows = figures(history, _config("CARDSCAN_POLICY"), events=[e.name for e in events])
    widest = max((r.cards for r in rows), default=0) or 1
    recorded = {e.name.casefold() for e in events}
    return render_template("report.html", rows=rows, widest=widest, recorded=recorded,
                           events=events)


def export_sheet() -> Response:
    """An event's cards as a printable PDF (front and back side by side)."""
    import tempfile

    from ..export.sheet import event_sheet

    event = request.args.get("event", "").strip()
    cards = actions.sheet_cards(_db(), event) if event else []
    if not cards:
        raise NotFoundError(f"no cards met at {event!r}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "sheet.pdf"
        event_sheet(cards, path, event=event)
        data = path.read_bytes()
    safe = "".join(c if c.isalnum() else "-" for c in event).strip("-") or "event"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="cards-{safe}.pdf"'})


def login_page() -> str:
    return render_template("login.html", next=_local(request.args.get("next"), "/"))


def login_post() -> BaseResponse | tuple[str, int]:
    throttle: auth.Throttle = _config("CARDSCAN_THROTTLE")
    address = request.remote_addr or "?"
    wait = throttle.wait(address)
    target = _local(request.form.get("next"), "/")
    if wait:
        return render_template("login.html", next=target, error=(
            f"Too many wrong passwords; try again in {int(wait) + 1} s.")), 429
    if not auth.check_password(_db(), request.form.get("password", "")):
        throttle.failed(address)
        return render_template("login.html", next=target, error="Wrong password."), 401
    session.clear()
    session["signed_in"] = True
    return redirect(target)


def logout_post() -> BaseResponse:
    session.clear()
    return redirect(url_for("login_page"))


def sync_now() -> BaseResponse:
    """Sync the configured address book and calendar (credentials from the environment the
    review page was started in)."""
    from .. import sync

    settings = _config("CARDSCAN_SETTINGS")
    try:
        said = []
        if settings.sync.contacts:
            said.append(list(sync.lines(sync.sync_contacts(_db(), settings.sync.contacts),
                                        "contacts"))[-1])
        if settings.sync.followups:
            report = sync.sync_followups(_db(), settings.sync.followups, settings,
                                         as_event=settings.sync.followups_as == "event")
            said.append(list(sync.lines(report, "follow-ups"))[-1])
        flash("Synced. " + " ".join(said), "ok")
    except CardscanError as e:
        flash(str(e), "error")
    return redirect(url_for("queue_page"))


def card_page(contact_id: int) -> str:
    return _render_card(contact_id)


def _render_card(contact_id: int, *, form: dict[str, Any] | None = None,
                 errors: dict[str, str] | None = None) -> str:
    db = _db()
    with db.transaction() as tx:  # one transaction: what the page shows is one moment
        view = tx.card_page(contact_id)
        counts, next_id = tx.counts(), tx.next_unreviewed(contact_id)
    contact = {**view.contact.json(), **(form or {})}
    return render_template("card.html", view=view, contact=contact, errors=errors or {},
                           counts=counts, next_id=next_id, here=_here(),
                           phone_placeholder=actions.phone_placeholder(
                               view.contact, _config("CARDSCAN_REGION")),
                           phone_types=fields.PHONE_TYPES, priorities=fields.PRIORITIES)


def card_post(contact_id: int) -> BaseResponse | tuple[str, int]:
    """Save or confirm (save + reviewed + next card) what the person typed."""
    action = request.form.get("action", "save")
    if action not in ("save", "confirm"):
        abort(400, description="action is save or confirm")
    db = _db()
    following = actions.next_card(db, contact_id)  # before the save moves this card
    changes = form_changes(request.form)
    try:
        changed = actions.correct(db, contact_id, changes, confirm=action == "confirm",
                                policy=_config("CARDSCAN_POLICY"),
                                default_region=_config("CARDSCAN_REGION"))
    except fields.InvalidChanges as e:
        return _render_card(contact_id, form=changes, errors=e.errors), 400
    saved = f"corrected {', '.join(changed)}" if changed else "no changes"
    if action == "save":
        flash(f"Saved ({saved}).", "ok")
        return redirect(url_for("card_page", contact_id=contact_id))
    flash(f"Contact {contact_id} confirmed ({saved}).", "ok")
    if following is None:
        return redirect(url_for("queue_page"))
    return redirect(url_for("card_page", contact_id=following))


def form_changes(form: MultiDict[str, str]) -> dict[str, Any]:
    """The card form as ``actions.correct`` takes it: text, phone rows, lists one per line.
    A field the form did not send is left out (and so left alone)."""
    changes: dict[str, Any] = {f: form[f] for f in (*fields.TEXT_FIELDS, "met_on", "event",
                                                    "priority") if f in form}
    if "phone_number" in form:
        changes["phones"] = [{"number": n, "type": t} for n, t in
                             zip(form.getlist("phone_number"), form.getlist("phone_type"),
                                 strict=False)]
    if "email" in form:
        changes["emails"] = form.getlist("email")
    for field in ("topics", "actions"):
        if field in form:
            changes[field] = form[field].splitlines()
    return changes


def next_page(contact_id: int) -> BaseResponse:
    """Skip: the next card in the queue, unchanged."""
    following = actions.next_card(_db(), contact_id)
    if following is None:
        flash("No other card waits for review.", "ok")
        return redirect(url_for("queue_page"))
    return redirect(url_for("card_page", contact_id=following))


def scan_image(scan_id: int) -> Response:
    """A scan's card image, by id, from the scan store only."""
    path = actions.image_path(_db(), scan_id, _config("CARDSCAN_LIMITS"))
    response = send_file(path, mimetype=actions.WEB_IMAGE_TYPES.get(path.suffix.lower(),
                                                                       "image/png"))
    response.headers["Cache-Control"] = "private, max-age=86400"  # content-addressed
    return response


def followups_page() -> str:
    due = request.args.get("due", "today")
    due = due if due in actions.DUE_CHOICES else "today"
    today = _config("CARDSCAN_TODAY")()
    search, event = request.args.get("q", "").strip()[:200], request.args.get("event") or None
    found, tasks = actions.followups(_db(), today=today, due=due, search=search, event=event,
                                     page=_page_number(), per_page=_per_page())
    with _db().transaction() as tx:
        events = tx.events()
    tomorrow = today + dt.timedelta(days=1)
    args = {k: v for k, v in request.args.items() if k not in ("page", "due")}
    return render_template("followups.html", found=found, due=due, tasks=tasks, args=args,
                           search=search, event=event, events=events, here=_here(),
                           today=today, tomorrow=tomorrow, choices=actions.DUE_CHOICES,
                           task_shortcuts=TASK_SHORTCUTS,
                           snooze_to=next_allowed_day(tomorrow, _config("CARDSCAN_POLICY")))


def _back_to_followups() -> BaseResponse:
    due = request.form.get("due", "today")
    fallback = url_for("followups_page", due=due if due in actions.DUE_CHOICES else "today")
    return redirect(_local(request.form.get("back"), fallback))


def task_done(task_id: int) -> BaseResponse:
    state = request.form.get("state", "done")
    try:
        planned = actions.finish_task(_db(), task_id, on=_config("CARDSCAN_TODAY")(),
                                      policy=_config("CARDSCAN_POLICY"), state=state,
                                      outcome=request.form.get("outcome"))
    except NotFoundError:
        raise
    except CardscanError as e:  # already done, a bad state: say so
        flash(str(e), "error")
        return _back_to_followups()
    message = f"Task {task_id} {state}."
    if planned is not None:
        message += (f" Next: touch {planned.touch} ({planned.channel}) due "
                    f"{planned.due_on:%a %Y-%m-%d}.")
    else:
        message += " That was the last touch; the sequence has ended."
    flash(message, "ok")
    return _back_to_followups()


def task_snooze(task_id: int) -> BaseResponse:
    try:
        day = actions.snooze(_db(), task_id, request.form.get("until", ""),
                             today=_config("CARDSCAN_TODAY")())
    except NotFoundError:
        raise
    except CardscanError as e:
        flash(str(e), "error")
        return _back_to_followups()
    flash(f"Task {task_id} snoozed until {day:%a %Y-%m-%d}.", "ok")
    return _back_to_followups()


def _reviewed_only() -> bool:
    return request.args.get("reviewed_only", "") in ("1", "true", "yes", "on")


def export_csv(fmt: str) -> Response:
    if fmt not in FORMATS:
        abort(404, description=f"no export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    contacts = actions.export_contacts(_db(), reviewed_only=_reviewed_only())
    return _download(to_csv(contacts, fmt, excel=False), f"cardscan-{fmt}.csv",
                     "text/csv; charset=utf-8")


def export_vcard() -> Response:
    """vCard 4.0, or 3.0 (``?version=3``: some Android apps and older Nextcloud read it
    better); ``?photo=1`` adds a small image of each card."""
    version = "3.0" if request.args.get("version") == "3" else "4.0"
    db = _db()
    contacts = actions.export_contacts(db, reviewed_only=_reviewed_only())
    photos = card_photos(db) if request.args.get("photo") == "1" else None
    return _download(to_vcard(contacts, version=version, namespace=db.identity, photos=photos),
                     "cardscan.vcf", "text/vcard; charset=utf-8")


def _download(text: str, filename: str, mimetype: str) -> Response:
    return Response(text.encode("utf-8"), mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


# --- serving ----------------------------------------------------------------------------------

def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class _Handler(WSGIRequestHandler):
    """Requests go to this module's logger at DEBUG (``cardscan -v``), not to the terminal."""

    def log(self, type: str, message: str, *args: Any) -> None:
        level = logging.DEBUG if type == "info" else logging.WARNING
        log.log(level, "%s %s", self.address_string(), message % args if args else message)


class ReviewServer:
    """The app on a threaded WSGI server; ``url`` is where it answers (the real port when
    port 0 was asked for)."""

    def __init__(self, app: Flask, server: BaseWSGIServer) -> None:
        self.app, self._server = app, server

    @property
    def url(self) -> str:
        host, port = str(self._server.host), int(self._server.port)
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port}/"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def shutdown(self) -> None:
        """Stop ``serve_forever`` (running in another thread) and close the socket."""
        self._server.shutdown()
        self._server.server_close()

    def close(self) -> None:
        self._server.server_close()


def make_review_server(db: Database, settings: Pipeline | None = None, *,
                       host: str = "127.0.0.1", port: int = 8765,
                       today: Callable[[], dt.date] = dt.date.today,
                       ingest: Ingest | None = None,
                       behind_proxy: bool = False) -> ReviewServer:
    """Bind the review app (not yet serving). On a host that is not loopback it answers to
    any host name and asks for the database's password; without one set it refuses to
    start (anyone who can reach it could read the contacts)."""
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1", host)
    sign_in = not is_loopback(host)
    if sign_in:
        if not auth.has_password(db):
            raise ConfigError(f"the review page on {host} would be open to anyone on that "
                              "network; set a password first with `cardscan review "
                              "--set-password`, or listen on 127.0.0.1")
        log.warning("review app on %s: signing in with the database's password", host)
        hosts = ()
    app = create_app(db, settings, today=today, hosts=hosts, sign_in=sign_in, ingest=ingest,
                     behind_proxy=behind_proxy)
    listening = _listen(host, port)
    try:  # werkzeug takes over a bound socket; binding itself it would print and exit
        server = make_server(host, port, app, threaded=True, request_handler=_Handler,
                             fd=listening.fileno())
    finally:
        listening.close()  # the server holds its own duplicate
    return ReviewServer(app, server)


def _listen(host: str, port: int) -> socket.socket:
    family = select_address_family(host, port)
    listening = socket.socket(family, socket.SOCK_STREAM)
    listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listening.bind((host, port))
        listening.listen(128)
    except OSError as e:
        listening.close()
        raise ConfigError(f"cannot listen on {host}:{port} ({e.strerror or e}); "
                          "choose another with --port or --host") from e
    return listening


def serve(db: Database, settings: Pipeline | None = None, *, host: str = "127.0.0.1",
          port: int = 8765, on_ready: Callable[[str], None] | None = None,
          ingest: Ingest | None = None, behind_proxy: bool = False) -> None:
    """Run the review app until interrupted; ``on_ready`` gets its address once it listens."""
    server = make_review_server(db, settings, host=host, port=port, ingest=ingest,
                                behind_proxy=behind_proxy)
    if on_ready is not None:
        on_ready(server.url)
    try:
        server.serve_forever()
    finally:
        server.close()
