"""A larger fuzzing pass than the CI test: many generated requests per operation, as an admin and an agent.

    python -m bench.fuzz [--examples 200] [--opensearch-url URL] [--random]

Builds the test scenario (plus demo contacts) in a fresh SQLite database under a temporary folder (or in the empty
database of --database-url, e.g. PostgreSQL, which refuses more than SQLite does), indexes it under
its own prefix on the given engine (default: CONTACT_LOOKUP_OPENSEARCH_URL), serves it on loopback and fuzzes every
operation of the OpenAPI document. Exits 1 when any answer is a 5xx or breaks the document.
"""

from __future__ import annotations

import argparse
import sys

from bench.served import add_arguments as served_arguments
from bench.served import served_run
from tests.support.fuzz import fuzz


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--examples", type=int, default=200, help="generated requests per operation and mode")
    served_arguments(parser)
    parser.add_argument("--demo-contacts", type=int, default=200)
    parser.add_argument("--random", action="store_true", help="a new random seed instead of the fixed one")
    args = parser.parse_args()
    with served_run(parser, args, name="fuzz", demo_contacts=args.demo_contacts) as served:
        tokens = {role: served.scenario.tokens[role] for role in ("admin", "agent", "agent-bu02")}
        report = fuzz(served.url, tokens, examples=args.examples, derandomize=not args.random)
    print("\n".join(report.lines()))
    return 0 if report.server_errors == 0 and not report.failures else 1


if __name__ == "__main__":
    sys.exit(main())
