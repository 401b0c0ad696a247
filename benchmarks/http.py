"""HTTP benchmark: a bounded load on loopback against ``s3graph serve``, from a process of its
own (an async httpx client): requests/s, p50/p95 and errors for ``/connect`` and a look-up.

Bounded twice: each endpoint gets at most ``--requests`` requests and ``--seconds`` seconds,
with ``--concurrency`` in flight. Loopback only: the base URL must be 127.0.0.1 or localhost.

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

# Rotated so that the load is not one cached answer: Nordjylland to a Bulgarian, a Greek and a
# Portuguese region and to a domain; look-ups of the partnership's regions.
ENDPOINTS: dict[str, list[str]] = {
    "/connect": [
        "/connect?us=DK05&x=BG31&kind=region",
        "/connect?us=DK05&x=EL43&kind=region",
        "/connect?us=DK05&x=PT11&kind=region",
        "/connect?us=DK05&x=tourism&kind=domain",
    ],
    "/regions/{nuts_id}": [
        "/regions/DK05",
        "/regions/BG31",
        "/regions/ITG1",
        "/regions/CY00",
        "/regions/NO06",
    ],
}


def _p(ordered: Sequence[float], share: float) -> float:
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def _load(
    client: httpx.AsyncClient, paths: list[str], requests: int, seconds: float, concurrency: int
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    issued = 0
    deadline = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal issued
        while issued < requests and time.perf_counter() < deadline:
            path = paths[issued % len(paths)]
            issued += 1
            began = time.perf_counter()
            try:
                response = await client.get(path)
                ok = response.status_code == 200
                reason = str(response.status_code)
            except httpx.HTTPError as exc:
                ok, reason = False, type(exc).__name__
            latencies.append(time.perf_counter() - began)
            if not ok:
                errors[reason] = errors.get(reason, 0) + 1

    began = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - began
    ordered = sorted(latencies)
    return {
        "requests": len(latencies),
        "seconds": round(elapsed, 3),
        "requests_per_s": round(len(latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(statistics.median(ordered) * 1000, 2) if ordered else None,
        "p95_ms": round(_p(ordered, 0.95) * 1000, 2) if ordered else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "concurrency": concurrency,
    }


async def run(
    base: str, requests: int, seconds: float, concurrency: int, warm_up: int = 20
) -> dict[str, Any]:
    host = urlsplit(base).hostname
    if host not in {"127.0.0.1", "localhost", "::1"}:
        raise SystemExit(f"refusing to load {host}: the HTTP benchmark runs on loopback only")
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    results: dict[str, Any] = {}
    async with httpx.AsyncClient(base_url=base, timeout=30.0, limits=limits) as client:
        for name, paths in ENDPOINTS.items():
            for path in paths * max(1, warm_up // len(paths)):
                await client.get(path)
            results[name] = await _load(client, paths, requests, seconds, concurrency)
    return results


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Bounded HTTP load on loopback.")
    parser.add_argument("--base", required=True, help="e.g. http://127.0.0.1:8765")
    parser.add_argument("--requests", type=int, default=2000, help="per endpoint, at most")
    parser.add_argument("--seconds", type=float, default=15.0, help="per endpoint, at most")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    results = asyncio.run(run(args.base, args.requests, args.seconds, args.concurrency))
    args.out.write_text(json.dumps(results, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
