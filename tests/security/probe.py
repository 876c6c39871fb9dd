"""Send the abuse suite's hostile requests to a running server and report how it held up.

    uv run python -m tests.security.probe http://127.0.0.1:8000 [--password PASSWORD]

Each case of tests/security/cases.py is sent while `{ __typename }` checks that the server still
answers. Cases that need a login use the demo accounts of `gpcloud serve --demo` (skipped when
the login fails). The report: requests sent, refusals by code, 5xx responses (must be none),
answers other than the expected refusal, the slowest refusal and the slowest liveness answer.
Exit status 1 on any 5xx or unexpected answer.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from tests.security.cases import CASES, Case

DEMO_PASSWORD = "Gpcloud#2021"  # README: the demo accounts' password
LOGIN = "mutation($u: String!, $p: String!) { login(username: $u, password: $p) { token } }"


@dataclass
class Report:
    sent: int = 0
    refusals: Counter = field(default_factory=Counter)
    server_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    slowest_liveness: tuple[float, str] = (0.0, "")

    def lines(self) -> list[str]:
        by_code = ", ".join(f"{code} {n}" for code, n in sorted(self.refusals.items()))
        return [
            f"requests sent: {self.sent} ({self.sent // 2} hostile, as many liveness checks)",
            f"refusals by code: {by_code}",
            f"5xx responses: {len(self.server_errors)} {self.server_errors or ''}".rstrip(),
            f"unexpected answers: {len(self.unexpected)} {self.unexpected or ''}".rstrip(),
            f"slowest refusal: {self.slowest[0]:.3f} s ({self.slowest[1]})",
            f"slowest {{ __typename }} meanwhile: {self.slowest_liveness[0]:.3f} s "
            f"({self.slowest_liveness[1]})",
            *(f"skipped: {name}" for name in self.skipped),
        ]


def _request(case: Case, token: str | None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    if case.body is None:
        return {"json": {"query": case.query, "variables": case.variables}, "headers": headers}
    headers["content-type"] = "application/json"
    content = case.body
    if case.chunked:

        async def chunks(body: bytes = case.body):
            for start in range(0, len(body), 64 * 1024):
                yield body[start : start + 64 * 1024]

        content = chunks()
    return {"content": content, "headers": headers}


def _code(response: httpx.Response) -> str | None:
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return None
    return (errors[0].get("extensions") or {}).get("code") if errors else None


async def _send(http: httpx.AsyncClient, case: Case, token: str | None, report: Report) -> None:
    async def hostile() -> tuple[httpx.Response, float]:
        started = time.perf_counter()
        response = await http.post("/graphql", **_request(case, token))
        return response, time.perf_counter() - started

    async def alive() -> float:
        await asyncio.sleep(0.01)  # while the hostile request is in flight
        started = time.perf_counter()
        probe = await http.post("/graphql", json={"query": "{ __typename }"})
        if probe.json() != {"data": {"__typename": "Query"}}:
            report.unexpected.append(f"{{ __typename }} during {case.name}: {probe.text[:100]}")
        return time.perf_counter() - started

    (response, took), liveness = await asyncio.gather(hostile(), alive())
    report.sent += 2
    code = _code(response)
    if response.status_code >= 500:
        report.server_errors.append(f"{case.name}: {response.status_code}")
    if (response.status_code, code) != (case.status, case.code):
        report.unexpected.append(f"{case.name}: {response.status_code} {code}")
    else:
        report.refusals[code or str(response.status_code)] += 1
        report.slowest = max(report.slowest, (took, case.name))
    report.slowest_liveness = max(report.slowest_liveness, (liveness, case.name))


async def run(base: str, password: str = DEMO_PASSWORD, cases: list[Case] = CASES) -> Report:
    report = Report()
    tokens: dict[str, str | None] = {}
    async with httpx.AsyncClient(base_url=base, timeout=120) as http:
        for case in cases:
            if case.login and case.login not in tokens:
                answer = await http.post(
                    "/graphql", json={"query": LOGIN, "variables": {"u": case.login, "p": password}}
                )
                tokens[case.login] = ((answer.json().get("data") or {}).get("login") or {}).get(
                    "token"
                )
            token = tokens.get(case.login) if case.login else None
            if case.login and not token:
                report.skipped.append(f"{case.name} (no login {case.login})")
                continue
            await _send(http, case, token, report)
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", help="the server, e.g. http://127.0.0.1:8000")
    parser.add_argument("--password", default=DEMO_PASSWORD, help="of the demo accounts")
    args = parser.parse_args()
    report = asyncio.run(run(args.url.rstrip("/"), args.password))
    print("\n".join(report.lines()))
    sys.exit(1 if report.server_errors or report.unexpected else 0)


if __name__ == "__main__":
    main()
