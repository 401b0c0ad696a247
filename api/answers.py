"""The answers the HTTP service remembers: the JSON bytes of ``/paths`` and ``/connect``, per
question (path and query string), graph version and day. People in a workshop ask the same
things; a repeated question then costs no search, no serialisation and, within
``S3GRAPH_VERSION_CHECK_SECONDS`` of the last version check, no round trip to Neo4j."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import date

from fastapi import Request, Response
from pydantic import BaseModel

from api.headers import GRAPH_VERSION
from queries.runner import ANSWERS_SIZE, Reader
from queries.versioned import Stamp, VersionedCache


class AnswerMemory:
    """One per service (``create_app``)."""

    def __init__(self, version_check_seconds: float) -> None:
        self.version_check_seconds = version_check_seconds
        self._bodies: VersionedCache[bytes] = VersionedCache(ANSWERS_SIZE)
        self._versions: dict[str | None, tuple[float, Stamp | None]] = {}
        self._lock = threading.Lock()

    def stamp(self, reader: Reader) -> Stamp | None:
        """The graph version, read again only when the last reading is older than the check
        interval (a load shows in the answers within it)."""
        now = time.monotonic()
        with self._lock:
            held = self._versions.get(reader.database)
        if held is not None and now - held[0] < self.version_check_seconds:
            return held[1]
        stamp = reader.stamp()
        with self._lock:
            self._versions[reader.database] = (now, stamp)
        return stamp

    def json(self, request: Request, reader: Reader, answer: Callable[[], BaseModel]) -> Response:
        """The answer as JSON: the bytes sent before for the same question, else computed."""
        stamp = self.stamp(reader)
        key = (request.url.path, request.url.query, date.today())
        body = self._bodies.get(reader.database, stamp, key)
        if body is None:
            body = answer().model_dump_json(by_alias=True).encode()
            self._bodies.put(reader.database, stamp, key, body)
        headers = {GRAPH_VERSION: str(stamp[0])} if stamp else None
        return Response(body, media_type="application/json", headers=headers)
