"""A bounded, seeded schemathesis run over one service's OpenAPI document, in-process (ASGI).

Every operation gets schemathesis' coverage cases (boundaries: huge integers, NUL bytes, missing and
wrong-typed parameters) plus `max_examples` generated cases, positive and negative, derandomized so a CI
run is reproducible. Nothing is raised per case: every response is recorded, so one run lists every
distinct failure (a 5xx, or a response that does not conform to the document) instead of stopping at the
first. Used by tests/<service>/…/test_schemathesis.py.
"""
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import hypothesis
import schemathesis
from schemathesis.checks import not_a_server_error
from schemathesis.generation.hypothesis.builder import HypothesisTestConfig, HypothesisTestMode, create_test
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance

SEED = 20241205
CHECKS = [not_a_server_error, content_type_conformance, response_schema_conformance]
# Read-only methods run as a caller who sees the demo inventory; writes as the admin of a subtree of
# their own, so fuzzed writes never change what the other tests of the session rely on.
READ_METHODS = {"GET", "HEAD"}
FUZZ_CLIENT_ADDRESS = "198.51.100.7"  # a label only (TEST-NET-2): nothing is ever sent there


@dataclass
class Report:
    api: str
    operations: int = 0
    cases: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    # (operation, what) → one example request, so the assertion message says what to replay
    failures: dict[tuple[str, str], str] = field(default_factory=dict)
    seconds: float = 0.0
    timings: dict[str, tuple[int, float]] = field(default_factory=dict)  # operation → (cases, seconds)

    @property
    def server_errors(self) -> dict[tuple[str, str], str]:
        return {k: v for k, v in self.failures.items() if k[1].startswith("5")}

    def summary(self) -> str:
        return (f"{self.api}: {self.operations} operations, {self.cases} cases in {self.seconds:.0f}s, "
                f"{len(self.server_errors)} distinct server errors, {len(self.failures)} distinct failures; "
                f"statuses {dict(sorted(self.statuses.items()))}; slowest: "
                + ", ".join(f"{op} {n} cases {t:.1f}s" for op, (n, t) in
                            sorted(self.timings.items(), key=lambda kv: -kv[1][1])[:5]))

    def details(self) -> str:
        return "\n".join(f"{op} → {what}\n    {example}"
                         for (op, what), example in sorted(self.failures.items()))


def _own_address(app: Any) -> Any:
    """The app as seen from an address of the run's own: the fuzzed wrong-password logins count against it,
    so the login throttle (per client address) never locks out the session's other tests."""
    async def addressed(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] in ("http", "websocket"):
            scope = {**scope, "client": (FUZZ_CLIENT_ADDRESS, 50000)}
        await app(scope, receive, send)
    return addressed


def load(app: Any) -> Any:
    config = schemathesis.Config.from_dict({
        "seed": SEED,
        "generation": {"mode": "all", "deterministic": True},
        # Unsupported methods answer 405 from the router alone: not worth a quarter of the budget.
        "phases": {"coverage": {"unexpected-methods": []}},
    })
    return schemathesis.openapi.from_asgi("/openapi.json", _own_address(app), config=config)


def _describe(case: Any) -> str:
    parts = [f"{case.method} {case.formatted_path}"]
    for name in ("query", "headers", "body"):
        value = getattr(case, name, None)
        if value not in (None, {}) and type(value).__name__ != "NotSet" \
                and not (name == "headers" and set(value) <= {"Authorization"}):
            parts.append(f"{name}={value!r}"[:300])
    return " ".join(parts)


def run(api: str, app: Any, reader: dict[str, str], writer: dict[str, str], *, max_examples: int) -> Report:
    """Runs every operation of `app`'s document: reads with `reader`'s headers, the rest with `writer`'s."""
    schema = load(app)
    report = Report(api)
    started = time.monotonic()
    settings = hypothesis.settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                                   phases=[hypothesis.Phase.explicit, hypothesis.Phase.generate],
                                   suppress_health_check=list(hypothesis.HealthCheck))
    for result in schema.get_all_operations():
        operation = result.ok()
        method = operation.method.upper()
        report.operations += 1
        label = f"{method} {operation.path}"
        recorder = _recorder(report, label, reader if method in READ_METHODS else writer, settings)
        modes = [HypothesisTestMode.COVERAGE, HypothesisTestMode.FUZZING]
        test = create_test(operation=operation, test_func=recorder,
                           config=HypothesisTestConfig(project=schema.config, modes=modes))
        before, clock = report.cases, time.monotonic()
        test()
        report.timings[label] = (report.cases - before, time.monotonic() - clock)
    report.seconds = time.monotonic() - started
    return report


def _first_line(exc: BaseException) -> str:
    inner = exc.exceptions[0] if isinstance(exc, BaseExceptionGroup) else exc
    return (str(inner).strip().splitlines() or [type(inner).__name__])[0][:120]


def _recorder(report: Report, label: str, headers: dict[str, str], settings: Any) -> Callable[[Any], None]:
    @settings
    def one_case(case: Any) -> None:
        report.cases += 1
        try:
            response = case.call(headers=headers)
        except Exception as exc:  # the app raised through the transport: a server error too
            report.failures.setdefault((label, f"500 {type(exc).__name__}"), _describe(case))
            report.statuses[500] += 1
            return
        report.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=CHECKS, headers=headers)
        except (Exception, BaseExceptionGroup) as exc:  # schemathesis' FailureGroup
            what = f"{response.status_code} " + (type(exc).__name__ if response.status_code >= 500
                                                 else _first_line(exc))
            answer = response.content[:200].decode(errors="replace")
            report.failures.setdefault((label, what), f"{_describe(case)} → {answer!r}")

    return one_case


FUZZ_CITY, FUZZ_ADMIN, FUZZ_SUPERVISOR = "模糊测试市", "fuzz_admin", "fuzz_supervisor"


def fuzz_subtree() -> None:
    """A city of its own under the province, with an admin and a supervisor (idempotent): the writers."""
    from sqlmodel import Session, select

    from services.common.auth import Role
    from services.common.db import get_engine
    from services.registry.auth.service import hash_secret
    from services.registry.demo.loader import DEFAULT_PASSWORD
    from services.registry.orgs.models import Organisation, OrgKind
    from services.registry.users.models import User

    with Session(get_engine()) as session:
        city = session.exec(select(Organisation).where(Organisation.name == FUZZ_CITY)).first()
        if city is None:
            root = session.exec(select(Organisation).where(Organisation.parent_id.is_(None))).one()
            city = Organisation(name=FUZZ_CITY, kind=OrgKind.city, parent_id=root.id, region_code="619900")
            session.add(city)
            session.flush()
            city.path = f"{root.path}{city.id}/"
        for username, role in ((FUZZ_ADMIN, Role.admin), (FUZZ_SUPERVISOR, Role.supervisor)):
            if session.exec(select(User).where(User.username == username)).first() is None:
                session.add(User(username=username, display_name=username, org_id=city.id, role=role,
                                 password_hash=hash_secret(DEFAULT_PASSWORD)))
        session.commit()
