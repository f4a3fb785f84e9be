"""Import-to-searchable against `index rebuild` of the same database, side by side in one run.

The demo database of N contacts is exported as the JSONL an adopting company would bring (the write API's
fields, one contact a line, by external id; access tokens without their secrets, which only exist as hashes).
Then, on the same engine:

1. into a fresh database whose indices exist (empty), `contact-lookup import FILE` with `contact-lookup index
   sync` running beside it from the start, as it runs beside `serve`: searchable once the import has exited and
   the outbox is empty;
2. `contact-lookup index rebuild` of that very database (the engine's own indexing of the same rows: the floor);
3. the daily AR feed: every item of that database exported as `--kind ar-items` lines, each changed (an open item
   paid and closed, a closed one reopened, so that every line is an update), imported with the sync worker beside
   it until searchable, as in (1).

The contacts' AR items come in (1) on their accounts: their count over (1)'s wall time is the items' rate of the
contacts import, beside its contacts' rate; (3) is the items' rate of the feed.

Each step is a child process whose wall time, CPU time and peak RSS are read from wait4. The ratio is (1) / (2);
`--rounds` repeats both and gives the median.
The bench's indices are deleted afterwards (they live on the cluster CONTACT_LOOKUP_OPENSEARCH_URL names, if any).

    python -m bench.importing --contacts 20000
    python -m bench.importing --contacts 20000 --no-feed    # (1) and (2) alone
"""

from __future__ import annotations

import argparse
import signal
import statistics
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from opensearchpy import OpenSearch
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import selectinload

from bench.common import Child, cli, demo_database, engine_node, reap, spawn, workspace
from service.contacts.schemas import (
    AccessTokenIn,
    AddressIn,
    ARAccountIn,
    ARItemIn,
    EmailIn,
    PhoneIn,
    SubscriptionIn,
    VoucherIn,
    WalletIn,
    WorkItemIn,
)
from service.contacts.service import SCALARS
from service.db.session import build_engine, build_sessionmaker
from service.models import ARAccount, ARItem, Contact, Subscription
from service.models.enums import ARItemStatus
from service.models.outbox import OutboxEntry
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


_ACCOUNT_LISTS: dict[str, type] = {"wallets": WalletIn, "vouchers": VoucherIn}


def _item(row: Any, schema: type, names: dict[str, str]) -> dict[str, Any]:
    values = {}
    for field in schema.model_fields:  # type: ignore[attr-defined]
        if field == "secret":
            continue
        value = getattr(row, names.get(field, field))
        if field == "items":  # an account's open items and payments
            value = [_item(x, ARItemIn, {"type": "item_type"}) for x in value]
        elif field in _ACCOUNT_LISTS:  # its wallets and vouchers (a voucher without its secret code, as a token)
            value = [_item(x, _ACCOUNT_LISTS[field], {}) for x in value]
        elif field in {"services", "installed_items"}:
            value = [
                {k: getattr(x, k) for k in ("code", "name", "mandatory", "product", "serial_number") if hasattr(x, k)}
                for x in value
            ]
        values[field] = value
    return values


def export_jsonl(database_url: str, path: Path) -> int:
    engine = build_engine(Settings(database_url=database_url))
    count = 0
    options = [selectinload(getattr(Contact, name)) for name in _LISTS if name not in {"subscriptions", "ar_accounts"}]
    options += [
        selectinload(Contact.ar_accounts).selectinload(getattr(ARAccount, name)) for name in ("items", *_ACCOUNT_LISTS)
    ]
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


def count_items(path: Path) -> int:
    """The AR items the contacts' JSONL carries on its accounts."""
    with path.open("rb") as lines:
        return sum(len(account["items"]) for line in lines for account in orjson.loads(line)["ar_accounts"])


def export_feed(engine: Engine, path: Path) -> int:
    """Every item of the database as a line of the daily AR feed (`import --kind ar-items`), keyed by its account's
    number and its own, each one changed as a day of Receivables changes it: an item still open (or in dispute)
    paid and closed, a closed one reopened (a payment reversed), so that every line is an update."""
    items, accounts = ARItem.__table__, ARAccount.__table__
    statement = (
        select(items, accounts.c.number.label("account_number"))
        .join(accounts, accounts.c.id == items.c.ar_account_id)
        .order_by(items.c.id)
        .execution_options(yield_per=5000)
    )
    count = 0
    with engine.connect() as connection, path.open("wb") as out:
        for row in connection.execute(statement).mappings():
            if row["status"] == ARItemStatus.CLOSED:
                status, open_amount, disputed = ARItemStatus.OPEN, row["amount"], row["disputed_amount"]
            else:
                status, open_amount, disputed = ARItemStatus.CLOSED, 0, 0
            line = {
                "account_number": row["account_number"],
                "business_unit": row["business_unit"],
                "type": row["item_type"],
                "number": row["number"],
                "issued_on": row["issued_on"],
                "due_on": row["due_on"],
                "amount": row["amount"],
                "open_amount": open_amount,
                "currency": row["currency"],
                "status": status.value,
                "disputed_amount": disputed,
            }
            out.write(orjson.dumps(line, default=str) + b"\n")
            count += 1
    return count


def _checked(child: Child, what: str) -> Child:
    if child.returncode not in (0, 1):
        raise RuntimeError(f"{what} failed:\n{child.output[-2000:]}")
    return child


@dataclass(frozen=True, slots=True)
class Searchable:
    """One import with the sync worker beside it: the import's own run, the worker's, and the wall time from
    their start until the outbox was empty (every imported contact written to the index)."""

    imported: Child
    synced: Child
    seconds: float


def import_until_searchable(
    env: dict[str, str], file: Path, folder: Path, *, timeout_s: float, kind: tuple[str, ...] = ()
) -> Searchable:
    """`index sync` running as it does beside `serve`, `import FILE` started with it; done when the import has
    exited and no outbox entry is left. A parked entry (a document the engine refused) fails the run. `kind`:
    extra options of the import (`--kind ar-items`)."""
    engine = build_engine(Settings(database_url=env["CONTACT_LOOKUP_DATABASE_URL"]))
    pending = select(func.count()).select_from(OutboxEntry)
    parked = pending.where(OutboxEntry.parked.is_(True))
    started = time.perf_counter()
    worker = spawn(env, "index", "sync", log=folder / "import-sync.log")
    try:
        imported = _checked(cli(env, "import", str(file), *kind, "--no-progress"), "import")
        deadline = time.monotonic() + timeout_s
        while True:
            with engine.connect() as connection:
                left, stuck = connection.execute(pending).scalar_one(), connection.execute(parked).scalar_one()
            if stuck:
                raise RuntimeError(f"{stuck} outbox entries parked: see {folder / 'import-sync.log'}")
            if not left:
                break
            if time.monotonic() > deadline or worker.poll() is not None:
                raise RuntimeError(f"{left} outbox entries left: see {folder / 'import-sync.log'}")
            time.sleep(0.1)
        seconds = time.perf_counter() - started
    finally:
        worker.send_signal(signal.SIGINT)
        engine.dispose()
    synced = reap(worker, started, log=folder / "import-sync.log")
    return Searchable(imported, synced, seconds)


def _row(name: str, seconds: float, contacts: int | None, child: Child | None = None, items: int | None = None) -> str:
    usage = f"{child.cpu_seconds:>9.1f}{child.peak_rss_mb:>13.0f}" if child else f"{'':>9}{'':>13}"
    per_contact = f"{contacts / seconds:>12.0f}" if contacts else f"{'':>12}"
    per_item = f"{items / seconds:>10.0f}" if items else ""
    return f"{name:<50}{seconds:>9.1f}{usage}{per_contact}{per_item}"


def _summary(child: Child) -> dict[str, Any]:
    return orjson.loads(child.output.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=1, help="Import and rebuild this many times, in turns.")
    parser.add_argument("--timeout", type=float, default=4 * 3600, help="Seconds the outbox may take to drain.")
    parser.add_argument("--no-feed", dest="feed", action="store_false", help="Leave out the AR items' daily feed.")
    args = parser.parse_args(argv)
    demo = demo_database(args.contacts)
    folder = workspace()
    file = folder / f"import-{args.contacts}.jsonl"
    if not file.exists():
        # Written aside and renamed, so an export that failed half-way is never taken for the file next time.
        partial = file.with_suffix(".partial")
        export_jsonl(demo, partial)
        partial.rename(file)
    items = count_items(file)
    print(f"{args.contacts} contacts, {items} AR items on their accounts ({file.stat().st_size / 1e6:.1f} MB JSONL)")
    print("one engine, one run")
    print(f"{'step':<50}{'wall s':>9}{'cpu s':>9}{'peak RSS MB':>13}{'contacts/s':>12}{'items/s':>10}")
    ratios = []
    rounds: list[dict[str, Any]] = []
    with engine_node("bench-importing") as url:
        for round_ in range(1, args.rounds + 1):
            run = uuid.uuid4().hex[:6]
            prefix = f"bench-im-{run}"
            fresh = folder / f"import-target-{run}.db"
            feed = folder / f"import-feed-{run}.jsonl"
            target = {
                "CONTACT_LOOKUP_OPENSEARCH_URL": url,
                "CONTACT_LOOKUP_HOME": str(folder / "home"),
                "CONTACT_LOOKUP_DATABASE_URL": f"sqlite:///{fresh}",
                "CONTACT_LOOKUP_INDEX_PREFIX": prefix,
            }
            fed: Searchable | None = None
            fed_items = 0
            try:
                _checked(cli(target, "db", "upgrade"), "db upgrade")
                _checked(cli(target, "index", "rebuild", "--no-progress"), "index rebuild (empty)")
                searchable = import_until_searchable(target, file, folder, timeout_s=args.timeout)
                rebuild = _checked(cli(target, "index", "rebuild", "--no-progress"), "index rebuild")
                if args.feed:
                    engine = build_engine(Settings(database_url=target["CONTACT_LOOKUP_DATABASE_URL"]))
                    try:
                        fed_items = export_feed(engine, feed)
                    finally:
                        engine.dispose()
                    fed = import_until_searchable(
                        target, feed, folder, timeout_s=args.timeout, kind=("--kind", "ar-items")
                    )
            finally:
                fresh.unlink(missing_ok=True)
                feed.unlink(missing_ok=True)
                client = OpenSearch(url)
                client.indices.delete(index=f"{prefix}-*", ignore_unavailable=True)
                client.close()
            ratio = searchable.seconds / rebuild.seconds
            ratios.append(ratio)
            imported = searchable.imported
            print(f"round {round_}")
            print(_row("  import (the sync worker beside it)", imported.seconds, args.contacts, imported, items))
            print(
                _row(
                    "  index sync (worker, until the outbox is empty)",
                    searchable.seconds,
                    args.contacts,
                    searchable.synced,
                )
            )
            print(_row("  import until searchable", searchable.seconds, args.contacts, items=items))
            print(_row("  index rebuild (same database)", rebuild.seconds, args.contacts, rebuild))
            print(f"  ratio import-to-searchable / rebuild: {ratio:.2f}x")
            summary = _summary(imported)
            if summary["created"] != args.contacts:
                raise RuntimeError(f"{summary['created']} of {args.contacts} contacts imported: {summary}")
            print(f"  import summary: {summary}")
            figures: dict[str, Any] = {
                "import_seconds": imported.seconds,
                "import_contacts_per_s": args.contacts / imported.seconds,
                "import_items_per_s": items / imported.seconds if items else 0.0,
                "until_searchable_seconds": searchable.seconds,
                "rebuild_seconds": rebuild.seconds,
                "ratio": ratio,
            }
            if fed is not None:
                print(_row("  AR items feed (sync beside it)", fed.imported.seconds, None, fed.imported, fed_items))
                print(_row("  AR items feed until searchable", fed.seconds, None, fed.synced, fed_items))
                fed_summary = _summary(fed.imported)
                if fed_summary["updated"] != fed_items:
                    raise RuntimeError(f"{fed_summary['updated']} of {fed_items} items updated: {fed_summary}")
                print(f"  feed summary: {fed_summary}")
                figures |= {
                    "feed_items": fed_items,
                    "feed_seconds": fed.imported.seconds,
                    "feed_items_per_s": fed_items / fed.imported.seconds if fed_items else 0.0,
                    "feed_until_searchable_seconds": fed.seconds,
                }
            rounds.append(figures)
    print(f"ratio, median of {len(ratios)}: {statistics.median(ratios):.2f}x ({', '.join(f'{r:.2f}' for r in ratios)})")
    return {"contacts": args.contacts, "items": items, "rounds": rounds}


if __name__ == "__main__":
    main()
