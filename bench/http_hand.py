"""The HTTP benchmark written by hand: httpx.AsyncClient, one POST per record, a semaphore of 32."""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

import httpx

CONCURRENCY = 32


async def post_all(base_url: str, records: list[Any], concurrency: int = CONCURRENCY) -> dict[str, int]:
    """POST every record to `base_url`/sink, at most `concurrency` at once; fail on the first non-2xx answer."""
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    semaphore = asyncio.Semaphore(concurrency)
    sent = 0

    async with httpx.AsyncClient(base_url=base_url, limits=limits, timeout=30) as client:

        async def post(record: Any) -> None:
            nonlocal sent
            async with semaphore:
                response = await client.post("/sink", json=record)
                response.raise_for_status()
                sent += 1

        await asyncio.gather(*(post(r) for r in records))
    return {"sent": sent}


def main() -> None:
    with open(sys.argv[2], encoding="utf-8") as handle:
        records = json.load(handle)
    print(json.dumps(asyncio.run(post_all(sys.argv[1], records))))


if __name__ == "__main__":
    main()
