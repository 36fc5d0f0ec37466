"""The django-helpdesk peer: its own virtual environment, database, data set and gunicorn server.

The harness sets it up itself, with nothing from outside the checkout: a virtual environment at
var/bench/helpdesk-venv with the newest django-helpdesk from PyPI (requirements/bench-helpdesk.txt),
a database on the same PostgreSQL server as Sarv's, the same generated service desk
(bench/helpdesk_peer/load.py, same seed and text generator), and gunicorn with the same
number of sync workers on 127.0.0.1.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import subprocess
import time

from bench.environment import ROOT, SCRATCH
from bench.pgdb import Server
from bench.server import GunicornServer

logger = logging.getLogger(__name__)

VENV = SCRATCH / "helpdesk-venv"
PYTHON = VENV / "bin" / "python"
SITE = ROOT / "bench" / "helpdesk_peer"
REQUIREMENTS = ROOT / "requirements" / "bench-helpdesk.txt"
AGENT = "bench-agent-1"
PASSWORD = "sarv-bench-password"
VERSIONED = ("django-helpdesk", "Django", "djangorestframework", "gunicorn", "psycopg")


def environment(server: Server, database: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith(("HDPEER_", "DJANGO_"))}
    env.update({"DJANGO_SETTINGS_MODULE": "hdsite.settings", "HDPEER_SECRET_KEY": secrets.token_urlsafe(40),
                "HDPEER_DB_NAME": database, "HDPEER_DB_HOST": server.host, "HDPEER_DB_PORT": str(server.port),
                "HDPEER_DB_USER": server.user, "HDPEER_SCRATCH": str(SCRATCH / "helpdesk"),
                "PYTHONUNBUFFERED": "1"})
    return env


def install(upgrade: bool = False) -> dict:
    """Create the peer's virtual environment and install django-helpdesk from PyPI into it (once)."""
    started = time.monotonic()
    if not PYTHON.exists():
        logger.info("Creating %s", VENV)
        # The system's python3, not Sarv's virtual environment: the peer shares none of Sarv's packages.
        subprocess.run(["python3", "-m", "venv", str(VENV)], check=True)
    marker = VENV / ".installed"
    if upgrade or not marker.exists():
        logger.info("Installing django-helpdesk into %s", VENV)
        subprocess.run([str(PYTHON), "-m", "pip", "install", "--quiet", "--upgrade", "-r", str(REQUIREMENTS)],
                       check=True)
        marker.touch()
    return {"venv": str(VENV.relative_to(ROOT)), "install_s": round(time.monotonic() - started, 1),
            "versions": versions()}


def versions() -> dict:
    names = json.dumps(list(VERSIONED))
    code = f"import json, importlib.metadata as m; print(json.dumps({{n: m.version(n) for n in {names}}}))"
    answer = subprocess.run([str(PYTHON), "-c", code], check=True, capture_output=True, text=True)
    return json.loads(answer.stdout)


def _manage(env: dict[str, str], *arguments: str, timeout: float = 1800) -> subprocess.CompletedProcess:
    return subprocess.run([str(PYTHON), *arguments], cwd=SITE, env=env, check=True, timeout=timeout,
                          stdout=subprocess.PIPE, text=True)


def ticket_count(server: Server, database: str) -> int:
    with server.connect(database) as connection:
        row = connection.execute("SELECT to_regclass('helpdesk_ticket') IS NOT NULL").fetchone()
        if not row or not row[0]:
            return 0
        counted = connection.execute("SELECT count(*) FROM helpdesk_ticket").fetchone()
    return int(counted[0]) if counted else 0


def prepare(server: Server, database: str, tickets: int, seed: int, *, fresh: bool) -> dict:
    """Make ``database`` hold exactly ``tickets`` generated tickets; reuse it when it already does."""
    env = environment(server, database)
    record: dict = {"database": database, "load_command": f"cd bench/helpdesk_peer && "
                    f"../../{PYTHON.relative_to(ROOT)} load.py --tickets {tickets} --seed {seed}"}
    existing = server.exists(database)
    if existing and not fresh and ticket_count(server, database) == tickets:
        logger.info("Reusing %s: it holds %s tickets", database, f"{tickets:,}")
        record["reused"] = True
    else:
        server.create(database, replace=existing)
        _manage(env, "manage.py", "migrate", "--no-input", "-v", "0")
        logger.info("Loading %s tickets into %s", f"{tickets:,}", database)
        started = time.monotonic()
        _manage(env, "load.py", "--tickets", str(tickets), "--seed", str(seed), timeout=max(1800, tickets / 100))
        record["load_s"] = round(time.monotonic() - started, 1)
        record["reused"] = False
    started = time.monotonic()
    server.vacuum_analyze(database)
    record["vacuum_analyze_s"] = round(time.monotonic() - started, 1)
    record["size"] = server.size(database)
    record["facts"] = facts(server, database)
    return record


def facts(server: Server, database: str) -> dict:
    """Ids the scenarios need: the biggest queue, ticket ids for the ticket page, the requesters' addresses."""
    with server.connect(database) as connection:
        queue = connection.execute(
            "SELECT queue_id, count(*) FROM helpdesk_ticket GROUP BY 1 ORDER BY 2 DESC LIMIT 1").fetchone()
        tickets = connection.execute("SELECT count(*), min(id), max(id) FROM helpdesk_ticket").fetchone()
        followups = connection.execute("SELECT count(*) FROM helpdesk_followup").fetchone()
        queues = [row[0] for row in connection.execute("SELECT id FROM helpdesk_queue ORDER BY id").fetchall()]
    return {"biggest_queue": {"id": queue[0], "tickets": queue[1]} if queue else None,
            "tickets": tickets[0] if tickets else 0, "min_id": tickets[1] if tickets else None,
            "max_id": tickets[2] if tickets else None, "followups": followups[0] if followups else 0,
            "queue_ids": queues}


def gunicorn(server: Server, database: str, workers: int, ports: range) -> GunicornServer:
    return GunicornServer(SITE, environment(server, database), workers, SCRATCH / "helpdesk-gunicorn.log",
                          ready_path="/login/", app="hdsite.wsgi", python=str(PYTHON), ports=ports)
