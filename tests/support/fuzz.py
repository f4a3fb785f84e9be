"""Property-based fuzzing of the whole OpenAPI document against a running server (schemathesis + Hypothesis).

Every operation gets generated requests, valid ones (positive) and invalid ones (negative), each sent once per
role's token. A response fails when it is a 5xx or does not match what the document says of that operation:
its status codes, content type, headers and body schema. Used by the CI test (few examples) and by
`bench/fuzz.py` (many).
"""

from __future__ import annotations

import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@dataclass
class FuzzReport:
    requests: int = 0
    seconds: float = 0.0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    operations: int = 0
    skipped: list[str] = field(default_factory=list)
    max_listed: int = 50
    _seen: set[str] = field(default_factory=set)

    @property
    def server_errors(self) -> int:
        return sum(count for status, count in self.statuses.items() if status >= 500)

    def record(self, key: str, detail: str) -> None:
        """One line per distinct (operation, role, mode, status, check), with how to replay it."""
        if key not in self._seen and len(self.failures) < self.max_listed:
            self._seen.add(key)
            self.failures.append(f"{key}\n    {detail}")

    def lines(self) -> list[str]:
        statuses = dict(sorted(self.statuses.items()))
        head = (
            f"{self.requests} requests over {self.operations} operations in {self.seconds:.0f} s; "
            f"5xx: {self.server_errors}; failed checks: {len(self.failures)}; statuses: {statuses}"
        )
        return [head, *self.failures]


def fuzz(
    url: str,
    tokens: Mapping[str, str],
    *,
    examples: int,
    modes: Sequence[GenerationMode] = (GenerationMode.POSITIVE, GenerationMode.NEGATIVE),
    derandomize: bool = True,
) -> FuzzReport:
    """`examples` per operation and mode; every example is sent once per token (role)."""
    schema = schemathesis.openapi.from_url(f"{url}/openapi.json")
    report = FuzzReport()
    session = requests.Session()
    started = time.monotonic()
    for result in schema.get_all_operations():
        operation = result.ok()
        report.operations += 1
        for mode in modes:
            _fuzz_operation(operation, mode, url=url, tokens=tokens, session=session, report=report)(
                examples=examples, derandomize=derandomize
            )
    report.seconds = time.monotonic() - started
    return report


def _fuzz_operation(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    *,
    url: str,
    tokens: Mapping[str, str],
    session: requests.Session,
    report: FuzzReport,
) -> Callable[..., None]:
    def send(case: schemathesis.Case) -> None:
        for role, token in tokens.items():
            headers = {"Authorization": f"Bearer {token}"}
            response = case.call(base_url=url, session=session, headers=headers, timeout=30)
            report.requests += 1
            report.statuses[response.status_code] += 1
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                curl = case.as_curl_command(headers=headers, base_url=url)
                for failure in group.exceptions:
                    report.record(
                        f"{operation.label} [{role}, {mode.value}] {response.status_code}: {failure.title}",
                        f"{failure.message[:600]}\n    {curl[:600]}",
                    )

    def run(*, examples: int, derandomize: bool) -> None:
        configured = settings(
            max_examples=examples,
            deadline=None,
            database=None,
            derandomize=derandomize,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        try:
            configured(given(case=operation.as_strategy(generation_mode=mode))(send))()
        except Unsatisfiable:
            report.skipped.append(f"{operation.label} [{mode.value}]: nothing to generate")

    return run


# Values Python's JSON reader, URL and datetime parsers accept but no field can hold, sent as raw JSON tokens in
# every body field (and as text in every query, path and header parameter), in place of the schema's own values:
# the generated cases above keep to what the schema can express, so they never send a lone surrogate or NaN.
DEEP = 300
HOSTILE_JSON = (
    "NaN",
    "Infinity",
    "-Infinity",
    "1e400",
    "-1e400",
    str(2**70),
    str(-(2**70)),
    '"\\udfff"',
    '"x\\ud800y"',
    '{"\\udfff": 1}',
    '"0001-01-01T00:00:00+23:59"',
    '"9999-12-31T23:59:59-23:59"',
    '"0001-01-01"',
    '"9999-12-31"',
    '{"value": ' * DEEP + '"x"' + "}" * DEEP,
    "[" * DEEP + "]" * DEEP,
    '"' + "x" * 5000 + '"',
)
# Already percent-encoded for a URL: %ED%BF%BF is a lone surrogate in UTF-8 form, %FF no UTF-8 at all.
HOSTILE_URL = (
    "NaN",
    "Infinity",
    "1e400",
    str(2**70),
    str(-(2**70)),
    "%ED%BF%BF",
    "x%FFy",
    "0001-01-01T00:00:00%2B23:59",
    "9999-12-31T23:59:59-23:59",
    "0001-01-01",
    "9999-12-31",
    "x" * 5000,
)
HOSTILE_HEADER = ("NaN", "1e400", str(2**70), '"' + str(2**70) + '"', "\udfff", b"x\xffy", "x" * 5000)
_HOLE = "\x00hostile\x00"
_PLACEHOLDER = '"\\u0000hostile\\u0000"'
_MAX_BODY_DEPTH = 3
# An id that passes validation but names no record, so no DELETE of the pass removes what the others use.
_ABSENT_ID = str(2**31 - 1)


@dataclass(frozen=True)
class _Slot:
    """Where one hostile value goes: the path in the body (keys and list indexes) with each step's schema."""

    steps: tuple[tuple[str | int, dict[str, Any]], ...]

    @property
    def label(self) -> str:
        return ".".join(str(key) for key, _ in self.steps) or "(body)"


def hostile(url: str, tokens: Mapping[str, str], *, timeout_s: float = 30) -> FuzzReport:
    """Every operation of the document, every field of its body and every parameter, each hostile value in turn,
    the rest of the request built from the schema (examples, defaults, minimal values); once per token. A
    failure is a 5xx, or an error answer that is not JSON in UTF-8 (the rendering itself broke)."""
    document = requests.get(f"{url}/openapi.json", timeout=timeout_s).json()
    report = FuzzReport()
    session = requests.Session()
    started = time.monotonic()
    for path, item in document["paths"].items():
        for method, operation in item.items():
            report.operations += 1
            for role, token in tokens.items():
                for label, request in _hostile_requests(document, method, path, operation, token):
                    _send_hostile(
                        session,
                        url,
                        request,
                        label=f"{method.upper()} {path} [{role}] {label}",
                        report=report,
                        timeout_s=timeout_s,
                    )
    report.seconds = time.monotonic() - started
    return report


def _send_hostile(
    session: requests.Session, url: str, request: dict[str, Any], *, label: str, report: FuzzReport, timeout_s: float
) -> None:
    prepared = requests.Request(
        request["method"], url + request["path"], headers=request["headers"], data=request.get("body")
    ).prepare()
    prepared.url = url + request["path"]  # as written: the percent-encoding is the point
    report.requests += 1
    try:
        response = session.send(prepared, timeout=timeout_s)
    except requests.ConnectionError as exc:  # a server that drops the connection failed as surely as a 500
        report.statuses[599] += 1
        report.record(f"{label}: connection dropped", f"{exc}\n    {request['method']} {request['path'][:300]}")
        return
    report.statuses[response.status_code] += 1
    body = request.get("body")
    replay = (
        f"{request['method']} {request['path'][:300]} {body[:300]!r}"
        if body
        else f"{request['method']} {request['path'][:300]}"
    )
    if response.status_code >= 500:
        report.record(f"{label} {response.status_code}", f"{response.text[:300]}\n    {replay}")
    elif response.status_code >= 400 and response.headers.get("content-type", "").startswith("application/json"):
        try:
            json.loads(response.content.decode("utf-8"))
        except ValueError as exc:
            report.record(f"{label} {response.status_code}: unreadable error answer", f"{exc}\n    {replay}")


def _hostile_requests(
    document: dict[str, Any], method: str, path: str, operation: dict[str, Any], token: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    parameters = {(p["in"], p["name"]): p for p in operation.get("parameters", [])}
    base_path = _fill_path(
        path, {name: _ABSENT_ID if method == "delete" else "1" for (where, name) in parameters if where == "path"}
    )
    headers = {"Authorization": f"Bearer {token}"}
    body_schema = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    base_body = None if body_schema is None else json.dumps(_minimal(document, body_schema))

    def request(path_: str, headers_: dict[str, Any], body: str | None) -> dict[str, Any]:
        if body is not None:
            headers_ = {**headers_, "Content-Type": "application/json"}
        return {"method": method.upper(), "path": path_, "headers": headers_, "body": body}

    for (where, name), _parameter in parameters.items():
        if where == "query":
            for value in HOSTILE_URL:
                yield f"query {name}={value[:40]}", request(f"{base_path}?{quote(name)}={value}", headers, base_body)
        elif where == "path":
            others = {n: "1" for (w, n) in parameters if w == "path" and n != name}
            for value in HOSTILE_URL:
                yield (
                    f"path {name}={value[:40]}",
                    request(_fill_path(path, {**others, name: value}), headers, base_body),
                )
        elif where == "header":
            for value in HOSTILE_HEADER:
                shown = value[:40] if isinstance(value, str) else repr(value[:40])
                yield (
                    f"header {name}: {shown!r}",
                    request(base_path, {**headers, name: _header_value(value)}, base_body),
                )
    if body_schema is not None:
        for slot in _slots(document, body_schema):
            text = _body_with_hole(document, body_schema, slot)
            for value in HOSTILE_JSON:
                yield f"body {slot.label}={value[:40]}", request(base_path, headers, text.replace(_PLACEHOLDER, value))


def _header_value(value: str | bytes) -> str | bytes:
    """requests sends str headers as Latin-1: a surrogate goes as the bytes its UTF-8 form would have."""
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) and not value.isascii() else value


def _fill_path(path: str, values: Mapping[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def _resolve(document: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        target: Any = document
        for part in schema["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    for combined in ("anyOf", "oneOf", "allOf"):
        if combined in schema:
            options = [option for option in schema[combined] if option.get("type") != "null"]
            if options:
                outer = {k: v for k, v in schema.items() if k != combined}
                return {**_resolve(document, options[0]), **outer}
    return schema


def _minimal(document: dict[str, Any], schema: dict[str, Any]) -> Any:
    """A value of the schema's shape: its example, default or first choice, else the smallest that fits."""
    schema = _resolve(document, schema)
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("default") is not None:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return schema["enum"][0]
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        properties = schema.get("properties", {})
        return {name: _minimal(document, properties[name]) for name in schema.get("required", []) if name in properties}
    if kind == "array":
        return [_minimal(document, schema["items"])] * schema.get("minItems", 0) if "items" in schema else []
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 1)
    if kind == "boolean":
        return False
    if kind == "string":
        formats = {"date": "2026-01-31", "date-time": "2026-01-31T10:00:00Z", "email": "a@example.com"}
        return formats.get(schema.get("format", ""), "x" * max(1, schema.get("minLength", 1)))
    return None


def _slots(document: dict[str, Any], schema: dict[str, Any]) -> Iterator[_Slot]:
    """The whole body, then every property (and every list's item) down to `_MAX_BODY_DEPTH` levels."""
    yield _Slot(steps=())
    pending: list[_Slot] = [_Slot(steps=())]
    while pending:
        slot = pending.pop(0)
        current = _resolve(document, slot.steps[-1][1] if slot.steps else schema)
        if len(slot.steps) >= _MAX_BODY_DEPTH:
            continue
        children: list[tuple[str | int, dict[str, Any]]] = []
        if current.get("type") == "array" and "items" in current:
            children.append((0, current["items"]))
        children.extend(current.get("properties", {}).items())
        for key, child in children:
            found = _Slot(steps=(*slot.steps, (key, child)))
            yield found
            pending.append(found)


def _body_with_hole(document: dict[str, Any], schema: dict[str, Any], slot: _Slot) -> str:
    """The minimal body with `_HOLE` at the slot, every container on the way filled with its minimal value."""
    if not slot.steps:
        return json.dumps(_HOLE)
    body = _minimal(document, schema)
    if not isinstance(body, dict):
        body = {}
    container: Any = body
    for index, (key, child) in enumerate(slot.steps):
        if index == len(slot.steps) - 1:
            value: Any = _HOLE
        elif isinstance(slot.steps[index + 1][0], int):
            value = [None]  # its item is the next step's container (or the hole)
        else:
            value = _minimal(document, child)
            value = value if isinstance(value, dict) else {}
        if isinstance(key, int):
            container[0] = value
        else:
            container[key] = value
        container = value
    return json.dumps(body)
