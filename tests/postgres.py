"""Run a command beside a throwaway PostgreSQL server: `python -m tests.postgres -- CMD ...`.

The server is Debian's PostgreSQL (package ``postgresql``), started with ``pg_ctl`` on a new
data directory under /tmp, on a free loopback port, trusting local connections, with
durability off (a test server: 3x faster commits). As root it runs as the ``postgres`` user
(PostgreSQL refuses root). CMD runs with ``CARDSCAN_TEST_DB`` set to the server; the server and
its directory are removed afterwards, whatever CMD did. Without PostgreSQL installed it says
so and exits 4 (`make test` installs it).
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path


def _bin(name: str) -> str | None:
    """Debian keeps the server binaries off PATH, one folder per major version."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
                   key=lambda p: int(p.parts[-3]) if p.parts[-3].isdigit() else 0)
    return str(found[-1]) if found else shutil.which(name)


def free_port() -> int:
    """A free TCP port on the loopback interface (the tests' servers listen there)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_server_user(argv: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return argv
    return ["runuser", "-u", "postgres", "--", *argv]


def main(command: list[str]) -> int:
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not (initdb and pg_ctl):
        print("tests/postgres.py: PostgreSQL is not installed (apt-get install postgresql)",
              file=sys.stderr)
        return 4
    root = Path(tempfile.mkdtemp(prefix="cardscan-pg-"))
    data, port = root / "data", free_port()
    if os.geteuid() == 0:
        user = pwd.getpwnam("postgres")
        os.chown(root, user.pw_uid, user.pw_gid)
    log = root / "server.log"
    try:
        subprocess.run(_as_server_user([initdb, "-D", str(data), "-U", "cardscan",
                                        "--auth=trust", "-E", "UTF8", "--no-sync"]),
                       check=True, stdout=subprocess.DEVNULL)
        options = (f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-l", str(log), "-o", options,
                                        "-w", "start"]), check=True, stdout=subprocess.DEVNULL)
        url = f"postgresql+psycopg://cardscan@127.0.0.1:{port}/postgres"
        print(f"tests/postgres.py: PostgreSQL at {url}", file=sys.stderr)
        return subprocess.run(command, env={**os.environ, "CARDSCAN_TEST_DB": url}).returncode
    finally:
        subprocess.run(_as_server_user([pg_ctl, "-D", str(data), "-m", "immediate", "stop"]),
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    if not args:
        sys.exit(__doc__)
    sys.exit(main(args))
