"""`contact-lookup`: thin commands; each builds Settings once and delegates to the modules that do the work."""

from __future__ import annotations

import contextlib
import json
import signal
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from service.imports.options import BATCH_SIZE, Format, Kind
from service.settings import Settings

if TYPE_CHECKING:
    from datetime import datetime

    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from service.imports.importer import Rejection
    from service.models.user import User

app = typer.Typer(
    help="Search-centric contact lookup for customer-service and accounts-receivable agents.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
opensearch_app = typer.Typer(help="A local single-node OpenSearch for development and tests.", no_args_is_help=True)
db_app = typer.Typer(help="The relational source of truth.", no_args_is_help=True)
index_app = typer.Typer(help="The OpenSearch read model.", no_args_is_help=True)
users_app = typer.Typer(help="API users and their tokens.", no_args_is_help=True)
definitions_app = typer.Typer(
    help="Communication Centre definitions (YAML <-> the versioned store).", no_args_is_help=True
)
app.add_typer(opensearch_app, name="opensearch")
app.add_typer(db_app, name="db")
app.add_typer(index_app, name="index")
app.add_typer(users_app, name="users")
app.add_typer(definitions_app, name="definitions")
audit_app = typer.Typer(
    help="The audit trail: export it for archiving, prune it past the retention.", no_args_is_help=True
)
app.add_typer(audit_app, name="audit")
vouchers_app = typer.Typer(
    help="Voucher secret codes (Fernet, CONTACT_LOOKUP_VOUCHER_SECRET_KEYS).", no_args_is_help=True
)
app.add_typer(vouchers_app, name="vouchers")

console = Console(stderr=True)
SYNC_STOP_S = 10
DEMO_USERS = ("demo-agent", "demo-admin", "amelie.roux", "jan.novak", "lucia.garcia", "jonas.weber")


@app.callback()
def _logging() -> None:
    """Every command logs through the one configuration (text or JSON lines, `CONTACT_LOOKUP_LOG_FORMAT`)."""
    from service.telemetry.logs import configure_logging

    configure_logging(Settings())


@opensearch_app.command("start")
def opensearch_start() -> None:
    """Start (or find running) the local node and print its URL."""
    from service.opensearch import local_node

    settings = Settings()
    with console.status("starting OpenSearch (first start unpacks the distribution)…"):
        info = local_node.start(settings)
    typer.echo(info.url)


@opensearch_app.command("stop")
def opensearch_stop() -> None:
    """Stop exactly the node `start` launched."""
    from service.opensearch import local_node

    stopped = local_node.stop(Settings())
    typer.echo("stopped" if stopped else "not running")


@opensearch_app.command("status")
def opensearch_status() -> None:
    from service.opensearch import local_node

    info = local_node.status(Settings())
    if info is None:
        typer.echo("not running")
        raise typer.Exit(1)
    typer.echo(f"running pid={info.pid} {info.url}")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest revision."""
    from service.db.migrate import upgrade
    from service.db.session import build_engine

    settings = Settings()
    upgrade(build_engine(settings))
    typer.echo(f"database at head: {_safe_url(settings)}")


Progress = Annotated[bool, typer.Option(help="Show a progress bar (only ever on a terminal).")]


def _business_unit(value: str | None) -> str | None:
    """A `--business-unit` is checked and spelled as stored units are (upper case) before the command runs."""
    from service.types import check_business_unit

    if value is None:
        return None
    try:
        return check_business_unit(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc


@app.command("demo-data")
def demo_data(
    contacts: Annotated[int, typer.Option(min=1, help="How many contacts to add.")] = 1000,
    seed: Annotated[int, typer.Option(help="Same seed, same data.")] = 42,
    progress: Progress = True,
) -> None:
    """Add deterministic, realistic demo contacts (streamed in batches)."""
    from service.db.session import build_engine
    from service.demo.loader import load_demo_data

    settings = Settings()
    report = load_demo_data(build_engine(settings), contacts=contacts, seed=seed, users=DEMO_USERS, progress=progress)
    typer.echo(json.dumps(_as_dict(report), default=str))


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="A JSONL or CSV file.")],
    kind: Annotated[
        Kind | None,
        typer.Option(
            help=(
                "Default: communications when the records name contact_external_id; ar-items (the daily AR feed, "
                "keyed by account_number and item number) when they name account_number but no external_id; "
                "else contacts."
            )
        ),
    ] = None,
    file_format: Annotated[
        Format | None,
        typer.Option("--format", help="Default: by extension (.jsonl/.ndjson/.json, .csv), else content."),
    ] = None,
    business_unit: Annotated[
        str | None,
        typer.Option(
            help="Unit for records naming none; records of another unit are rejected.", callback=_business_unit
        ),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1, help="Records per transaction.")] = BATCH_SIZE,
    progress: Progress = True,
    strict_phones: Annotated[
        bool, typer.Option(help="Reject a line with a phone that is no valid number, instead of storing it as typed.")
    ] = False,
    resume: Annotated[
        bool,
        typer.Option(help="Skip the lines a previous, interrupted import of this file committed (its checkpoint)."),
    ] = False,
) -> None:
    """Create or update contacts or communications from a file, keyed by external id (re-importing is safe), or
    AR items (--kind ar-items), keyed by account number and item number.

    Rejected lines are printed to stderr as FILE:LINE: reason and write nothing; the others are stored.
    A phone that is no valid number is stored as typed (without E.164, found by its digits) and printed as
    FILE:LINE: warning: reason, unless --strict-phones. A JSON summary goes to stdout.

    Exit status: 0 all stored, 1 some lines rejected, 2 the file or the options are unusable (nothing
    imported), 3 the database failed midway (earlier batches are stored; run it again).
    """
    from service.db.session import build_engine
    from service.imports.importer import ImportStopped
    from service.imports.importer import import_file as run_import
    from service.imports.readers import UnusableFile

    settings = Settings()

    def reject(rejection: Rejection) -> None:
        typer.echo(f"{file}:{rejection.line}: {rejection.reason}", err=True)

    def warn(warning: Rejection) -> None:
        typer.echo(f"{file}:{warning.line}: warning: {warning.reason}", err=True)

    try:
        report = run_import(
            file,
            settings=settings,
            engine=build_engine(settings),
            kind=kind,
            fmt=file_format,
            business_unit=business_unit,
            batch_size=batch_size,
            progress=progress,
            strict_phones=strict_phones,
            resume=resume,
            on_reject=reject,
            on_warning=warn,
        )
    except UnusableFile as exc:
        raise typer.BadParameter(str(exc), param_hint="FILE") from exc
    except ImportStopped as exc:
        typer.echo(
            f"{file}: {exc}; the lines before it are stored, and importing the file again (--resume) is safe", err=True
        )
        raise typer.Exit(3) from exc
    typer.echo(json.dumps(_as_dict(report)))
    raise typer.Exit(1 if report.rejected else 0)


@index_app.command("rebuild")
def index_rebuild(progress: Progress = True) -> None:
    """Build fresh indices from the database and switch the aliases atomically."""
    from indexer.rebuild import RebuildError, rebuild
    from indexer.rebuild_lock import RebuildRunning
    from service.db.session import build_engine
    from service.opensearch.client import build_client

    settings = Settings()
    try:
        with _engine_errors("index rebuild"):
            report = rebuild(
                settings=settings, engine=build_engine(settings), client=build_client(settings), progress=progress
            )
    except (RebuildError, RebuildRunning) as exc:
        typer.echo(f"index rebuild: {exc}", err=True)
        raise typer.Exit(1) from exc
    typer.echo(json.dumps(_as_dict(report), default=str))


@index_app.command("sync")
def index_sync(
    once: Annotated[bool, typer.Option("--once", help="Drain what is pending, then exit.")] = False,
    retry_parked: Annotated[bool, typer.Option(help="Put parked entries back in the queue first.")] = False,
) -> None:
    """Drain the outbox into the index (near-real-time); runs until interrupted unless --once."""
    import signal

    from indexer import sync
    from service.db.session import build_engine, build_sessionmaker
    from service.opensearch.client import build_client

    settings = Settings()
    engine = build_engine(settings)
    if retry_parked:
        with build_sessionmaker(engine).begin() as session:
            typer.echo(f"{sync.retry_parked(session)} parked entries requeued")
    worker = sync.OutboxSync(settings=settings, engine=engine, client=build_client(settings))
    if once:
        with _engine_errors("index sync"):
            report = worker.drain()
        typer.echo(json.dumps(_as_dict(report)))
        raise typer.Exit(1 if report.parked else 0)
    stop = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stop.set())
    console.print("syncing the outbox into the index; Ctrl+C to stop")
    with _audit_retention(settings, engine):
        worker.run(stop)


@index_app.command("verify")
def index_verify() -> None:
    """Compare the database with the index; exit 1 when they differ."""
    from indexer.verify import verify
    from service.db.session import build_engine
    from service.opensearch.client import build_client

    settings = Settings()
    with _engine_errors("index verify"):
        results = verify(settings=settings, engine=build_engine(settings), client=build_client(settings))
    for alias, differences in results.items():
        for line in differences.lines(alias):
            typer.echo(line)
    clean = all(d.clean for d in results.values())
    typer.echo("index matches the database" if clean else "index differs from the database")
    raise typer.Exit(0 if clean else 1)


ExpiresIn = Annotated[
    str | None, typer.Option(help="How long the token lives: 90d, 12h, 30m (default: until rotated or disabled).")
]


@contextlib.contextmanager
def _users_session() -> Iterator[Session]:
    """One transaction for a `users` command; a refusal is a clear message and exit code 1, nothing half-done."""
    from service.auth.service import UserError
    from service.db.session import build_engine, build_sessionmaker

    try:
        with build_sessionmaker(build_engine(Settings())).begin() as session:
            yield session
    except UserError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc


def _expires_in(value: str | None) -> timedelta | None:
    from service.auth.service import UserError, parse_duration

    try:
        return None if value is None else parse_duration(value)
    except UserError as exc:
        raise typer.BadParameter(str(exc), param_hint="--expires-in") from exc


@users_app.command("add")
def users_add(
    name: str,
    role: Annotated[str, typer.Option(help="agent or admin")] = "agent",
    business_unit: Annotated[
        str | None, typer.Option(help="Restrict the user to one business unit.", callback=_business_unit)
    ] = None,
    expires_in: ExpiresIn = None,
) -> None:
    """Create a user (an existing name is refused: `users rotate` renews a token); the token is the last line."""
    from service.auth.service import add_user
    from service.models.enums import UserRole

    if role not in {r.value for r in UserRole}:
        raise typer.BadParameter("role must be agent or admin", param_hint="--role")
    lifetime = _expires_in(expires_in)
    with _users_session() as session:
        user, token = add_user(session, name, UserRole(role), business_unit, expires_in=lifetime)
        typer.echo(f"user {user.name} ({_describe(user)})")
    typer.echo(token)


@users_app.command("rotate")
def users_rotate(name: str, expires_in: ExpiresIn = None) -> None:
    """A new token for a user, keeping its role and unit; the old token stops working. The token is the last line."""
    from service.auth.service import rotate_token

    lifetime = _expires_in(expires_in)
    with _users_session() as session:
        user, token = rotate_token(session, name, expires_in=lifetime)
        typer.echo(f"user {user.name} ({_describe(user)})")
    typer.echo(token)


@users_app.command("list")
def users_list(as_json: Annotated[bool, typer.Option("--json", help="One JSON object per user.")] = False) -> None:
    """Every user: name, role, unit, created, last used, expires, disabled (never a token or its digest)."""
    from service.auth.service import list_users

    with _users_session() as session:
        rows = [_user_row(user) for user in list_users(session)]
    if as_json:
        for row in rows:
            typer.echo(json.dumps(row))
        return
    columns = ("name", "role", "business_unit", "created_at", "last_used_at", "expires_at", "disabled_at")
    typer.echo("\t".join(columns))
    for row in rows:
        typer.echo("\t".join(str(row[c] or "-") for c in columns))


@users_app.command("disable")
def users_disable(name: str) -> None:
    """The user's token stops working (within `token_recall_s`); `users enable` brings it back."""
    from service.auth.service import set_disabled

    with _users_session() as session:
        set_disabled(session, name, True)
    typer.echo(f"user {name} disabled")


@users_app.command("enable")
def users_enable(name: str) -> None:
    from service.auth.service import set_disabled

    with _users_session() as session:
        set_disabled(session, name, False)
    typer.echo(f"user {name} enabled")


def _describe(user: User) -> str:
    unit = f", {user.business_unit}" if user.business_unit else ""
    expiry = f", expires {user.expires_at:%Y-%m-%d %H:%M} UTC" if user.expires_at else ""
    return f"{user.role}{unit}{expiry}"


def _user_row(user: User) -> dict[str, str | None]:
    def at(value: datetime | None) -> str | None:
        return value.isoformat(timespec="seconds") if value else None

    return {
        "name": user.name,
        "role": user.role,
        "business_unit": user.business_unit,
        "created_at": at(user.created_at),
        "last_used_at": at(user.last_used_at),
        "expires_at": at(user.expires_at),
        "disabled_at": at(user.disabled_at),
    }


@definitions_app.command("import")
def definitions_import(
    files: Annotated[list[Path], typer.Argument(exists=True, dir_okay=False, help="YAML definition files.")],
    activate: Annotated[bool, typer.Option(help="Activate each imported definition.")] = False,
) -> None:
    """Store each file as a new definition, or as a new version of the one with the same name.

    The CLI acts as the operator, bound to no business unit: it may store and activate definitions for any unit or
    for everyone. Its authority is the database it is pointed at, as for `users add`; unit-bound admins use the API.
    """
    from search_definitions import store
    from search_definitions.loader import load_file
    from service.db.session import build_engine, build_sessionmaker

    settings = Settings()
    with build_sessionmaker(build_engine(settings)).begin() as session:
        for path in files:
            try:
                definition = load_file(path)
            except ValueError as exc:
                raise typer.BadParameter(f"{path}: {exc}") from exc
            existing = store.find_by_name(session, definition.name)
            stored = (
                store.update(session, existing.id, definition, author="cli")
                if existing
                else store.create(session, definition, author="cli", note=f"imported from {path.name}")
            )
            if activate:
                stored = store.activate(session, stored.id, author="cli")
            state = " (active)" if stored.active_scopes else ""
            typer.echo(f"{path}: definition {stored.id} '{definition.name}' version {stored.version}{state}")


@definitions_app.command("export")
def definitions_export(
    out: Annotated[Path, typer.Option(file_okay=False, help="Directory to write one YAML file per definition.")],
) -> None:
    """Write every stored definition (its current version) as YAML."""
    import re

    from search_definitions import store
    from search_definitions.loader import dump_yaml
    from service.db.session import build_engine, build_sessionmaker

    out.mkdir(parents=True, exist_ok=True)
    with build_sessionmaker(build_engine(Settings()))() as session:
        for stored in store.list_all(session):
            slug = re.sub(r"[^a-z0-9]+", "-", stored.definition.name.lower()).strip("-") or f"definition-{stored.id}"
            path = out / f"{slug}.yaml"
            path.write_text(dump_yaml(stored.definition), encoding="utf-8")
            typer.echo(str(path))


@app.command("serve")
def serve(
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8000,
    host: Annotated[str, typer.Option(help="Interface to bind.")] = "127.0.0.1",
    workers: Annotated[int, typer.Option(min=1, help="Worker processes.")] = 1,
    sync: Annotated[bool, typer.Option(help="Keep the index in sync with the outbox in the background.")] = True,
) -> None:
    """Serve the HTTP API (and, by default, one outbox sync worker beside it)."""
    import uvicorn

    from service.telemetry.logs import logging_config

    settings = Settings()
    missing = [
        name
        for name, empty in (
            ("CONTACT_LOOKUP_DATABASE_URL", settings.database_defaulted),
            ("CONTACT_LOOKUP_OPENSEARCH_URL", not settings.opensearch_hosts),
        )
        if empty
    ]
    if missing:
        typer.echo(
            f"serve: {' and '.join(missing)} must be set; serve never falls back to a local SQLite file or "
            "node (`contact-lookup run` is the local first look)",
            err=True,
        )
        raise typer.Exit(2)
    _exit_cleanly_on_sigterm()
    with _metrics_directory(workers), _background_sync(settings) if sync else contextlib.nullcontext():
        uvicorn.run(
            "service.app:app_from_environment",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=logging_config(settings),
        )


@contextlib.contextmanager
def _metrics_directory(workers: int) -> Iterator[None]:
    """Several workers share their metrics through files (prometheus_client's multiprocess mode): in the
    operator's `PROMETHEUS_MULTIPROC_DIR`, emptied first (figures of a previous run would add up), or in a
    directory of this run's own. Set before uvicorn starts the workers, which inherit it."""
    import os
    import shutil
    import tempfile

    configured = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if configured:
        for stale in Path(configured).glob("*.db"):
            stale.unlink()
        yield
        return
    if workers == 1:
        yield
        return
    own = tempfile.mkdtemp(prefix="contact-lookup-metrics-")
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = own
    try:
        yield
    finally:
        os.environ.pop("PROMETHEUS_MULTIPROC_DIR", None)
        shutil.rmtree(own, ignore_errors=True)


def _exit_cleanly_on_sigterm() -> None:
    """uvicorn hands a SIGTERM back to the process once it has shut down; without a handler of ours the
    default one kills the interpreter there, skipping the `finally` that stops the local node."""

    def leave(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, leave)


@contextlib.contextmanager
def _engine_errors(command: str) -> Iterator[None]:
    """An engine that refuses us (certificate, credentials) or is down ends the command with one line saying so."""
    from opensearchpy.exceptions import OpenSearchException

    from service.opensearch.client import EngineSettingsError
    from service.opensearch.failures import describe

    try:
        yield
    except (OpenSearchException, EngineSettingsError) as exc:
        typer.echo(f"{command}: search engine {describe(exc)}", err=True)
        raise typer.Exit(1) from exc


@contextlib.contextmanager
def _background_sync(settings: Settings) -> Iterator[None]:
    """One sync thread per `serve`, however many API workers uvicorn forks. When the API stops, a pass in flight
    finishes (its batch acknowledged) before the thread's connections are closed."""
    from indexer.sync import start_background
    from service.db.session import build_engine
    from service.opensearch.client import build_client

    engine, client = build_engine(settings), build_client(settings)
    thread, stop = start_background(settings=settings, engine=engine, client=client)
    try:
        with _audit_retention(settings, engine):
            yield
    finally:
        stop.set()
        thread.join(SYNC_STOP_S)
        client.close()
        engine.dispose()


@contextlib.contextmanager
def _audit_retention(settings: Settings, engine: Engine) -> Iterator[None]:
    """The audit retention task runs beside every sync worker (one per `serve`, `run` or `index sync`)."""
    from service.audit.retention import start_background

    thread, stop = start_background(settings=settings, engine=engine)
    try:
        yield
    finally:
        stop.set()
        thread.join(SYNC_STOP_S)


def _moment(value: str) -> datetime:
    """A date (midnight UTC) or an ISO 8601 time; without an offset, UTC."""
    from datetime import UTC
    from datetime import datetime as moment

    try:
        parsed = moment.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter(f"'{value}' is no date (YYYY-MM-DD) or ISO 8601 time") from exc
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


@audit_app.command("prune")
def audit_prune(
    before: Annotated[str, typer.Option(help="Remove the entries older than this date or time (UTC).")],
) -> None:
    """Remove audit entries older than --before now (whole months dropped on PostgreSQL, the rest in batches)."""
    from service.audit.retention import ensure_partitions, prune
    from service.db.session import build_engine

    settings = Settings()
    cut_off = _moment(before)
    engine = build_engine(settings)
    ensure_partitions(engine)
    report = prune(engine, before=cut_off, batch=settings.audit_retention_batch)
    typer.echo(json.dumps(_as_dict(report)))


@audit_app.command("export")
def audit_export(
    start: Annotated[str | None, typer.Option("--from", help="From this date or time, inclusive (UTC).")] = None,
    end: Annotated[str | None, typer.Option("--to", help="Up to this date or time, exclusive (UTC).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="A file; default stdout.")] = None,
) -> None:
    """Write audit entries as JSON lines, oldest first, for archiving before a prune."""
    import sys

    from service.audit.retention import export
    from service.db.session import build_engine

    first, last = (_moment(start) if start else None), (_moment(end) if end else None)
    engine = build_engine(Settings())
    with output.open("wb") if output else contextlib.nullcontext(sys.stdout.buffer) as stream:
        written = export(engine, stream, start=first, end=last)
    console.print(f"{written} audit entries exported")


@vouchers_app.command("rotate-keys")
def vouchers_rotate_keys(
    batch: Annotated[int, typer.Option(min=1, help="Codes re-encrypted per transaction.")] = 500,
) -> None:
    """Re-encrypt every stored voucher secret code under the first key of CONTACT_LOOKUP_VOUCHER_SECRET_KEYS, so
    the keys after it can be dropped; exits 1 when a code no listed key opens is left (dropping its key loses it)."""
    from service.contacts.rotation import rotate_voucher_codes
    from service.contacts.secrets import VoucherCipher
    from service.db.session import build_engine
    from service.errors import Unavailable

    settings = Settings()
    engine = build_engine(settings)
    try:
        report = rotate_voucher_codes(engine, VoucherCipher(settings.voucher_secret_keys), batch=batch)
    except Unavailable as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from None
    finally:
        engine.dispose()
    typer.echo(json.dumps(_as_dict(report)))
    if report.unreadable:
        console.print(
            f"[red]{len(report.unreadable)} voucher codes no listed key opens (voucher ids "
            f"{', '.join(map(str, report.unreadable[:20]))}): keep the key that made them[/red]"
        )
        raise typer.Exit(1)


@app.command("run")
def run(
    port: Annotated[int, typer.Option(help="API port.")] = 8000,
    contacts: Annotated[int, typer.Option(help="Demo contacts to load when the database is empty.")] = 5000,
    progress: Progress = True,
) -> None:
    """First look: local engine, schema, demo data, index, users, API."""
    import uvicorn

    from indexer.rebuild import rebuild
    from service.app import create_app
    from service.auth.service import issue_token
    from service.db.migrate import upgrade
    from service.db.session import build_engine, build_sessionmaker
    from service.demo.example import example_phone
    from service.demo.loader import load_demo_data
    from service.models.enums import UserRole
    from service.opensearch.client import build_client
    from service.telemetry.logs import logging_config

    _exit_cleanly_on_sigterm()
    url, started_here = _start_engine(Settings())
    try:
        settings = Settings(opensearch_url=url)
        engine = build_engine(settings)
        upgrade(engine)
        console.print(f"database at head: {_safe_url(settings)}")
        with build_sessionmaker(engine).begin() as session:
            _, agent_token = issue_token(session, "demo-agent", UserRole.AGENT)
            _, admin_token = issue_token(session, "demo-admin", UserRole.ADMIN)
            phone = example_phone(session)
        if phone is None:
            load_demo_data(engine, contacts=contacts, seed=42, users=DEMO_USERS, progress=progress)
            with build_sessionmaker(engine).begin() as session:
                phone = example_phone(session)
        report = rebuild(settings=settings, engine=engine, client=build_client(settings), progress=progress)
        console.print(f"indexed {report.contacts} contacts and {report.communications} communications")
        typer.echo(f"demo-agent token: {agent_token}")
        typer.echo(f"demo-admin token: {admin_token}")
        typer.echo(f"agent console: http://127.0.0.1:{port}/console (admins: /console/definitions)")
        if phone is not None:
            body = json.dumps({"field": "phone", "operator": "=", "value": phone.typed_differently})
            typer.echo(f"# find {phone.display_name} (stored as '{phone.stored}') by phone, typed another way:")
            typer.echo(
                f"curl -s -H 'Authorization: Bearer {agent_token}' -H 'Content-Type: application/json' "
                f"-d '{body}' http://127.0.0.1:{port}/api/search/quick"
            )
        with _background_sync(settings):
            uvicorn.run(create_app(settings), host="127.0.0.1", port=port, log_config=logging_config(settings))
    finally:
        if started_here:
            from service.opensearch import local_node

            local_node.stop(Settings())
            console.print("stopped the local OpenSearch node")


def _start_engine(settings: Settings) -> tuple[str, bool]:
    """The configured cluster, or the local node: (url, whether this call started it)."""
    if settings.opensearch_url:
        return settings.opensearch_url, False
    from service.opensearch import local_node

    if (running := local_node.status(settings)) is not None:
        return running.url, False
    with console.status("starting OpenSearch (first start fetches and unpacks the distribution)…"):
        info = local_node.start(settings)
    console.print(f"OpenSearch at {info.url}")
    return info.url, True


def _safe_url(settings: Settings) -> str:
    from sqlalchemy.engine import make_url

    return make_url(settings.database_url).render_as_string(hide_password=True)


def _as_dict(report: object) -> dict[str, object]:
    from dataclasses import asdict, is_dataclass

    if is_dataclass(report) and not isinstance(report, type):
        return asdict(report)
    return dict(vars(report))


if __name__ == "__main__":
    app()
