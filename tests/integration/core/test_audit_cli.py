"""The audit log in the embedded default, end to end: `gpcloud serve` sequences entries with the
worker it runs, and a supplier proves its own entry (and that the log only grew) with
`gpcloud audit prove`, knowing nothing but the platform's URL and its own login."""

import os
import signal
import subprocess
import sys
import time

import httpx

from tests.support import serve_fresh

PROFILE = 'mutation { completeProfile(input: {displayName: "NAME"}) { errors { code } } }'
MINE = "{ myAuditEntries(first: 10) { edges { node { id position } } } }"


def test_a_supplier_proves_its_entry_with_the_cli(tmp_path):
    server, base = serve_fresh(tmp_path / "var", env={"COLUMNS": "250"})
    env = {k: v for k, v in os.environ.items() if not k.startswith("GPCLOUD_")}
    env |= {"GPCLOUD_VAR": str(tmp_path / "var"), "COLUMNS": "250"}

    def graphql(query: str, token: str | None = None) -> dict:
        headers = {"authorization": f"Bearer {token}"} if token else {}
        answer = httpx.post(f"{base}/graphql", json={"query": query}, headers=headers).json()
        assert "errors" not in answer, answer
        return answer["data"]

    def prove(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "gpcloud", "audit", "prove", *args, "--url", base],
            capture_output=True,
            text=True,
            env={**env, "GPCLOUD_PASSWORD": "Gpcloud#2021"},
        )

    def sequenced(token: str) -> list[dict]:
        """The user's entries once the server's sequencer has reached all of them."""
        for _ in range(300):
            nodes = [e["node"] for e in graphql(MINE, token)["myAuditEntries"]["edges"]]
            if nodes and all(n["position"] is not None for n in nodes):
                return nodes
            time.sleep(0.1)
        raise AssertionError("the server did not sequence the entries")

    try:
        login = graphql(
            'mutation { login(username: "mz.supplier", password: "Gpcloud#2021") { token } }'
        )
        token = login["login"]["token"]
        graphql(PROFILE.replace("NAME", "投标专员甲"), token)
        entry = sequenced(token)[0]["id"]
        first_size = httpx.get(f"{base}/audit/heads?limit=1").json()["heads"][0]["tree_size"]
        graphql(PROFILE.replace("NAME", "投标专员乙"), token)
        sequenced(token)
        last_size = httpx.get(f"{base}/audit/heads?limit=1").json()["heads"][0]["tree_size"]

        proven = prove(entry, "--username", "mz.supplier")
        assert proven.returncode == 0, proven.stdout + proven.stderr
        assert f"ok: audit entry {entry} is in the log the platform signed" in proven.stdout
        assert "user.complete_profile user" in proven.stdout
        grown = prove("--between", str(first_size), str(last_size))
        assert grown.returncode == 0 and "ok: the log only grew" in grown.stdout, grown.stdout
        stranger = prove(entry, "--username", "xn.supplier")
        assert stranger.returncode == 1 and "NOT_FOUND" in stranger.stdout, stranger.stdout
        wrong_key = prove(entry, "--username", "mz.supplier", "--key", "22" * 32)
        assert wrong_key.returncode == 1 and "not the key you trust" in wrong_key.stdout
    finally:
        server.send_signal(signal.SIGINT)
        output, _ = server.communicate(timeout=30)
    assert server.returncode == 0, output
    assert "audit.sequencer" in output and "leads" in output
