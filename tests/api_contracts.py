"""Rewrite the api-* forbidden contracts of pyproject.toml from the domain registry: each
domain's graphql may not import any other domain's tables (`uv run python -m tests.api_contracts`)."""

from pathlib import Path

from gpcloud import domains

root = Path(__file__).resolve().parents[1] / "platform"
pkgs = [d.package for d in domains.DOMAINS]


def has(p, part):
    b = root / p.replace(".", "/")
    return (b / f"{part}.py").exists() or (b / part).is_dir()


with_tables = [p for p in pkgs if has(p, "tables")]
blocks = []
for p in pkgs:
    if not has(p, "graphql"):
        continue
    short = p.removeprefix("gpcloud.")
    others = [f'"{t}.tables"' for t in with_tables if t != p]
    lines, line = [], "   "
    for o in others:
        if len(line) + len(o) + 2 > 98:
            lines.append(line.rstrip())
            line = "   "
        line += f" {o},"
    lines.append(line.rstrip())
    ident = short.replace(".", "-")
    blocks.append(
        "[[tool.importlinter.contracts]]\n"
        f'id = "api-{ident}"\n'
        f'name = "{short}.graphql reads no other domain\'s tables"\n'
        'type = "forbidden"\n'
        f'source_modules = ["{p}.graphql"]\n'
        "forbidden_modules = [\n" + "\n".join(lines) + "\n]\nallow_indirect_imports = true\n"
    )
PYPROJECT = root.parent / "pyproject.toml"
text = PYPROJECT.read_text()
marker = '[[tool.importlinter.contracts]]\nid = "api-'
start = text.index(marker)
last = text.rindex(marker)
tail = "allow_indirect_imports = true\n"
end = text.index(tail, last) + len(tail)
PYPROJECT.write_text(text[:start] + "\n".join(blocks) + text[end:])
print(len(blocks), "api contracts")
