"""Sign-in for the review page when it is reached over a network: one password for the
database (a team shares it), set with ``cardscan review --set-password`` and stored hashed
(werkzeug's scrypt) in the database's settings; a signed session cookie (HttpOnly,
SameSite=Strict, Secure when the page came over HTTPS); failed attempts limited per address.
On a loopback address (this computer only) no password is asked.
"""

from __future__ import annotations

import time
from collections import defaultdict, deque
from threading import Lock

from werkzeug.security import check_password_hash, generate_password_hash

from ..errors import UsageError
from ..store import Database

PASSWORD_KEY = "review_password"
MIN_LENGTH = 8
ATTEMPTS, WINDOW_SECONDS = 5, 60.0  # failed sign-ins per address per minute


def set_password(db: Database, password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise UsageError(f"the password is too short: use at least {MIN_LENGTH} characters")
    with db.transaction() as tx:
        tx.set_setting(PASSWORD_KEY, generate_password_hash(password))


def has_password(db: Database) -> bool:
    with db.transaction() as tx:
        return tx.setting(PASSWORD_KEY) is not None


def check_password(db: Database, password: str) -> bool:
    with db.transaction() as tx:
        stored = tx.setting(PASSWORD_KEY)
    return stored is not None and check_password_hash(stored, password)


class Throttle:
    """At most ``ATTEMPTS`` failed sign-ins per address within ``WINDOW_SECONDS``."""

    def __init__(self, attempts: int = ATTEMPTS, window: float = WINDOW_SECONDS) -> None:
        self.attempts, self.window = attempts, window
        self._failed: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        failed = self._failed[address]
        while failed and failed[0] <= now - self.window:
            failed.popleft()
        return failed

    def wait(self, address: str) -> float:
        """Seconds until ``address`` may try again (0: now)."""
        now = time.monotonic()
        with self._lock:
            failed = self._recent(address, now)
            return failed[0] + self.window - now if len(failed) >= self.attempts else 0.0

    def failed(self, address: str) -> None:
        now = time.monotonic()
        with self._lock:
            self._recent(address, now).append(now)
