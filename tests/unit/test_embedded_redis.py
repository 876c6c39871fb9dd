import subprocess
import tempfile
from pathlib import Path

import pytest
import redis

from gpcloud.core import redis as redis_module
from gpcloud.settings import get_settings


def client(var: Path) -> redis.Redis:
    return redis.Redis(unix_socket_path=str(var / "redis.sock"), socket_timeout=2)


def processes_on(sock: Path) -> list[str]:
    out = subprocess.run(["pgrep", "-f", str(sock)], capture_output=True, text=True)
    return out.stdout.split()


@pytest.fixture
def var():
    # Short paths: a unix socket path must stay under ~108 bytes.
    with tempfile.TemporaryDirectory(prefix="gpr-") as folder:
        yield Path(folder)


@pytest.fixture
def start(var):  # needs `var`, so servers are stopped before their folder is removed
    """start_embedded, remembering every server it spawns; those are stopped afterwards.

    The session's own embedded server lives under another var folder and is never touched.
    """
    started: list[subprocess.Popen] = []
    folders: list[Path] = []

    def run(folder: Path) -> str:
        before = redis_module._servers.get(folder)
        url = redis_module.start_embedded(folder)
        server = redis_module._servers.get(folder)
        if server is not None and server is not before:
            started.append(server)
            folders.append(folder)
        return url

    try:
        yield run, started
    finally:
        for folder in folders:
            redis_module.stop_embedded(folder)
        assert all(proc.poll() is not None for proc in started)


def test_start_listens_on_a_socket_in_var_and_is_reused(start, var):
    run, started = start
    sock = var / "redis.sock"
    url = run(var)
    assert url == f"unix://{sock}"
    assert len(started) == 1 and started[0].poll() is None
    assert client(var).ping()
    assert run(var) == url
    assert len(started) == 1, "a second process was started for the same var"
    assert processes_on(sock) == [str(started[0].pid)]


def test_two_var_folders_have_separate_servers(start, var):
    run, started = start
    with tempfile.TemporaryDirectory(prefix="gpr-") as other:
        other = Path(other)
        url_a, url_b = run(var), run(other)
        try:
            assert url_a != url_b and len(started) == 2
            a, b = client(var), client(other)
            assert a.ping() and b.ping()
            a.set("only-in-a", "1")
            assert b.get("only-in-a") is None and a.get("only-in-a") == b"1"
            b.set("only-in-b", "2")
            assert a.get("only-in-b") is None
        finally:
            redis_module.stop_embedded(other)


def test_stale_socket_file_is_replaced(start, var):
    run, started = start
    (var / "redis.sock").write_text("left over from a crash")
    assert run(var) == f"unix://{var / 'redis.sock'}"
    assert len(started) == 1 and client(var).ping()


def test_stop_embedded_stops_the_server_it_started(start, var):
    run, started = start
    run(var)
    redis_module.stop_embedded(var)
    assert started[0].poll() is not None
    assert var not in redis_module._servers
    assert not redis_module._alive(var / "redis.sock")


async def test_session_redis_still_answers():
    # Runs after the tests above (file order): they must not have stopped the session's server.
    assert await redis_module.get_redis().ping()
    if get_settings().embedded_redis:
        server = redis_module._servers[get_settings().var]
        assert server.poll() is None
