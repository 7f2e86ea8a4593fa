"""The review web app (Flask): requests in, ``store`` calls, Jinja pages out. Local use only.

Security: it binds 127.0.0.1 unless told otherwise and answers only to its own host name (no
DNS rebinding); every state change is a POST carrying the per-process CSRF token; Jinja escapes
every value and the Content-Security-Policy allows only the app's own script and style; images
are looked up by scan id and served only from the scan store.
"""

from __future__ import annotations

import datetime as dt
import hmac
import ipaddress
import logging
import secrets
import socket
from collections.abc import Callable
from typing import Any

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException, SecurityError
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
from ..parse.phones import display_phone
from ..store import Database
from . import actions, fields

log = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
       "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
SHORTCUTS = (("Ctrl+Enter", "confirm: save, mark reviewed, next card"),
             ("Ctrl+S", "save"), ("Alt+N or J", "skip to the next card (J outside a field)"),
             ("Esc", "close an enlarged image"))


def create_app(db: Database, settings: Pipeline | None = None, *,
               today: Callable[[], dt.date] = dt.date.today,
               hosts: tuple[str, ...] = ("127.0.0.1", "localhost")) -> Flask:
    """The review app over ``db``. ``settings`` (resolved by the caller; default: built-in)
    give the follow-up policy that plans the next touch and the region for typed phones;
    ``today`` is the clock; ``hosts`` are the host names it answers to (an empty tuple: any)."""
    settings = settings or Pipeline()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secrets.token_bytes(32), MAX_CONTENT_LENGTH=1_000_000,
        SESSION_COOKIE_SAMESITE="Strict", SESSION_COOKIE_HTTPONLY=True,
        TRUSTED_HOSTS=list(hosts) or None,
        CARDSCAN_DB=db, CARDSCAN_POLICY=settings.policy, CARDSCAN_TODAY=today,
        CARDSCAN_REGION=settings.parse.default_region, CARDSCAN_LIMITS=settings.limits,
        CARDSCAN_CSRF=secrets.token_urlsafe(32), CARDSCAN_SETTINGS=settings)
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


def _check_request() -> None:
    """Every state change must carry this process's CSRF token (form field or header)."""
    if request.method in SAFE_METHODS:
        return
    sent = request.form.get(CSRF_FIELD) or request.headers.get(CSRF_HEADER) or ""
    if not hmac.compare_digest(sent.encode(), _config("CARDSCAN_CSRF").encode()):
        abort(403, description="missing or wrong CSRF token; reload the page and try again")


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


def queue_page() -> str:
    sync = _config("CARDSCAN_SETTINGS").sync
    targets = [f"{what}: {url}" for what, url in (("contacts", sync.contacts),
                                                   ("follow-ups", sync.followups)) if url]
    return render_template("queue.html", queue=actions.queue(_db()), sync_targets=targets)


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
                           counts=counts, next_id=next_id,
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
    today = _config("CARDSCAN_TODAY")()
    groups = actions.followups(_db(), today=today)
    tomorrow = today + dt.timedelta(days=1)
    return render_template("followups.html", groups=groups, due=due, tasks=groups.get(due),
                           today=today, tomorrow=tomorrow, choices=actions.DUE_CHOICES,
                           snooze_to=next_allowed_day(tomorrow, _config("CARDSCAN_POLICY")))


def _back_to_followups() -> BaseResponse:
    due = request.form.get("due", "today")
    return redirect(url_for("followups_page", due=due if due in actions.DUE_CHOICES else "today"))


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
                       today: Callable[[], dt.date] = dt.date.today) -> ReviewServer:
    """Bind the review app (not yet serving). A host that is not loopback answers to any host
    name and is logged as a warning: anyone who can reach it can read the contacts."""
    hosts: tuple[str, ...] = ("127.0.0.1", "localhost", "::1", host)
    if not is_loopback(host):
        log.warning("review app on %s: anyone on that network can read your contacts", host)
        hosts = ()
    app = create_app(db, settings, today=today, hosts=hosts)
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
          port: int = 8765, on_ready: Callable[[str], None] | None = None) -> None:
    """Run the review app until interrupted; ``on_ready`` gets its address once it listens."""
    server = make_review_server(db, settings, host=host, port=port)
    if on_ready is not None:
        on_ready(server.url)
    try:
        server.serve_forever()
    finally:
        server.close()
