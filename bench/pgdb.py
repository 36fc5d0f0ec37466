"""PostgreSQL databases for benchmark runs: create, drop, inspect, with the server's own client tools."""

from __future__ import annotations

import logging
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import psycopg

logger = logging.getLogger(__name__)

# UTF-8 with the C.UTF-8 locale: byte-order sorting like C, but pg_trgm still finds trigrams in Persian text.
CREATE_OPTIONS = ["-T", "template0", "-E", "UTF8", "--lc-collate=C.UTF-8", "--lc-ctype=C.UTF-8"]
# Server settings that decide how fast the list queries can be; recorded with every result.
REPORTED_SETTINGS = ("server_version", "shared_buffers", "work_mem", "effective_cache_size", "random_page_cost",
                     "max_connections", "jit")


@dataclass(frozen=True)
class Server:
    """A PostgreSQL server reached as one role, e.g. ``postgres://postgres@127.0.0.1:5432``."""

    host: str
    port: int
    user: str

    @classmethod
    def from_url(cls, url: str) -> Server:
        parts = urlsplit(url)
        if parts.scheme not in ("postgres", "postgresql") or not parts.hostname:
            raise ValueError(f"{url!r} is not a postgres://user@host:port URL")
        return cls(parts.hostname, parts.port or 5432, parts.username or "postgres")

    def url(self, database: str) -> str:
        return f"postgres://{self.user}@{self.host}:{self.port}/{database}"

    def client_options(self) -> list[str]:
        return ["-h", self.host, "-p", str(self.port), "-U", self.user]

    def create_command(self, database: str) -> list[str]:
        return ["createdb", *self.client_options(), *CREATE_OPTIONS, database]

    def connect(self, database: str = "postgres") -> psycopg.Connection:
        return psycopg.connect(host=self.host, port=self.port, user=self.user, dbname=database, autocommit=True)

    def exists(self, database: str) -> bool:
        with self.connect() as connection:
            return connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is not None

    def create(self, database: str, *, replace: bool = False) -> None:
        """Create an empty ``database``; with ``replace``, drop an existing one first (it must be unused)."""
        if replace and self.exists(database):
            logger.info("Dropping database %s", database)
            subprocess.run(["dropdb", *self.client_options(), database], check=True)
        logger.info("Creating database %s: %s", database, " ".join(self.create_command(database)))
        subprocess.run(self.create_command(database), check=True)

    def clone(self, source: str, target: str) -> float:
        """Make ``target`` a fresh copy of ``source`` (``createdb -T``, a file copy); return the seconds it took.

        Runs that write (creation scenarios, the load run) work on a copy, so the generated
        data set stays exact and is reused by the next run.
        """
        started = time.monotonic()
        if self.exists(target):
            subprocess.run(["dropdb", *self.client_options(), target], check=True)
        subprocess.run(["createdb", *self.client_options(), "-T", source, target], check=True)
        logger.info("Copied database %s to %s", source, target)
        return round(time.monotonic() - started, 1)

    def drop(self, database: str) -> None:
        if self.exists(database):
            subprocess.run(["dropdb", *self.client_options(), database], check=True)

    def settings(self, database: str = "postgres") -> dict[str, str]:
        with self.connect(database) as connection:
            # current_setting() gives sizes in readable units ("128MB"), unlike pg_settings.setting.
            rows = connection.execute("SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
                                      [list(REPORTED_SETTINGS)]).fetchall()
            version = connection.execute("SELECT version()").fetchone()
        values = dict(rows)
        values["version"] = version[0] if version else ""
        return values

    def size(self, database: str, top: int = 6) -> dict:
        """Size of ``database`` and of its largest tables (with their indexes and TOAST data)."""
        with self.connect(database) as connection:
            total = connection.execute("SELECT pg_database_size(current_database())").fetchone()
            tables = connection.execute(
                "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'r' AND n.nspname = 'public' "
                "ORDER BY 2 DESC LIMIT %s", [top]).fetchall()
        return {"database_mb": round((total[0] if total else 0) / 2**20, 1),
                "largest_tables_mb": {name: round(size / 2**20, 1) for name, size in tables}}

    def vacuum_analyze(self, database: str) -> None:
        """Vacuum and analyze every table, as autovacuum does shortly after a bulk load.

        Without it, a just-loaded table has no visibility map, so counts cannot use index-only
        scans, and the first measurements would pay for setting hint bits.
        """
        with self.connect(database) as connection:
            connection.execute("VACUUM (ANALYZE)")
