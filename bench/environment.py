"""The environment Sarv runs in during a benchmark: settings variables, scratch directory, Python commands."""

from __future__ import annotations

import json
import os
import secrets
import shlex
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Scratch state of benchmark runs (collected static files, SQLite files, server logs); /var/ is not in git.
SCRATCH = ROOT / "var" / "bench"
# Variables shown in the recorded commands; the secret key is left out on purpose.
SHOWN_VARIABLES = ("DATABASE_URL", "SARV_DEBUG", "SARV_HTTPS", "SARV_ALLOWED_HOSTS", "SARV_VAR_DIR")


def sarv_environment(database_url: str) -> dict[str, str]:
    """Variables for every Sarv process of a run: production-like (DEBUG off), plain HTTP on loopback.

    The secret key is random per run; it signs only this run's sessions.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith(("SARV_", "DATABASE_URL"))}
    env.update({
        "DJANGO_SETTINGS_MODULE": "sarv.settings",
        "DATABASE_URL": database_url,
        "SARV_SECRET_KEY": secrets.token_urlsafe(40),
        "SARV_DEBUG": "false",
        "SARV_HTTPS": "false",
        "SARV_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SARV_VAR_DIR": str(SCRATCH),
        "SARV_EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "PYTHONUNBUFFERED": "1",
    })
    return env


def shown_command(command: list[str], env: dict[str, str]) -> str:
    """Format ``command`` as a person would type it from the repository root, with the variables that matter."""
    variables = " ".join(f"{key}={shlex.quote(relative(env[key]))}" for key in SHOWN_VARIABLES if key in env)
    return f"{variables} SARV_SECRET_KEY=... {shlex.join(relative(word) for word in command)}"


def relative(word: str) -> str:
    """Write an absolute path near the repository relative to its root, so commands read the same on any machine."""
    for prefix in ("sqlite:///", ""):
        if word.startswith(prefix + "/") and Path(word[len(prefix):]).is_relative_to(ROOT.parent):
            return prefix + os.path.relpath(word[len(prefix):], ROOT)
    return word


def python_command(*arguments: str) -> list[str]:
    return [sys.executable, *arguments]


def run_python(arguments: list[str], env: dict[str, str], timeout: float) -> subprocess.CompletedProcess:
    """Run a Python script or manage.py command from the repository root; raise when it fails."""
    return subprocess.run(python_command(*arguments), cwd=ROOT, env=env, check=True, timeout=timeout,
                          stdout=subprocess.PIPE, text=True)


def run_json(arguments: list[str], env: dict[str, str], timeout: float) -> dict:
    """Run a script that prints one JSON object on stdout and return that object."""
    return json.loads(run_python(arguments, env, timeout).stdout)
