"""Which PostgreSQL driver, and where the hub's write jobs run: the measurement behind
docs/decisions/0025-postgresql-store.md.

A job here is what a transfer's write job looks like to the database: 12 statements,
6 indexed reads and 6 inserts, 50 jobs to a commit, on a primary with a synchronous
standby. Each way is run twice (best kept), first with an idle event loop, then with the
loop kept about 70 % busy, as a hub's loop is under load.

    .venv/bin/pip install asyncpg   # not a dependency of bluelight; only to compare
    .venv/bin/python bench/pg_drivers.py var/pg-drivers

Prints one JSON object: jobs per second and microseconds per statement for each."""

from __future__ import annotations

import asyncio
import json
import sys
import time
from pathlib import Path

import psycopg
from sqlalchemy.util import await_only, greenlet_spawn

from bluelight.hub.adapters.storage.pg_servers import PgCluster

N_JOBS, STATEMENTS, BATCH = 2000, 12, 50


def job(execute, i: int) -> None:
    for k in range(STATEMENTS // 2):
        execute("SELECT v FROM kv WHERE k = %s", (k,))
        execute("INSERT INTO log (k, body) VALUES (%s, %s)", (i, b"x" * 300))


async def keep_busy(stop: asyncio.Event) -> None:
    """0.7 ms of CPU, then 0.3 ms waiting, until told to stop."""
    while not stop.is_set():
        started = time.perf_counter()
        while time.perf_counter() - started < 0.0007:
            pass
        await asyncio.sleep(0.0003)


async def on_the_loop(conn, execute) -> float:
    """Every batch as synchronous code in a greenlet on the event loop (SQLAlchemy's
    bridge): each statement suspends the job until the async driver's reply."""

    def batch(start):
        await_only(conn.execute("BEGIN"))
        for i in range(start, start + BATCH):
            job(execute, i)
        await_only(conn.execute("COMMIT"))

    started = time.perf_counter()
    for start in range(0, N_JOBS, BATCH):
        await greenlet_spawn(batch, start)
    await conn.close()
    return time.perf_counter() - started


async def psycopg_async_greenlet(dsn: str) -> float:
    conn = await psycopg.AsyncConnection.connect(dsn, autocommit=True)

    def execute(sql, args):
        cursor = await_only(conn.execute(sql, args))
        return await_only(cursor.fetchall()) if cursor.description else None

    return await on_the_loop(conn, execute)


async def asyncpg_greenlet(dsn: str) -> float:
    import asyncpg

    # asyncpg takes one host here: the primary's (the first in the URL).
    conn = await asyncpg.connect(dsn.split("&target_session_attrs")[0]
                                 .replace(",127.0.0.1", "").split(",")[0])

    def execute(sql, args):
        return await_only(conn.fetch(sql.replace("%s", "$1", 1).replace("%s", "$2", 1),
                                     *args))

    return await on_the_loop(conn, execute)


async def psycopg_sync_thread(dsn: str) -> float:
    conn = psycopg.connect(dsn, autocommit=True)

    def execute(sql, args):
        cursor = conn.execute(sql, args)
        return cursor.fetchall() if cursor.description else None

    def batch(start):
        conn.execute("BEGIN")
        for i in range(start, start + BATCH):
            job(execute, i)
        conn.execute("COMMIT")

    started = time.perf_counter()
    for start in range(0, N_JOBS, BATCH):
        await asyncio.to_thread(batch, start)
    conn.close()
    return time.perf_counter() - started


async def main(dsn: str) -> dict:
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS kv (k int PRIMARY KEY, v text)")
        conn.execute("INSERT INTO kv SELECT g, 'v' FROM generate_series(0, 20) g"
                     " ON CONFLICT DO NOTHING")
        conn.execute("CREATE TABLE IF NOT EXISTS log (id bigserial PRIMARY KEY, k int,"
                     " body bytea)")
    ways = [psycopg_sync_thread, psycopg_async_greenlet]
    try:
        import asyncpg  # noqa: F401
        ways.append(asyncpg_greenlet)
    except ImportError:
        print("asyncpg not installed: skipped", file=sys.stderr)
    out = {}
    for busy in (False, True):
        for way in ways:
            stop = asyncio.Event()
            loader = asyncio.create_task(keep_busy(stop)) if busy else None
            best = min([await way(dsn) for _ in range(2)])
            stop.set()
            if loader:
                await loader
            out[way.__name__ + ("_busy_loop" if busy else "")] = {
                "jobs_per_s": round(N_JOBS / best),
                "us_per_statement": round(best / (N_JOBS * STATEMENTS) * 1e6, 1)}
    return out


if __name__ == "__main__":
    cluster = PgCluster(Path(sys.argv[1] if len(sys.argv) > 1 else "var/pg-drivers"))
    try:
        cluster.init()
        print(json.dumps(asyncio.run(main(cluster.dsn))))
    finally:
        cluster.remove()
