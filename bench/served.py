"""The part `bench.fuzz` and `bench.load` share: an engine to use, and the test scenario served on loopback from a
throwaway home under a prefix of its own."""

from __future__ import annotations

import argparse
import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from tests.support.served import Served, served_scenario


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--opensearch-url", default=os.environ.get("CONTACT_LOOKUP_OPENSEARCH_URL", ""))
    parser.add_argument("--database-url", default=None, help="an empty database; default: a temporary SQLite file")


@contextlib.contextmanager
def served_run(
    parser: argparse.ArgumentParser, args: argparse.Namespace, *, name: str, demo_contacts: int, workers: int = 1
) -> Iterator[Served]:
    if not args.opensearch_url:
        parser.error(
            "give --opensearch-url or set CONTACT_LOOKUP_OPENSEARCH_URL (e.g. `contact-lookup opensearch start`)"
        )
    with (
        tempfile.TemporaryDirectory(prefix=f"contact-lookup-{name}-") as home,
        served_scenario(
            home=Path(home),
            opensearch_url=args.opensearch_url,
            database_url=args.database_url,
            index_prefix=f"{name}-{uuid.uuid4().hex[:8]}",
            demo_contacts=demo_contacts,
            workers=workers,
        ) as served,
    ):
        yield served
