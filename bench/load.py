"""Mixed agent traffic against the service on loopback, bounded in time and in requests.

    python -m bench.load [--contacts 2000] [--concurrency 8] [--duration 20] [--workers 2] [--json]

Builds a fresh SQLite database (or uses --database-url, e.g. an empty PostgreSQL database) with the test
scenario plus demo contacts, indexes it under its own prefix on the given engine (default:
CONTACT_LOOKUP_OPENSEARCH_URL), serves it with `contact-lookup serve` and runs simulated agents: quick searches
by phone and by name (`like`), advanced searches, their recent communications, contact contexts, and writes
(logged communications, contact patches). Reports requests/s, p50/p99 and the error count, in all and per
operation. Rate limits are off: this measures the service, not the limiter.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from dataclasses import asdict, replace

from bench.served import add_arguments as served_arguments
from bench.served import served_run
from tests.support import traffic


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    served_arguments(parser)
    parser.add_argument("--contacts", type=int, default=2000, help="demo contacts besides the scenario's")
    parser.add_argument("--concurrency", type=int, default=8, help="simulated agents sending at once")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds of traffic (upper bound)")
    parser.add_argument("--requests", type=int, default=None, help="requests in all (upper bound)")
    parser.add_argument("--workers", type=int, default=2, help="API worker processes")
    parser.add_argument("--think", type=float, default=0.0, help="mean pause of an agent between requests (s)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args()
    with served_run(parser, args, name="load", demo_contacts=args.contacts, workers=args.workers) as served:
        target = replace(traffic.prepare_target(served.engine, url=""), url=served.url)
        started = time.monotonic()
        samples = asyncio.run(
            traffic.run(
                target,
                concurrency=args.concurrency,
                duration_s=args.duration,
                max_requests=args.requests,
                think_s=args.think,
            )
        )
        summary = traffic.summarise(samples, seconds=time.monotonic() - started)

    if args.json:
        print(json.dumps({**asdict(summary), "per_second": round(summary.per_second, 1)}, indent=2))
    else:
        print(render(summary, args))
    return 0


def render(summary: traffic.Summary, args: argparse.Namespace) -> str:
    lines = [
        f"{summary.requests} requests in {summary.seconds:.1f} s: {summary.per_second:.1f} requests/s, "
        f"p50 {summary.p50_ms} ms, p99 {summary.p99_ms} ms, {summary.errors} errors "
        f"({args.concurrency} agents, {args.workers} workers, {args.contacts} demo contacts)",
        f"statuses: {summary.by_status}",
        f"{'operation':<20}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}{'errors':>8}",
    ]
    for name, figures in summary.by_operation.items():
        lines.append(
            f"{name:<20}{figures['requests']:>10.0f}{figures['p50_ms']:>10.1f}{figures['p99_ms']:>10.1f}"
            f"{figures['errors']:>8.0f}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
