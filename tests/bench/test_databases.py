"""bench.databases: each bench run on PostgreSQL gets an empty database of its own, dropped after."""

import os
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest

from bench import databases


def test_a_url_that_is_not_postgresql_gets_no_database_made():
    assert databases.run_database("sqlite:///var/guildhall.sqlite3") is None
    assert databases.run_database("") is None


@pytest.mark.postgres
def test_a_run_database_is_new_and_empty_and_gone_after_the_drop():
    # The suite's DATABASE_URL may name a database that does not exist (CI's): made beside it all the same.
    server = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(path="/guildhall_no_such_database"))
    run_url = databases.run_database(server)
    assert run_url is not None
    name = run_url.rsplit("/", 1)[1]
    assert name == f"{server.rsplit('/', 1)[1]}_bench_{os.getpid()}"
    try:
        with psycopg.connect(run_url) as connection:
            connection.execute("CREATE TABLE sold (seat int)")  # what a run leaves behind
        again = databases.run_database(server)  # the next run from this process starts empty
        with psycopg.connect(again) as connection:
            tables = connection.execute("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").fetchone()
        assert tables == (0,)
    finally:
        databases.drop(server, run_url)
    with psycopg.connect(databases.maintenance_url(server)) as connection:
        left = connection.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [name]).fetchone()
    assert left == (0,)
