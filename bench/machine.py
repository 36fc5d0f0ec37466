"""Describe the machine and the software versions a benchmark ran on."""

from __future__ import annotations

import os
import platform
import sqlite3
import sys
from importlib import metadata

PACKAGES = ("Django", "djangorestframework", "django-filter", "gunicorn", "psycopg", "whitenoise")


def _read(path: str) -> str:
    try:
        with open(path) as source:
            return source.read()
    except OSError:
        return ""


def _field(text: str, name: str, separator: str = ":") -> str:
    for line in text.splitlines():
        key, _sep, value = line.partition(separator)
        if key.strip() == name:
            return value.strip().strip('"')
    return ""


def describe_machine() -> dict:
    """CPU count and model, memory, load and operating system of this machine."""
    meminfo = _read("/proc/meminfo")
    memory_kb = _field(meminfo, "MemTotal").split()
    return {
        "nproc": len(os.sched_getaffinity(0)),
        "cpu_model": _field(_read("/proc/cpuinfo"), "model name"),
        "memory_gb": round(int(memory_kb[0]) / 2**20, 1) if memory_kb else None,
        "os": _field(_read("/etc/os-release"), "PRETTY_NAME", "="),
        "kernel": platform.release(),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
    }


def describe_versions() -> dict:
    """Versions of Python, SQLite and the Python packages that serve the measured requests."""
    versions: dict[str, str | None] = {"python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
                "python_executable": sys.executable}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    return versions
