"""Search latency, side by side in one run on the same demo data:

- through the service (HTTP on loopback, one keep-alive client, sequential requests),
- raw against OpenSearch with the very body the service builds (the pure builders in service/search), each
  sample right before or after the service's (they take turns) with the same value, so both run under the same
  load; both sides go through urllib3 (opensearch-py's transport), so the ratio is what the service adds, not
  what one HTTP client costs over another,
- the same lookups in PostgreSQL with the pg_trgm GIN index a CRM would add, and in SQLite with LIKE.

    python -m bench.search --contacts 100000 [--postgres-url postgresql+psycopg://...]

Without `--postgres-url` (or CONTACT_LOOKUP_BENCH_POSTGRES_URL) the PostgreSQL column is left out. With
CONTACT_LOOKUP_OPENSEARCH_URL naming a node that outlives the run, `--index-prefix P` reuses the indices an earlier
`contact-lookup index rebuild` built there under prefix P from the same database (their document counts are
checked) instead of rebuilding them: at 1,000,000 contacts the rebuild is most of a run.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from unittest import mock

import orjson
import urllib3
from opensearchpy.exceptions import NotFoundError, TransportError
from sqlalchemy import Engine, create_engine, text

from bench.common import Timing, add_users, cli, demo_database, engine_node, service, timed, workspace
from search_definitions import catalogue
from search_definitions.catalogue import Operator, Section
from search_definitions.loader import load_shipped
from service.opensearch.client import build_client
from service.phones import to_e164
from service.search import criteria, identify, queries, suggest, terms
from service.search.paging import page_size
from service.settings import Settings

NAME_SQL = "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '') || ' ' || coalesce(company_name, ''))"
PAGE = 20


@dataclass(frozen=True, slots=True)
class Samples:
    """Real values from the data, cycled through so no lookup is the same request twice in a row."""

    names: list[str]
    infixes: list[str]
    phones: list[str]
    places: list[tuple[str, str]]
    users: list[str]
    contact_ids: list[int]
    # Stored values of each quick field the shipped definition offers, for its `like` rows.
    quick_values: dict[str, list[str]]
    # AR items' numbers (`transaction_number`) and stored phones in international digits (`+33612...`), for the
    # one box, the caller lookup and the suggestions.
    item_numbers: list[str]
    e164s: list[str]


def samples(engine: Engine) -> Samples:
    with engine.connect() as db:
        people = db.execute(
            text("SELECT id, last_name FROM contacts WHERE last_name IS NOT NULL ORDER BY id LIMIT 2000")
        ).all()
        phones = db.execute(text("SELECT e164 FROM phones WHERE e164 IS NOT NULL ORDER BY id LIMIT 50")).scalars()
        places = db.execute(
            text("SELECT city, postcode FROM addresses WHERE postcode IS NOT NULL ORDER BY id LIMIT 50")
        ).all()
        users = db.execute(text("SELECT DISTINCT created_by FROM communications ORDER BY 1")).scalars().all()
        quick_values = {
            # Every ~1,000th row; a small demo database has fewer rows than that: its first ones.
            field: [str(v) for v in db.execute(text(f"{sql} ORDER BY 1 LIMIT 50")).scalars()]
            or [
                str(v)
                for v in db.execute(text(f"{sql.split(' AND id %')[0].split(' WHERE id %')[0]} LIMIT 50")).scalars()
            ]
            for field, sql in QUICK_VALUES.items()
        }
        item_numbers = (
            db.execute(text("SELECT number FROM ar_items WHERE id % 97 = 0 ORDER BY 1 LIMIT 50")).scalars().all()
            or db.execute(text("SELECT number FROM ar_items ORDER BY id LIMIT 50")).scalars().all()
        )
    names = [row.last_name for row in people[::40]]
    phones = list(phones)
    return Samples(
        names=names,
        infixes=[name[1:4].lower() for name in names if len(name) >= 4],
        phones=[_typed_another_way(e164) for e164 in phones],
        e164s=phones,
        item_numbers=list(item_numbers),
        places=[(row.city, row.postcode) for row in places],
        users=list(users),
        contact_ids=[row.id for row in people[::40]],
        quick_values={**quick_values, "name": names},
    )


# Where the demo data keeps each quick field's values (taken in their stored order, every 1,000th row or so).
QUICK_VALUES = {
    "phone": "SELECT e164 FROM phones WHERE e164 IS NOT NULL AND id % 997 = 0",
    "email": "SELECT address FROM emails WHERE id % 997 = 0",
    "id_number": "SELECT id_number FROM contacts WHERE id_number IS NOT NULL AND id % 997 = 0",
    "account_number": "SELECT number FROM ar_accounts WHERE id % 997 = 0",
    "subscription_number": "SELECT number FROM subscriptions WHERE id % 997 = 0",
    "access_token_id": "SELECT identifier FROM access_tokens WHERE id % 997 = 0",
    "reference_number": "SELECT reference_id FROM communication_references WHERE id % 997 = 0",
}


def like_rows(field: str, value: str) -> dict[str, str]:
    """The `like` forms timed on a field, cut from one of its stored values (folded as the index folds it): a
    two-character infix, starts-with and ends-with, two and three parts with a four-character one, the same of
    two-character parts only, and the one-character forms that scanned (those two refused now, timed as their
    422, and raw with the body that answered several short parts before)."""
    key = value.lower() if "@" in value else "".join(c for c in value.lower() if c.isalnum())
    if len(key) < 8:
        key = ((key or "ab") * 8)[:8]
    middle = len(key) // 2
    return {
        "%xy%": f"%{key[middle : middle + 2]}%",
        "xy%": f"{key[:2]}%",
        "%xy": f"%{key[-2:]}",
        "%xyzw%uv%": f"%{key[1:5]}%{key[-3:-1]}%",
        "%xy%zwst%uv%": f"%{key[:2]}%{key[2:6]}%{key[-2:]}%",
        "%xy%zw%": f"%{key[1:3]}%{key[-3:-1]}%",
        "%xy%zw%uv%": f"%{key[:2]}%{key[middle : middle + 2]}%{key[-2:]}%",
        "%x%": f"%{key[middle]}%",
        "%x%y%": f"%{key[0]}%{key[-1]}%",
    }


def _typed_another_way(e164: str) -> str:
    """+33612345678 -> 0033 612 345 678: the same number as an agent might type it."""
    digits = e164.lstrip("+")
    return "00" + digits[:2] + " " + " ".join(digits[i : i + 3] for i in range(2, len(digits), 3))


class Lookups:
    """Each lookup as a request to the service, a body for the engine, and SQL for a relational database."""

    def __init__(self, data: Samples, settings: Settings) -> None:
        self.data = data
        self.settings = settings
        self.definition = load_shipped("default")
        keys = (
            "name",
            "infix",
            "phone",
            "place",
            "user",
            "ctx",
            "item",
            "caller",
            "any",
            "suggest",
            *data.quick_values,
        )
        self.cycle = {key: itertools.cycle(range(1000)) for key in keys}

    def _pick(self, key: str, values: list[Any]) -> Any:
        return values[next(self.cycle[key]) % len(values)]

    def quick(self, key: str, field: str, operator: str, value: str) -> tuple[dict[str, Any], dict[str, Any]]:
        request = {"field": field, "operator": operator, "value": value, "size": PAGE}
        body = queries.quick_search_body(
            field=catalogue.BY_KEY[field],
            operator=Operator(operator),
            value=value,
            size=PAGE,
            after=None,
            phone_region=self.settings.default_phone_region,
            business_unit=None,
        )
        return request, body

    def one_box(self, value: str) -> tuple[dict[str, Any], dict[str, Any]]:
        """Quick field `any`: the fields the value's shape fits among the shipped definition's, as the service
        picks them (`identify.any_fields`), searched at once."""
        request = {"field": catalogue.ANY.key, "operator": "=", "value": value, "size": PAGE}
        region = self.settings.default_phone_region
        fields = identify.any_fields(self.definition.quick_search_fields, Operator.EQUALS, value, phone_region=region)
        body = identify.any_search_body(
            fields=fields,
            operator=Operator.EQUALS,
            value=value,
            size=PAGE,
            after=None,
            phone_region=region,
            business_unit=None,
        )
        return request, body

    def caller(self, number: str) -> dict[str, Any]:
        """`GET /api/lookup/caller`'s body: the number as the switch sent it, the service's default page size."""
        return identify.caller_body(
            number=identify.caller_number(number),
            size=page_size(None, self.settings),
            phone_region=self.settings.default_phone_region,
            business_unit=None,
        )

    def suggest(self, field: str, prefix: str) -> dict[str, Any]:
        checked = suggest.parse(self.definition, field, prefix, max_length=self.settings.max_value_length)
        return suggest.suggest_body(checked, business_unit=None)

    def advanced(self, city: str, postcode: str) -> tuple[dict[str, Any], dict[str, Any]]:
        request = {"address": {"city": city, "postcode": postcode}, "size": PAGE}
        parsed = criteria.parse_section(self.definition, Section.ADDRESS, request["address"], max_length=200)
        body = queries.advanced_search_body(
            criteria=parsed,
            address_scope="any",
            size=PAGE,
            after=None,
            phone_region=self.settings.default_phone_region,
            business_unit=None,
        )
        return request, body


@dataclass(frozen=True, slots=True)
class Lookup:
    """One lookup, asked both ways with the same value: to the service, and to the engine with the same body."""

    method: str
    path: str
    request: dict[str, Any] | None
    token: str
    index: str | None
    body: dict[str, Any] | None
    # A request the service refuses (a 422): timed through the service, and raw with the body the service built
    # before the rule that refuses it, where one did (several short `like` parts), so before and after share a run.
    refused: bool = False
    # A lookup of a stored value: an answer without a single contact is counted (`Run.empty`), so a row that finds
    # nothing (a broken body, a wrong sample) shows in the report instead of timing an empty search.
    finds: bool = False


def lookups_to_time(lookups: Lookups, tokens: dict[str, str]) -> dict[str, Callable[[], Lookup]]:
    data, settings, agent = lookups.data, lookups.settings, tokens["agent"]
    contacts, communications = settings.contacts_alias, settings.communications_alias

    def quick(key: str, field: str, operator: str, value: str) -> Lookup:
        try:
            request, body = lookups.quick(key, field, operator, value)
        except terms.CriteriaError:
            request = {"field": field, "operator": operator, "value": value, "size": PAGE}
            try:
                with mock.patch.object(terms, "LIKE_LONG_PART", 0):
                    _, before = lookups.quick(key, field, operator, value)
            except terms.CriteriaError:
                return Lookup("POST", "/api/search/quick", request, agent, None, None, refused=True)
            return Lookup("POST", "/api/search/quick", request, agent, settings.quick_alias, before, refused=True)
        return Lookup("POST", "/api/search/quick", request, agent, settings.quick_alias, body)

    def like(field: str, form: str) -> Callable[[], Lookup]:
        values = data.quick_values[field]
        return lambda: quick(field, field, "like", like_rows(field, lookups._pick(field, values))[form])

    forms = like_rows("name", "abcdefgh")
    like_lookups = {
        f"{field} like {form}": like(field, form)
        for field in data.quick_values
        for form in forms
        if data.quick_values[field]
    }

    def advanced() -> Lookup:
        request, body = lookups.advanced(*lookups._pick("place", data.places))
        return Lookup("POST", "/api/search/advanced", request, agent, contacts, body)

    def recent() -> Lookup:
        user = lookups._pick("user", data.users)
        body = queries.recent_communications_body(user=user, size=PAGE, after=None, business_unit=None)
        return Lookup("GET", f"/api/communications/recent?size={PAGE}", None, tokens[user], communications, body)

    def caller() -> Lookup:
        number = lookups._pick("caller", data.phones)
        path = f"/api/lookup/caller?number={urllib.parse.quote(number)}"
        return Lookup("GET", path, None, agent, settings.quick_alias, lookups.caller(number), finds=True)

    def one_box(values: list[str]) -> Callable[[], Lookup]:
        def make() -> Lookup:
            request, body = lookups.one_box(lookups._pick("any", values))
            return Lookup("POST", "/api/search/quick", request, agent, settings.quick_alias, body, finds=True)

        return make

    def suggestion(field: str, prefixes: list[str]) -> Callable[[], Lookup]:
        def make() -> Lookup:
            prefix = lookups._pick("suggest", prefixes)
            path = f"/api/search/suggest?field={field}&prefix={urllib.parse.quote(prefix)}"
            return Lookup("GET", path, None, agent, settings.quick_alias, lookups.suggest(field, prefix), finds=True)

        return make

    def transaction() -> Lookup:
        request, body = lookups.quick("item", "transaction_number", "=", lookups._pick("item", data.item_numbers))
        return Lookup("POST", "/api/search/quick", request, agent, settings.quick_alias, body, finds=True)

    # A name's first two to four letters, a phone's first international digits as typed (`+3361`).
    name_prefixes = [name[: 2 + i % 3] for i, name in enumerate(data.names) if len(name) >= 4]
    phone_prefixes = [e164[: 4 + i % 3] for i, e164 in enumerate(data.e164s)]
    accounts = data.quick_values.get("account_number", [])
    identifying = {
        "caller lookup": caller,
        "any: phone": one_box(data.phones),
        "any: name": one_box(data.names),
        "any: account number": one_box(accounts),
        "suggest name": suggestion("name", name_prefixes),
        "suggest phone": suggestion("phone", phone_prefixes),
        "transaction_number": transaction,
    }
    wanted = {
        "caller lookup": data.phones,
        "any: phone": data.phones,
        "any: name": data.names,
        "any: account number": accounts,
        "suggest name": name_prefixes,
        "suggest phone": phone_prefixes,
        "transaction_number": data.item_numbers,
    }

    def context() -> Lookup:
        contact_id = lookups._pick("ctx", data.contact_ids)
        return Lookup("GET", f"/api/contacts/{contact_id}/context", None, agent, None, None)

    return {
        "quick =": lambda: quick("name", "name", "=", lookups._pick("name", data.names)),
        "quick like %x%": lambda: quick("infix", "name", "like", f"%{lookups._pick('infix', data.infixes)}%"),
        "phone": lambda: quick("phone", "phone", "=", lookups._pick("phone", data.phones)),
        "advanced nested": advanced,
        "recent": recent,
        "context": context,
        **{name: make for name, make in identifying.items() if wanted[name]},
        **like_lookups,
    }


@dataclass(frozen=True, slots=True)
class Run:
    """What `run_side_by_side` measured: per row, the service's and the engine's timings, the samples the service
    refused as too common, and the samples of a `Lookup.finds` row whose answer held no contact."""

    service: dict[str, Timing]
    raw: dict[str, Timing]
    too_common: dict[str, int]
    empty: dict[str, int]


def run_side_by_side(
    http: urllib3.HTTPConnectionPool, lookups: Lookups, tokens: dict[str, str], *, samples: int, warmup: int
) -> Run:
    """Each sample asks the service and the engine the same body, one right after the other, so both see the same
    load on a noisy machine; the engine gets the engine-side timeout and the partial-results refusal the service
    adds."""
    client = build_client(lookups.settings)
    too_common = 0
    empty = 0
    engine_params = {"allow_partial_search_results": "false"}
    timeout = f"{lookups.settings.search_timeout_ms}ms"

    def through_service(lookup: Lookup) -> None:
        nonlocal too_common, empty
        headers = {"Authorization": f"Bearer {lookup.token}"}
        body = None
        if lookup.request is not None:
            body = orjson.dumps(lookup.request)
            headers["Content-Type"] = "application/json"
        answer = http.request(lookup.method, lookup.path, body=body, headers=headers)
        # A several-part `like` whose parts too many documents hold is refused after a count (`like_max_candidates`).
        if answer.status == 422 and not lookup.refused and b"too common to search in parts" in answer.data:
            too_common += 1
        elif answer.status not in ((422,) if lookup.refused else (200, 503)):
            raise RuntimeError(f"{lookup.method} {lookup.path}: {answer.status} {answer.data[:500]!r}")
        parsed = orjson.loads(answer.data)
        if lookup.finds and answer.status == 200 and not parsed["items"]:
            empty += 1

    def raw(lookup: Lookup) -> None:
        try:
            client.search(index=lookup.index, body={**(lookup.body or {}), "timeout": timeout}, params=engine_params)
        except TransportError as exc:
            # A scan past the engine-side timeout: its time is the figure (the service answers it with a 503).
            if "Time exceeded" not in str(exc.info):
                raise

    service_times: dict[str, Timing] = {}
    raw_times: dict[str, Timing] = {}
    refused_too_common: dict[str, int] = {}
    found_nothing: dict[str, int] = {}
    for name, make in lookups_to_time(lookups, tokens).items():
        too_common = empty = 0
        by_service: list[float] = []
        by_engine: list[float] = []
        for sample in range(warmup + samples):
            lookup = make()
            # Whichever side asks second finds the engine's caches warm with the very same query (at 1,000,000
            # contacts the indices outgrow the memory left to the page cache): the sides take turns going first.
            sides = [(through_service, by_service), (raw, by_engine)]
            if lookup.index is None:
                sides = sides[:1]
            elif sample % 2:
                sides.reverse()
            if sample == warmup:
                too_common = empty = 0  # the warm-up's refusals are not samples
            for ask, times in sides:
                started = time.perf_counter()
                ask(lookup)
                if sample >= warmup:
                    times.append(time.perf_counter() - started)
        service_times[name] = Timing.of(by_service)
        if too_common:
            refused_too_common[name] = too_common
        if empty:
            found_nothing[name] = empty
        if by_engine:
            raw_times[name] = Timing.of(by_engine)
        print(
            f"{name}: {service_times[name]} / {raw_times.get(name)}; too common: {too_common}; empty: {empty}",
            flush=True,
        )
    return Run(service_times, raw_times, refused_too_common, found_nothing)


def run_sql(engine: Engine, lookups: Lookups, *, samples: int) -> dict[str, Timing]:
    """The same lookups as a CRM would write them in SQL: first page sorted by name, with the total."""
    data = lookups.data
    page = f"ORDER BY {NAME_SQL}, id LIMIT {PAGE}"
    statements = {
        "quick =": (f"SELECT id, count(*) OVER () FROM contacts WHERE lower(last_name) = :v {page}", "name", "names"),
        "quick like %x%": (
            f"SELECT id, count(*) OVER () FROM contacts WHERE {NAME_SQL} LIKE :v {page}",
            "infix",
            "infixes",
        ),
        "phone": (
            "SELECT contact_id FROM phones WHERE e164 = :v ORDER BY contact_id LIMIT 20",
            "phone",
            "phones",
        ),
        "advanced nested": (
            "SELECT DISTINCT contact_id FROM addresses WHERE lower(city) = :c AND postcode = :p "
            "ORDER BY contact_id LIMIT 20",
            "place",
            "places",
        ),
        "recent": (
            "SELECT id FROM communications WHERE created_by = :v ORDER BY created_at DESC, id DESC LIMIT 20",
            "user",
            "users",
        ),
    }
    timings: dict[str, Timing] = {}
    with engine.connect() as db:
        for name, (sql, key, attribute) in statements.items():
            statement = text(sql)

            def call(statement: Any = statement, key: str = key, attribute: str = attribute, name: str = name) -> None:
                value = lookups._pick(key, getattr(data, attribute))
                if name == "advanced nested":
                    params = {"c": value[0].lower(), "p": value[1]}
                elif name == "quick like %x%":
                    params = {"v": f"%{value}%"}
                elif name == "phone":
                    params = {"v": to_e164(value, "FR")}
                elif name == "quick =":
                    params = {"v": value.lower()}
                else:
                    params = {"v": value}
                db.execute(statement, params).all()

            timings[name] = timed(call, warmup=5, samples=samples)
    return timings


def check_reused(database: Engine, settings: Settings) -> None:
    """Reused indices must hold what a rebuild from this database would: same contacts, same communications."""
    client = build_client(settings)
    with database.connect() as db:
        contacts = db.execute(text("SELECT count(*) FROM contacts")).scalar()
        expected = {
            settings.contacts_alias: contacts,
            settings.quick_alias: contacts,
            settings.communications_alias: db.execute(text("SELECT count(*) FROM communications")).scalar(),
        }
    for alias, count in expected.items():
        try:
            held = client.count(index=alias)["count"]
        except NotFoundError:
            raise SystemExit(f"{alias} does not exist on {settings.opensearch_url}: drop --index-prefix") from None
        if held != count:
            raise SystemExit(f"{alias} holds {held} documents, the database {count}: rebuild it or drop --index-prefix")


def prepare_postgres(url: str, contacts: int) -> Engine:
    """Load the same demo data into PostgreSQL once and add the trigram index a CRM would add for names."""
    engine = create_engine(url)
    with engine.connect() as db:
        loaded = (
            db.execute(text("SELECT to_regclass('contacts') IS NOT NULL")).scalar()
            and db.execute(text("SELECT count(*) FROM contacts")).scalar()
        )
    if loaded != contacts:
        env = {"CONTACT_LOOKUP_DATABASE_URL": url, "CONTACT_LOOKUP_HOME": str(workspace() / "home")}
        for args in (("db", "upgrade"), ("demo-data", "--contacts", str(contacts), "--seed", "7")):
            child = cli(env, *args)
            if child.returncode:
                raise RuntimeError(child.output[-2000:])
    with engine.begin() as db:
        db.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        trigram = f"CREATE INDEX IF NOT EXISTS bench_contacts_name_trgm ON contacts USING gin ({NAME_SQL} gin_trgm_ops)"
        db.execute(text(trigram))
        db.execute(text("CREATE INDEX IF NOT EXISTS bench_contacts_last_name ON contacts (lower(last_name))"))
        db.execute(text("CREATE INDEX IF NOT EXISTS bench_addresses_city ON addresses (lower(city), postcode)"))
        db.execute(text("ANALYZE"))
    return engine


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--contacts", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=300)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--postgres-url", default=os.environ.get("CONTACT_LOOKUP_BENCH_POSTGRES_URL"))
    parser.add_argument("--index-prefix", help="reuse the indices built under this prefix (see above)")
    args = parser.parse_args(argv)

    if args.index_prefix and not os.environ.get("CONTACT_LOOKUP_OPENSEARCH_URL"):
        parser.error("--index-prefix needs CONTACT_LOOKUP_OPENSEARCH_URL: the bench's own node starts empty")

    database = demo_database(args.contacts)
    sqlite = create_engine(database)
    data = samples(sqlite)
    postgres = prepare_postgres(args.postgres_url, args.contacts) if args.postgres_url else None
    run = args.index_prefix or f"bench-{uuid.uuid4().hex[:6]}"
    work = workspace() / f"search-{run}"
    work.mkdir(parents=True, exist_ok=True)
    with engine_node("search-node") as url:
        env = {"CONTACT_LOOKUP_DATABASE_URL": database, "CONTACT_LOOKUP_OPENSEARCH_URL": url}
        env["CONTACT_LOOKUP_INDEX_PREFIX"] = run
        settings = Settings(database_url=database, opensearch_url=url, index_prefix=run)
        if args.index_prefix:
            check_reused(sqlite, settings)
        else:
            rebuilt = cli(env, "index", "rebuild", log=work / "rebuild.log")
            if rebuilt.returncode:
                raise RuntimeError(rebuilt.output[-2000:])
        tokens = add_users(database, ["bench-agent", *data.users])
        tokens["agent"] = tokens["bench-agent"]
        lookups = Lookups(data, settings)
        with service(env, log=work / "service.log") as base:
            http = urllib3.connection_from_url(base, maxsize=1, timeout=30, retries=False)
            measured = run_side_by_side(http, lookups, tokens, samples=args.samples, warmup=args.warmup)
    in_sqlite = run_sql(sqlite, lookups, samples=max(3, args.samples // 10))
    in_postgres = run_sql(postgres, lookups, samples=max(3, args.samples // 10)) if postgres else {}
    print(
        report(
            args.contacts, measured.service, measured.raw, in_postgres, in_sqlite, measured.too_common, measured.empty
        )
    )
    return {
        "service": measured.service,
        "raw": measured.raw,
        "postgresql": in_postgres,
        "sqlite": in_sqlite,
        "too_common": measured.too_common,
        "empty": measured.empty,
        "index_prefix": run,
    }


def report(
    contacts: int,
    through_service: dict[str, Timing],
    raw: dict[str, Timing],
    in_postgres: dict[str, Timing],
    in_sqlite: dict[str, Timing],
    too_common: dict[str, int] | None = None,
    empty: dict[str, int] | None = None,
) -> str:
    """`too_common`: per row, the samples the service refused after counting their candidates (a 422); `empty`:
    the samples of a lookup of a stored value (caller, one box, suggestions, transaction number) that found no
    contact, which a sound row never has."""
    too_common, empty = too_common or {}, empty or {}

    def cell(timing: Timing | None) -> str:
        return f"{timing.p50_ms:.1f} / {timing.p99_ms:.1f}" if timing else "n/a"

    lines = [
        f"{contacts:,} demo contacts; p50 / p99 in ms",
        "",
        "| lookup | service | raw OpenSearch | service p50 ÷ raw p50 | service p99 ÷ raw p99 | PostgreSQL pg_trgm "
        "| SQLite LIKE | too common |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, timing in through_service.items():
        engine = raw.get(name)
        ratio = f"{timing.p50_ms / engine.p50_ms:.2f}x" if engine else "n/a"
        ratio_p99 = f"{timing.p99_ms / engine.p99_ms:.2f}x" if engine else "n/a"
        lines.append(
            f"| {name} | {cell(timing)} | {cell(engine)} | {ratio} | {ratio_p99} | {cell(in_postgres.get(name))} "
            f"| {cell(in_sqlite.get(name))} | {too_common.get(name, 0)} of {timing.samples} |"
        )
    if empty:
        found = ", ".join(f"{name} {count}" for name, count in empty.items())
        lines += ["", f"Samples that found no contact (a lookup of a stored value should find one): {found}"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
