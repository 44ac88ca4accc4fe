"""Throwaway PostgreSQL databases for bench runs, on the server DATABASE_URL names.

A run of the order journey sells a few hundred seats of the demo event: in the developer's database
the seats would run out after a few runs (and the orders would stay there), so each run migrates and
loads a database of its own and drops it at the end.
"""

import os
from urllib.parse import urlsplit, urlunsplit


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


def maintenance_url(url: str) -> str:
    """The server's `postgres` database: DATABASE_URL may name one that does not exist (the suite's
    is made by pytest-django under another name), and a database cannot drop itself."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def recreate(url: str, name: str, *, create: bool = True) -> str:
    """Drop the database `name` on `url`'s server and, with `create`, make it anew; returns its URL."""
    import psycopg

    with psycopg.connect(maintenance_url(url), autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            connection.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


def throwaway_name(url: str, suffix: str) -> str:
    return f"{urlsplit(url).path.lstrip('/') or 'postgres'}_{suffix}"


def run_database(url: str) -> str | None:
    """A new empty database for this run (None when `url` is not PostgreSQL: SQLite gets a file of its own)."""
    if not is_postgres(url):
        return None
    return recreate(url, throwaway_name(url, f"bench_{os.getpid()}"))


def drop(url: str, run_url: str) -> None:
    recreate(url, urlsplit(run_url).path.lstrip("/"), create=False)
