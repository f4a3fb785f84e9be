"""Property-based fuzzing of the whole OpenAPI document against a running server (schemathesis + Hypothesis).

Every operation gets generated requests, valid ones (positive) and invalid ones (negative), each sent once per
role's token. A response fails when it is a 5xx or does not match what the document says of that operation:
its status codes, content type, headers and body schema. Used by the CI test (few examples) and by
`bench/fuzz.py` (many).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

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
