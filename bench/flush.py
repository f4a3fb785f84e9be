"""A contact PATCH that replaces its subscriptions, at growing sizes, timed side by side in one run.

    python -m bench.flush [--sizes 5 10 20 100] [--services 100] [--items 40] [--rounds 1] [--json]

The real app over ASGI (no network, no engine: a write never searches) on a fresh SQLite database in the
bench workspace. For each size a contact is created with that many subscriptions (each with `--services`
services and `--items` installed items), then one PATCH replaces them all with as many new ones: every old
row deleted, every new one inserted, the change capture of the whole aggregate in one flush. Reports seconds
per PATCH and per subscription, and the per-subscription ratio of the largest size to the second smallest
(100 vs 10 by default): a flush linear in its objects keeps it near 1 (target: under 2).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
import uuid
from typing import Any

import httpx

from bench.common import workspace
from service.app import create_app
from service.auth.service import add_user
from service.db.migrate import upgrade
from service.db.session import build_engine, build_sessionmaker
from service.models.enums import UserRole
from service.settings import Settings

UNREACHABLE_OPENSEARCH = "http://127.0.0.1:9"


def subscriptions(count: int, *, services: int, items: int, tag: str) -> list[dict[str, Any]]:
    return [
        {
            "number": f"{tag}-{n:04d}",
            "status": "effective",
            "billing_term_scheme": "Monthly in advance",
            "billing_frequency": "monthly",
            "services": [{"code": f"SVC-{s:03d}", "name": f"Service {s}"} for s in range(services)],
            "installed_items": [{"product": "Box", "serial_number": f"{tag}-{n:04d}-{i:03d}"} for i in range(items)],
        }
        for n in range(count)
    ]


async def _measure(args: argparse.Namespace) -> dict[str, Any]:
    path = workspace() / f"flush-{uuid.uuid4().hex[:8]}.db"
    settings = Settings(
        home=workspace() / "flush-home",
        database_url=f"sqlite:///{path}",
        opensearch_url=UNREACHABLE_OPENSEARCH,
        rate_limit_per_s=0,
        max_body_bytes=64 * 1024 * 1024,
    )
    engine = build_engine(settings)
    upgrade(engine)
    with build_sessionmaker(engine).begin() as session:
        token = add_user(session, "bench-admin", UserRole.ADMIN, None)[1]
    headers = {"Authorization": f"Bearer {token}"}
    app = create_app(settings)
    rows: dict[int, dict[str, float]] = {}
    try:
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench", timeout=3600) as client:
                # A first round of the smallest size, unmeasured: the first requests pay for warming up.
                for size in [min(args.sizes), *args.sizes]:
                    best = float("inf")
                    for round_ in range(args.rounds):
                        tag = f"S{size}R{round_}N{len(rows)}{uuid.uuid4().hex[:4]}"
                        contact = {
                            "kind": "person",
                            "first_name": "Flush",
                            "last_name": tag,
                            "business_unit": "BU01",
                            "subscriptions": subscriptions(
                                size, services=args.services, items=args.items, tag=f"{tag}A"
                            ),
                        }
                        created = await client.post("/api/contacts", json=contact, headers=headers)
                        created.raise_for_status()
                        body = {
                            "subscriptions": subscriptions(
                                size, services=args.services, items=args.items, tag=f"{tag}B"
                            )
                        }
                        started = time.perf_counter()
                        patched = await client.patch(
                            f"/api/contacts/{created.json()['id']}", json=body, headers=headers
                        )
                        best = min(best, time.perf_counter() - started)
                        patched.raise_for_status()
                    rows[size] = {"seconds": round(best, 4), "per_subscription_ms": round(1000 * best / size, 3)}
    finally:
        engine.dispose()
        path.unlink(missing_ok=True)
    sizes = sorted(rows)
    base = sizes[1] if len(sizes) > 1 else sizes[0]
    ratio = rows[sizes[-1]]["per_subscription_ms"] / rows[base]["per_subscription_ms"]
    return {
        "services": args.services,
        "items": args.items,
        "sizes": rows,
        "ratio_of": [sizes[-1], base],
        "per_subscription_ratio": round(ratio, 2),
    }


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[5, 10, 20, 100], help="subscriptions per PATCH")
    parser.add_argument("--services", type=int, default=100, help="services per subscription")
    parser.add_argument("--items", type=int, default=40, help="installed items per subscription")
    parser.add_argument("--rounds", type=int, default=1, help="PATCHes per size; the fastest is kept")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")
    args = parser.parse_args(argv)
    result = asyncio.run(_measure(args))
    if args.json:
        print(json.dumps(result))
    else:
        print(f"PATCH replacing subscriptions ({args.services} services, {args.items} items each)")
        for size, row in result["sizes"].items():
            print(f"  {size:>4} subscriptions: {row['seconds']:>9.3f} s  {row['per_subscription_ms']:>9.2f} ms each")
        largest, base = result["ratio_of"]
        print(f"  per subscription, {largest} vs {base}: {result['per_subscription_ratio']:.2f}x (target < 2)")
    return result


if __name__ == "__main__":
    main()
