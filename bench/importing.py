"""Import-to-searchable against `index rebuild` of the same database, side by side in one run.

The demo database of N contacts is exported as the JSONL an adopting company would bring (the write API's
fields, one contact a line, by external id; access tokens without their secrets, which only exist as hashes).
Then, on the same engine:

1. into a fresh database whose indices exist (empty), `contact-lookup import FILE` then `contact-lookup index
   sync --once`: every imported contact stored and searchable;
2. `contact-lookup index rebuild` of that very database (the engine's own indexing of the same rows: the floor).

Each step is a child process whose wall time, CPU time and peak RSS are read from wait4. The ratio is (1) / (2).
The bench's indices are deleted afterwards (they live on the cluster CONTACT_LOOKUP_OPENSEARCH_URL names, if any).

    python -m bench.importing --contacts 20000
"""

from __future__ import annotations

import argparse
import uuid
from pathlib import Path
from typing import Any

import orjson
from opensearchpy import OpenSearch
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from bench.common import Child, cli, demo_database, engine_node, workspace
from service.contacts.schemas import (
    AccessTokenIn,
    AddressIn,
    ARAccountIn,
    EmailIn,
    PhoneIn,
    SubscriptionIn,
    WorkItemIn,
)
from service.contacts.service import SCALARS
from service.db.session import build_engine, build_sessionmaker
from service.models import Contact, Subscription
from service.settings import Settings

_LISTS = {
    "addresses": (AddressIn, {"type": "address_type"}),
    "phones": (PhoneIn, {"type": "phone_type"}),
    "emails": (EmailIn, {"type": "email_type"}),
    "access_tokens": (AccessTokenIn, {"type": "token_type"}),
    "ar_accounts": (ARAccountIn, {}),
    "subscriptions": (SubscriptionIn, {}),
    "work_items": (WorkItemIn, {}),
}


def _item(row: Any, schema: type, names: dict[str, str]) -> dict[str, Any]:
    values = {}
    for field in schema.model_fields:  # type: ignore[attr-defined]
        if field == "secret":
            continue
        value = getattr(row, names.get(field, field))
        if field in {"services", "installed_items"}:
            value = [
                {k: getattr(x, k) for k in ("code", "name", "mandatory", "product", "serial_number") if hasattr(x, k)}
                for x in value
            ]
        values[field] = value
    return values


def export_jsonl(database_url: str, path: Path) -> int:
    engine = build_engine(Settings(database_url=database_url))
    count = 0
    options = [selectinload(getattr(Contact, name)) for name in _LISTS if name != "subscriptions"]
    options += [
        selectinload(Contact.subscriptions).selectinload(Subscription.services),
        selectinload(Contact.subscriptions).selectinload(Subscription.installed_items),
    ]
    with build_sessionmaker(engine)() as session, path.open("wb") as out:
        last = 0
        while True:
            page = session.scalars(
                select(Contact).where(Contact.id > last).order_by(Contact.id).limit(1000).options(*options)
            ).all()
            if not page:
                break
            for contact in page:
                line = {name: getattr(contact, name) for name in SCALARS}
                for name, (schema, names) in _LISTS.items():
                    line[name] = [_item(row, schema, names) for row in getattr(contact, name)]
                out.write(orjson.dumps(line, default=str) + b"\n")
                count += 1
            last = page[-1].id
            session.expunge_all()
    engine.dispose()
    return count


def _checked(child: Child, what: str) -> Child:
    if child.returncode not in (0, 1):
        raise RuntimeError(f"{what} failed:\n{child.output[-2000:]}")
    return child


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=20_000)
    args = parser.parse_args()
    demo = demo_database(args.contacts)
    folder = workspace()
    file = folder / f"import-{args.contacts}.jsonl"
    if not file.exists():
        export_jsonl(demo, file)
    run = uuid.uuid4().hex[:6]
    prefix = f"bench-im-{run}"
    with engine_node("bench-importing") as url:
        fresh = folder / f"import-target-{run}.db"
        target = {
            "CONTACT_LOOKUP_OPENSEARCH_URL": url,
            "CONTACT_LOOKUP_HOME": str(folder / "home"),
            "CONTACT_LOOKUP_DATABASE_URL": f"sqlite:///{fresh}",
            "CONTACT_LOOKUP_INDEX_PREFIX": prefix,
        }
        try:
            _checked(cli(target, "db", "upgrade"), "db upgrade")
            _checked(cli(target, "index", "rebuild", "--no-progress"), "index rebuild (empty)")
            imported = _checked(cli(target, "import", str(file), "--no-progress"), "import")
            synced = _checked(cli(target, "index", "sync", "--once"), "index sync --once")
            rebuild = _checked(cli(target, "index", "rebuild", "--no-progress"), "index rebuild")
        finally:
            fresh.unlink(missing_ok=True)
            client = OpenSearch(url)
            client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
            client.close()
    total = imported.seconds + synced.seconds
    summary = orjson.loads(imported.output.strip().splitlines()[-1])
    print(f"{args.contacts} contacts ({file.stat().st_size / 1e6:.1f} MB JSONL), one engine, one run")
    print(f"{'step':<32}{'wall s':>9}{'cpu s':>9}{'peak RSS MB':>13}{'contacts/s':>12}")
    for name, child in (
        ("import", imported),
        ("index sync --once", synced),
        ("index rebuild (same database)", rebuild),
    ):
        rate = args.contacts / child.seconds
        print(f"{name:<32}{child.seconds:>9.1f}{child.cpu_seconds:>9.1f}{child.peak_rss_mb:>13.0f}{rate:>12.0f}")
    print(f"{'import + sync (searchable)':<32}{total:>9.1f}{'':>9}{'':>13}{args.contacts / total:>12.0f}")
    print(f"ratio import-to-searchable / rebuild: {total / rebuild.seconds:.2f}x")
    print(f"import summary: {summary}")


if __name__ == "__main__":
    main()
