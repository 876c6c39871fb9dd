"""Fixtures of the finance centre's tests: names answered at the socket level, and the setting
that lets a webhook reach a test receiver on 127.0.0.1."""

from __future__ import annotations

import dataclasses
import ipaddress
import socket

import pytest

from gpcloud.finance_services.service import egress
from gpcloud.settings import get_settings


@pytest.fixture
def resolver(monkeypatch):
    """Names answered at the socket level (what asyncio's getaddrinfo calls): each lookup of a
    name takes the next answer (the last one repeats); every lookup is counted."""

    class Stub:
        answers: dict[str, list[list[str]]] = {}
        lookups: list[str] = []

    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in Stub.answers:
            return real(host, port, *args, **kwargs)
        Stub.lookups.append(name)
        queue = Stub.answers[name]
        found = queue.pop(0) if len(queue) > 1 else queue[0]
        port = int(port or 0)
        return [
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", (ip, port, 0, 0))
            if ":" in ip
            else (socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port))
            for ip in found
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    Stub.answers, Stub.lookups = {}, []
    return Stub


@pytest.fixture
def allow_local(monkeypatch):
    """A test receiver on 127.0.0.1 may be reached (setting webhook_allowed_networks)."""
    settings = dataclasses.replace(
        get_settings(), webhook_allowed_networks=(ipaddress.ip_network("127.0.0.1/32"),)
    )
    monkeypatch.setattr(egress, "get_settings", lambda: settings)
