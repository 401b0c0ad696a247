"""Running the query layer's Cypher: read transactions only, with a server-side timeout, and
driver failures turned into the one-line errors of ``graph.errors``.

A public query runs all its statements in one managed read transaction (``Reader.run``): one
BEGIN/COMMIT instead of one per statement, a consistent view of the graph, and one timeout for
the whole answer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any, LiteralString, TypeVar

from neo4j import READ_ACCESS, Driver, ManagedTransaction, Record, unit_of_work
from neo4j.exceptions import ClientError, ServiceUnavailable, SessionExpired

from graph.errors import DatabaseUnavailable, QueryTimeout
from queries import cypher
from queries.versioned import VersionedCache

DEFAULT_TIMEOUT = 30.0
MEMO_SIZE = 4096  # remembered answers of static look-ups (regions of a category, ...)
ANSWERS_SIZE = 512  # remembered answers to whole questions (paths, connect)
T = TypeVar("T")

_NO_STAMP = (-1, "")
_memo: VersionedCache[list[dict[str, Any]]] = VersionedCache(MEMO_SIZE)
_answers: VersionedCache[Any] = VersionedCache(ANSWERS_SIZE)


def forget_answers() -> None:
    """Drops every remembered answer (not the route index, nor the look-ups): what the
    benchmark does before each timed call, so that it times the search, not the memory."""
    _answers.clear()


class Reader:
    """Where and how long queries may run: one per request, built from the caller's driver."""

    def __init__(
        self, driver: Driver, database: str | None = None, timeout: float | None = None
    ) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout or DEFAULT_TIMEOUT
        self._tx: ManagedTransaction | None = None
        self._stamp: tuple[int, str] | None = _NO_STAMP

    def run(self, work: Callable[[Reader], T]) -> T:
        """Calls ``work(self)`` inside one managed read transaction: every statement it issues
        runs there, and the driver retries the whole of it on transient errors."""
        if self._tx is not None:
            return work(self)

        @unit_of_work(timeout=self.timeout)
        def in_transaction(tx: ManagedTransaction) -> T:
            self._tx = tx
            try:
                return work(self)
            finally:
                self._tx = None

        with self._errors(), self._session() as session:
            result: T = session.execute_read(in_transaction)
            return result

    def rows(self, statement: LiteralString, /, **params: Any) -> list[Record]:
        """Runs one statement (in the open transaction, else in its own) and returns its
        records."""
        if self._tx is not None:
            with self._errors():
                return list(self._tx.run(statement, params))
        with self._errors(), self._session() as session:
            tx = session.begin_transaction(timeout=self.timeout)
            try:
                return list(tx.run(statement, params))
            finally:
                tx.close()

    def one(self, statement: LiteralString, /, **params: Any) -> Record | None:
        records = self.rows(statement, **params)
        return records[0] if records else None

    def dicts(self, statement: LiteralString, /, **params: Any) -> list[dict[str, Any]]:
        """``rows`` as plain dicts with Python dates, ready for pydantic and JSON."""
        return [_plain(record.data()) for record in self.rows(statement, **params)]

    def first_dict(self, statement: LiteralString, /, **params: Any) -> dict[str, Any] | None:
        found = self.dicts(statement, **params)
        return found[0] if found else None

    def timed_out(self) -> QueryTimeout:
        """The error of an answer that took longer than the query timeout (in Neo4j or in the
        in-memory route search)."""
        return QueryTimeout(
            f"the query took longer than {self.timeout:g} s: ask for fewer "
            "hops, a smaller k, or raise S3GRAPH_QUERY_TIMEOUT"
        )

    def stamp(self) -> tuple[int, str] | None:
        """The graph's version and the time of its last load (read once per Reader); None when
        the graph has never been versioned (then nothing may be cached)."""
        if self._stamp == _NO_STAMP:
            record = self.one(cypher.GRAPH_STAMP)
            if record is None or record["version"] is None:
                self._stamp = None
            else:
                self._stamp = (int(record["version"]), str(record["updated_at"]))
        return self._stamp

    def remembered(self, key: Hashable, work: Callable[[Reader], T]) -> T:
        """``work(self)``, answered from memory when the same question (``key``) was asked of
        the same graph version on the same day (scores age with the date): people in a
        workshop ask the same things. A copy is returned, so callers may change it."""
        stamp = self.stamp()
        full_key = (key, date.today())
        found = _answers.get(self.database, stamp, full_key)
        if found is None:
            found = work(self)
            _answers.put(self.database, stamp, full_key, found)
        return copy.deepcopy(found)

    def memo_one(self, statement: LiteralString, /, **params: Any) -> dict[str, Any] | None:
        """``one`` for look-ups that change only when the graph is reloaded (the regions of a
        category, a domain's subdomains): answered from memory for the same graph version."""
        found = self.memo_rows(statement, **params)
        return found[0] if found else None

    def memo_rows(self, statement: LiteralString, /, **params: Any) -> list[dict[str, Any]]:
        """``rows`` as dicts, remembered per graph version like ``memo_one`` (read-only: the
        same dicts are handed to every caller)."""
        stamp = self.stamp()
        if stamp is None:
            return [r.data() for r in self.rows(statement, **params)]
        key = (statement, _freeze(params))
        found = _memo.get(self.database, stamp, key)
        if found is None:
            found = [r.data() for r in self.rows(statement, **params)]
            _memo.put(self.database, stamp, key, found)
        return found

    def _session(self) -> Any:
        return self.driver.session(
            database=self.database,
            default_access_mode=READ_ACCESS,
            notifications_min_severity="OFF",
        )

    @contextmanager
    def _errors(self) -> Iterator[None]:
        try:
            yield
        except ClientError as exc:
            if "TransactionTimedOut" in (exc.code or "") or "Terminated" in (exc.code or ""):
                raise self.timed_out() from exc
            raise
        except (ServiceUnavailable, SessionExpired) as exc:
            raise DatabaseUnavailable(f"Neo4j is not reachable ({exc})") from exc


def _plain(value: Any) -> Any:
    """Neo4j temporal values become Python ones, so pydantic and JSON take them."""
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    to_native = getattr(value, "to_native", None)
    if callable(to_native):
        return to_native()
    return value


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _freeze(v)) for k, v in value.items()))
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_freeze(v) for v in value)
    return value
