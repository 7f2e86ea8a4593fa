"""Sign-in for the review page on a network address, through Flask's test client over a real
SQLite file: the password is stored hashed, pages need a session, the cookie is Secure behind
an HTTPS proxy, and guessing is throttled."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from cardscan.errors import UsageError
from cardscan.review import auth, create_app
from cardscan.store import Database
from cardscan.store.schema import SettingRow

PASSWORD = "correct horse battery"


@pytest.fixture
def db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'cards.db'}", store=tmp_path / "store")
    auth.set_password(db, PASSWORD)
    return db


def _token(page: str) -> str:
    found = re.search(r'name="csrf-token" content="([^"]+)"', page)
    assert found
    return found.group(1)


def test_the_password_is_stored_hashed_and_checked(db: Database) -> None:
    with db.transaction() as tx:
        stored = tx.session.scalar(select(SettingRow.value))
    assert stored is not None and PASSWORD not in stored and stored.startswith("scrypt:")
    assert auth.check_password(db, PASSWORD) and not auth.check_password(db, "guess")
    with pytest.raises(UsageError, match="too short"):
        auth.set_password(db, "short")


def test_pages_need_signing_in_and_the_cookie_is_secure_behind_https(db: Database) -> None:
    app = create_app(db, hosts=(), sign_in=True, behind_proxy=True)
    client = app.test_client()
    redirect = client.get("/card/1")
    assert redirect.status_code == 302 and "/login?next=/card/1" in redirect.location
    page = client.get("/login").get_data(as_text=True)
    token = _token(page)
    assert client.post("/bulk", data={"csrf_token": token}).status_code == 401
    assert client.post("/login", data={"csrf_token": token, "password": "guess"}).status_code \
        == 401
    # an open redirect is not followed: only paths on this site
    done = client.post("/login", data={"csrf_token": token, "password": PASSWORD,
                                       "next": "//evil.example/"},
                       headers={"X-Forwarded-Proto": "https"})
    assert done.status_code == 302 and done.location == "/"
    cookie = done.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Secure" in cookie
    assert client.get("/").status_code == 200


def test_on_plain_http_the_cookie_is_not_marked_secure(db: Database) -> None:
    client = create_app(db, hosts=(), sign_in=True).test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    done = client.post("/login", data={"csrf_token": token, "password": PASSWORD})
    assert "Secure" not in done.headers["Set-Cookie"]


def test_guessing_is_throttled_per_address(db: Database) -> None:
    client = create_app(db, hosts=(), sign_in=True).test_client()
    token = _token(client.get("/login").get_data(as_text=True))
    for _ in range(auth.ATTEMPTS):
        assert client.post("/login", data={"csrf_token": token, "password": "x"}).status_code \
            == 401
    blocked = client.post("/login", data={"csrf_token": token, "password": PASSWORD})
    assert blocked.status_code == 429 and "Too many wrong passwords" in blocked.get_data(
        as_text=True)
    other = client.post("/login", data={"csrf_token": token, "password": PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.0.0.9"})
    assert other.status_code == 302  # another address is not held up


def test_throttle_forgets_after_the_window() -> None:
    throttle = auth.Throttle(attempts=2, window=0.05)
    throttle.failed("a")
    assert throttle.wait("a") == 0
    throttle.failed("a")
    assert throttle.wait("a") > 0
    time.sleep(0.06)
    assert throttle.wait("a") == 0
