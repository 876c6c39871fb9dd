"""The deployment artefacts, checked as far as a machine without a container engine can: the
compose file, the image definition, the settings they name, and the guide's commands are CI's."""

import dataclasses
import re
import shlex
from pathlib import Path

import yaml

from gpcloud.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# Official images (Docker Hub's library) the compose file may use, each with a pinned version.
OFFICIAL = {"postgres", "redis", "nginx"}
SETTINGS = {f"GPCLOUD_{f.name.upper()}" for f in dataclasses.fields(Settings)}


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yaml").read_text(encoding="utf-8"))


def test_the_compose_file_names_real_images_and_the_platform_processes():
    compose = _compose()
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "app", "worker", "proxy"}
    for name, service in services.items():
        image = service["image"]
        repo, _, tag = image.partition(":")
        assert tag and tag != "latest", f"{name}: pin a version ({image})"
        if "build" in service:
            assert repo == "gpcloud" and service["build"]["dockerfile"] == "deploy/Dockerfile"
            build = service["build"]
            assert (
                DEPLOY / build["context"] / build["dockerfile"]
            ).resolve() == DEPLOY / "Dockerfile"
        else:
            assert repo in OFFICIAL, f"{name}: {image} is not an official image"
    assert services["app"]["command"][:2] == ["gpcloud", "serve"]
    assert services["worker"]["command"] == ["gpcloud", "worker"]
    assert "gpcloud migrate" in " ".join(services["migrate"]["command"])
    assert "/health/ready" in " ".join(services["app"]["healthcheck"]["test"])
    assert services["app"]["depends_on"]["migrate"]["condition"] == "service_completed_successfully"
    # App and worker share the files folder: the app serves what the workers write.
    for name in ("app", "worker"):
        assert "gpcloud-var:/var/lib/gpcloud" in services[name]["volumes"]
    db_args = " ".join(services["db"]["command"])
    assert "shared_buffers=" in db_args and "archive_mode=on" in db_args
    assert "noeviction" in services["redis"]["command"]


def test_every_variable_the_artefacts_set_is_a_setting():
    compose = _compose()
    named = set()
    for service in compose["services"].values():
        named |= {k for k in (service.get("environment") or {}) if k.startswith("GPCLOUD_")}
    example = (DEPLOY / "gpcloud.env.example").read_text(encoding="utf-8")
    named |= set(re.findall(r"^(GPCLOUD_\w+)=", example, re.M))
    named |= set(re.findall(r"\b(GPCLOUD_\w+)=", (DEPLOY / "Dockerfile").read_text()))
    assert named - SETTINGS == set()
    assert {
        "GPCLOUD_DB",
        "GPCLOUD_REDIS",
        "GPCLOUD_SECRET_KEY",
        "GPCLOUD_AUDIT_SIGNING_KEY",
    } <= named


def _stages(dockerfile: str) -> list[list[str]]:
    stages: list[list[str]] = []
    joined = re.sub(r"\\\n\s*", " ", dockerfile)
    for line in joined.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_the_image_is_multi_stage_non_root_and_built_from_the_lock():
    build, run = _stages((DEPLOY / "Dockerfile").read_text(encoding="utf-8"))
    assert any(line == "RUN sh deploy/build-env.sh /app" for line in build)
    assert "uv sync --locked --no-dev" in (DEPLOY / "build-env.sh").read_text()
    users = [line.split()[1] for line in run if line.startswith("USER ")]
    assert users and not users[-1].startswith(("0", "root"))
    assert any(line.startswith("COPY --from=build /app /app") for line in run)
    assert not any("uv " in line for line in run if line.startswith("RUN"))
    # The files the build stage copies are the ones deploy/check.sh builds from, in that order.
    copied = []
    for line in build:
        if line.startswith("COPY "):
            copied += [p.rstrip("/") for p in shlex.split(line)[1:-1]]
    check = (DEPLOY / "check.sh").read_text(encoding="utf-8")
    listed = re.search(r"IMAGE_FILES=\(([^)]*)\)", check)[1].split()
    assert copied == listed
    for path in copied:
        assert (ROOT / path).exists(), path


def test_the_guides_check_commands_are_the_ones_ci_runs():
    guide = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    section = guide.split("### Checking the artefacts", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)[1]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").replace('"${UV[@]}"', "uv")
    commands = [line.strip() for line in block.splitlines() if line.strip()]
    assert commands and all(command in ci for command in commands), commands
