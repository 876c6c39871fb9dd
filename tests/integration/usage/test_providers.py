"""A tenant's approved provider plugin answers instead of the development provider; a failing
provider bills nothing."""

from __future__ import annotations

import pytest

from gpcloud.core.errors import DomainError
from gpcloud.usage.service import verify_face
from tests.integration.usage.support import EXPERT, agencies, ledger, use
from tests.plugins.exercise import exercised
from tests.plugins.test_approvals import approved

FACE = """
import pluggy

hookimpl = pluggy.HookimplMarker("gpcloud")
GPCLOUD_PLUGIN = {"name": "face_live", "description": "test face service", "config_schema": {"type": "object"}}


@hookimpl
def gpcloud_verify_face(tenant, subject, sample, purpose, idempotency_key):
    if sample == b"down":
        raise ConnectionError("face service unreachable")
    return {"matched": sample == b"live-photo", "score": "0.97", "reference": "FV-" + idempotency_key,
            "provider": "某人脸核验服务", "message": ""}
"""


@pytest.fixture
async def world(demo):
    return await agencies()


async def test_the_tenants_plugin_answers_instead_of_the_development_provider(
    client, world, install_plugin
):
    install_plugin("face_live", FACE, version="1.0.0")
    await approved(client, "face_live", "441481")
    with exercised("gpcloud_verify_face") as ran:
        outcome = await verify_face(use(world["mz_org"], "p1"), EXPERT, b"live-photo", "x")
    assert {plugin for _, plugin in ran} == {"builtin:development", "face_live"}
    assert outcome.ok and outcome.answer["reference"] == "FV-p1"
    assert "development" not in outcome.answer
    [charge] = await ledger()
    assert (charge["provider"], charge["provider_reference"]) == ("face_live", "FV-p1")

    with pytest.raises(DomainError) as caught:
        await verify_face(use(world["mz_org"], "p2"), EXPERT, b"down", "x")
    assert caught.value.code == "PLUGIN_FAILED"
    assert len(await ledger()) == 1  # the failed call billed nothing

    # Meizhou has not approved it: the development provider still answers there.
    elsewhere = await verify_face(use(world["mz_org"], "p3", tenant="441400"), EXPERT, b"x", "x")
    assert elsewhere.answer["development"] is True
