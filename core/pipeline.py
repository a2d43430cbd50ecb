"""PostgreSQL: statements whose results nobody reads go to the server together (psycopg's pipeline mode).

A request's last writes — a decision's lines, its audit entry — each cost a round trip to the server, and
on a busy machine a round trip is a context switch to the server's process and back, not only the
loopback's microseconds. Inside :func:`pipelined` they are sent one after the other without waiting and
their results are read once, at the end. Only statements whose results (rows, ``rowcount``) are not read
may run inside: a result is not there until the block ends. A failure of any of them is raised as the
block ends, as the SQLAlchemy error (``IntegrityError`` …) the statement itself would have raised, and the
transaction is then in error as it would have been. On SQLite the block does nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import exc


@contextmanager
def pipelined(connection: Any) -> Iterator[None]:
    """Send the statements run on ``connection`` (a SQLAlchemy connection in a transaction) inside the block
    together on PostgreSQL; read their results once when it ends."""
    if connection.dialect.name != "postgresql":
        yield
        return
    import psycopg

    driver = connection.connection.driver_connection
    try:
        with driver.pipeline():
            yield
    except psycopg.Error as error:  # raised by the sync that ends the block: what the statement would raise
        raise exc.DBAPIError.instance(None, None, error, psycopg.Error) from error
