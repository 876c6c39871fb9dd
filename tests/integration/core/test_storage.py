"""File storage on both backends: a folder, and S3 against moto's server (a real HTTP S3
stand-in on localhost, spoken to by boto3 exactly as production would)."""

from __future__ import annotations

import dataclasses
import socket

import boto3
import pytest

from gpcloud.core import storage
from gpcloud.core.errors import DomainError
from gpcloud.core.storage.files import FileBackend
from gpcloud.core.storage.s3 import S3Backend
from gpcloud.settings import get_settings


@pytest.fixture(scope="module")
def s3_endpoint():
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def _s3_settings(endpoint: str):
    return dataclasses.replace(
        get_settings(),
        storage_url="s3://gpcloud-test/bids",
        storage_s3_endpoint=endpoint,
        storage_s3_region="us-east-1",
        storage_s3_access_key="testing",
        storage_s3_secret_key="testing",
    )


@pytest.fixture(params=["files", "s3"])
def chosen(request, tmp_path, monkeypatch):
    if request.param == "files":
        settings = dataclasses.replace(get_settings(), storage_url=f"file://{tmp_path / 'store'}")
    else:
        endpoint = request.getfixturevalue("s3_endpoint")
        settings = _s3_settings(endpoint)
        boto3.client(
            "s3",
            endpoint_url=endpoint,
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        ).create_bucket(Bucket="gpcloud-test")
    backend = storage.backend_for(settings)
    monkeypatch.setattr(storage, "backend", lambda: backend)
    return backend


async def test_put_get_exists_delete(chosen):
    big = bytes(range(256)) * 4096 + b"tail"  # just over 1 MiB
    assert not await storage.exists("bids/42/1.sealed")
    await storage.put("bids/42/1.sealed", big)
    assert await storage.exists("bids/42/1.sealed")
    assert await storage.get("bids/42/1.sealed") == big
    await storage.put("bids/42/1.sealed", b"replaced")
    assert await storage.get("bids/42/1.sealed") == b"replaced"
    await storage.delete("bids/42/1.sealed")
    assert not await storage.exists("bids/42/1.sealed")
    with pytest.raises(DomainError) as info:
        await storage.get("bids/42/1.sealed")
    assert info.value.code == "STORAGE_NOT_FOUND"
    await storage.delete("bids/42/1.sealed")  # gone already: fine


def test_the_setting_chooses_the_backend(tmp_path, s3_endpoint):
    base = get_settings()
    default = storage.backend_for(dataclasses.replace(base, storage_url=""))
    assert isinstance(default, FileBackend) and default.root == (base.var / "storage").resolve()
    s3 = storage.backend_for(_s3_settings(s3_endpoint))
    assert isinstance(s3, S3Backend) and (s3.bucket, s3.prefix) == ("gpcloud-test", "bids/")
    with pytest.raises(ValueError):
        storage.backend_for(dataclasses.replace(base, storage_url="ftp://x"))


async def test_the_default_store_is_a_folder_under_var():
    await storage.put("probe/one.bin", b"\x00\x01")
    assert (get_settings().var / "storage" / "probe" / "one.bin").read_bytes() == b"\x00\x01"
    await storage.delete("probe/one.bin")


@pytest.mark.parametrize(
    "key",
    ["../etc/passwd", "/etc/passwd", "a/../../b", "a//b", "", "a/./b", "a\\b", "名.txt", "a/"],
)
async def test_keys_outside_the_store_are_refused(chosen, key):
    for call in (
        storage.put(key, b"x"),
        storage.get(key),
        storage.exists(key),
        storage.delete(key),
    ):
        with pytest.raises(DomainError) as info:
            await call
        assert info.value.code == "STORAGE_KEY_INVALID"
