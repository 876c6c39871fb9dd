"""Starting an import: who may, for which tenant, and a first look at the file."""

from __future__ import annotations

import uuid

from gpcloud.core.auth.admin import reachable_tenant
from gpcloud.core.auth.service import CurrentUser
from gpcloud.core.errors import DomainError
from gpcloud.core.i18n import language
from gpcloud.core.imports.reader import ImportFileError, sniff_upload
from gpcloud.core.imports.runner import _columns, _data_rows, get_spec
from gpcloud.core.jobs.service import enqueue
from gpcloud.settings import get_settings

MAX_UPLOAD_BYTES = 100 * 1024 * 1024


async def start_import(
    actor: CurrentUser | None, registry: str, filename: str, content: bytes, tenant: str
) -> dict:
    """Store the file, check its headers now (a wrong file fails at once), queue the job.
    Each registry's import needs that registry's permission (spec.permission), so the
    startImport field cannot declare one: this is where it is required."""
    spec = get_spec(registry)
    if actor is not None:
        actor.require(spec.permission)
    await reachable_tenant(tenant)
    if not content:
        raise DomainError("EMPTY_FILE", "the file is empty", "file")
    if len(content) > MAX_UPLOAD_BYTES:
        raise DomainError("FILE_TOO_LARGE", f"at most {MAX_UPLOAD_BYTES >> 20} MB per file", "file")
    folder = get_settings().var / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{uuid.uuid4().hex}{sniff_upload(filename, content[:4])}"
    path.write_bytes(content)
    try:
        header, _ = _data_rows(path)
        _columns(spec, header)
    except ImportFileError as exc:
        path.unlink(missing_ok=True)
        raise DomainError(exc.code, str(exc), "file") from None
    # The reject report is written in the language the import was started in.
    payload = {"registry": registry, "path": str(path), "language": language.get()}
    return await enqueue("import", payload, tenant=tenant)
