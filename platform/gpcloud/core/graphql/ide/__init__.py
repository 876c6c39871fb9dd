"""GraphiQL served by the app itself, with no CDN: government networks have no internet.

Strawberry's page loads React and GraphiQL from unpkg.com and shows "Loading..." forever
offline. The minified bundles come from the pinned PyPI package graphene-django-graphiql-static
(no dependencies of its own; only its static files are used, never its Django views), so
`uv sync` brings them with the rest and nothing is vendored here. Our page and boot script
are the only code of ours: `page.html` and `boot.js` beside this file.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from litestar.static_files import create_static_files_router

ASSETS_PATH = "/graphql/assets"
VENDOR = (
    Path(str(files("graphene_django_graphiql_static")))
    / "static"
    / "graphene_django_graphiql_static"
)
HERE = Path(__file__).parent
PAGE = (HERE / "page.html").read_text(encoding="utf-8").replace("{assets}", ASSETS_PATH)

assets = create_static_files_router(
    path=ASSETS_PATH, directories=[HERE / "static", VENDOR], include_in_schema=False
)


def offline_ide(controller: type) -> type:
    """`controller` (strawberry's) rendering the offline page instead of the CDN one."""
    return type(controller.__name__, (controller,), {"graphql_ide_html": PAGE})
