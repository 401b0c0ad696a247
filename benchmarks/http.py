"""HTTP benchmark: bounded load on loopback against ``s3graph serve``, from a process of its own
(async httpx clients): requests/s, p50/p95 and errors.

- ``repeat``: the questions of a workshop asked over and over (``/paths`` and ``/connect`` of the
  seed's example): what the remembered answers serve;
- ``distinct``: every request a different ``/paths`` or ``/connect`` question (``--distinct``, a
  JSON list of request paths), so each is computed;
- ``/regions/{nuts_id}``: a look-up;
- ``flood`` (``--flood``, against a service started with a per-client limit): one client sends
  as fast as it can while another asks once every 100 ms; the flooder should get 429 with
  ``Retry-After``, the other client none.

Each worker is a client of its own loopback address (127.0.0.11, .12, ...), as the people of a
workshop are. Bounded twice: at most ``--requests`` requests and ``--seconds`` seconds per phase,
``--concurrency`` in flight. Loopback only: the base URL must be 127.0.0.1 or localhost.

    uv run python -m benchmarks.http --base http://127.0.0.1:8765 --out http.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

# The seed's example as a workshop asks it: Nordjylland to its partner regions and themes.
REPEAT: list[str] = [
    "/connect?us=DK05&x=BG31&kind=region",
    "/connect?us=DK05&x=EL43&kind=region",
    "/connect?us=DK05&x=PT11&kind=region",
    "/connect?us=DK05&x=tourism&kind=domain",
    "/paths?from=DK05&to_category=less%20developed",
    "/paths?from=DK05&to=CY00",
    "/paths?from=DK05&to=ITG1&domain=tourism",
    "/paths?from=DK05&to_category=transition",
]
LOOKUPS: list[str] = [
    "/regions/DK05",
    "/regions/BG31",
    "/regions/ITG1",
    "/regions/CY00",
    "/regions/NO07",
]
FLOOD_PATH = "/regions/DK05"
FLOODER, POLITE = "127.0.0.200", "127.0.0.201"


def _p(ordered: Sequence[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _client(base: str, address: str) -> httpx.AsyncClient:
    transport = httpx.AsyncHTTPTransport(local_address=address)
    return httpx.AsyncClient(base_url=base, timeout=60.0, transport=transport)


def _figures(latencies: list[float], errors: dict[str, int], elapsed: float) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
        "p95_ms": round(_p(ordered, 0.95) * 1000, 2) if ordered else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


async def _load(
    base: str, paths: list[str], cycle: bool, requests: int, seconds: float, concurrency: int
) -> dict[str, Any]:
    """``concurrency`` clients, each of its own address, through ``paths`` (cycled, or each
    once)."""
    latencies: list[float] = []
    errors: dict[str, int] = {}
    issued = 0
    limit = requests if cycle else min(requests, len(paths))
    deadline = time.perf_counter() + seconds

    async def worker(number: int) -> None:
        nonlocal issued
        async with _client(base, f"127.0.0.{11 + number}") as client:
            while issued < limit and time.perf_counter() < deadline:
                path = paths[issued % len(paths)]
                issued += 1
                began = time.perf_counter()
                try:
                    response = await client.get(path)
                    ok, reason = response.status_code == 200, str(response.status_code)
                except httpx.HTTPError as exc:
                    ok, reason = False, type(exc).__name__
                latencies.append(time.perf_counter() - began)
                if not ok:
                    errors[reason] = errors.get(reason, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(worker(i) for i in range(concurrency)))
    return {
        **_figures(latencies, errors, time.perf_counter() - began),
        "concurrency": concurrency,
        "distinct_requests": min(len(paths), len(latencies)),
    }


async def flood(base: str, seconds: float, concurrency: int = 4) -> dict[str, Any]:
    """One client floods while another asks every 100 ms."""
    statuses: dict[int, int] = {}
    retry_after: list[str] = []
    polite: list[float] = []
    polite_errors: dict[str, int] = {}
    deadline = time.perf_counter() + seconds

    async def flooder(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < deadline:
            try:
                response = await client.get(FLOOD_PATH)
            except httpx.HTTPError:
                statuses[-1] = statuses.get(-1, 0) + 1
                continue
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            if response.status_code == 429 and len(retry_after) < 5:
                retry_after.append(response.headers.get("Retry-After", ""))

    async def other() -> None:
        async with _client(base, POLITE) as client:
            while time.perf_counter() < deadline:
                began = time.perf_counter()
                try:
                    response = await client.get(FLOOD_PATH)
                    reason = "" if response.status_code == 200 else str(response.status_code)
                except httpx.HTTPError as exc:
                    reason = type(exc).__name__
                polite.append(time.perf_counter() - began)
                if reason:
                    polite_errors[reason] = polite_errors.get(reason, 0) + 1
                await asyncio.sleep(0.1)

    async with _client(base, FLOODER) as client:
        began = time.perf_counter()
        await asyncio.gather(*(flooder(client) for _ in range(concurrency)), other())
        elapsed = time.perf_counter() - began
    sent = sum(statuses.values())
    return {
        "flooder": {
            "requests": sent,
            "requests_per_s": round(sent / elapsed, 1),
            "ok": statuses.get(200, 0),
            "refused_429": statuses.get(429, 0),
            "other": {k: v for k, v in statuses.items() if k not in (200, 429)},
            "retry_after_samples": retry_after,
        },
        "other_client": _figures(polite, polite_errors, elapsed),
    }


async def run(
    base: str,
    requests: int,
    seconds: float,
    concurrency: int,
    distinct: list[str],
    warm_up: int = 2,
) -> dict[str, Any]:
    host = urlsplit(base).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing to load {host}: the HTTP benchmark runs on loopback only")
    results: dict[str, Any] = {}
    async with _client(base, "127.0.0.10") as client:
        for path in (REPEAT + LOOKUPS) * warm_up:  # the remembered answers, as in a workshop
            await client.get(path)
    results["repeat"] = await _load(base, REPEAT, True, requests, seconds, concurrency)
    if distinct:
        results["distinct"] = await _load(base, distinct, False, requests, seconds, concurrency)
    results["/regions/{nuts_id}"] = await _load(base, LOOKUPS, True, requests, seconds, concurrency)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Bounded HTTP load on loopback.")
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8765")
    parser.add_argument("--requests", type=int, default=3000, help="per phase, at most")
    parser.add_argument("--seconds", type=float, default=15.0, help="per phase, at most")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--distinct", type=Path, help="JSON list of distinct request paths")
    parser.add_argument(
        "--flood", action="store_true", help="only the flood phase (a service with a limit)"
    )
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if args.flood:
        results = asyncio.run(flood(args.base, min(args.seconds, 8.0)))
    else:
        distinct = json.loads(args.distinct.read_text()) if args.distinct else []
        results = asyncio.run(
            run(args.base, args.requests, args.seconds, args.concurrency, distinct)
        )
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
