"""Bad requests at the HTTP edge: a 400 or 404 with a JSON body and a stable code, never a 500.

- GraphQL (`checked_graphql`): a body that is not a JSON object ("hello", 42, null, true), text
  that is not UTF-8, a multipart `map` that is not an object of paths or names a place the
  operations do not have; refused as `{"errors": [{"message", "extensions": {"code"}}]}`, the
  shape GraphQL clients read.
- `Upload` arguments accept only a file sent as a multipart part, not a string or an object.
- Every other route (`EXCEPTION_HANDLERS`): Litestar's refusals keep their shape
  (`status_code`, `detail`) and gain a `code`; an id in a path beyond what the database holds
  (`RowId`) is a 404 like any other unknown id.

Error bodies echo what was asked for only inside JSON strings whose <, > and & are escaped, so
that no browser can take an error body for a page.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from cross_web import HTTPException as GraphQLHTTPException
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.params import PathParameter, QueryParameter
from strawberry.file_uploads.utils import replace_placeholders_with_files
from strawberry.types.scalar import scalar

from gpcloud.core.i18n import translate
from graphql import GraphQLError

# Ids are 32-bit serials (parse_id gives GraphQL IDs the same range).
RowId = Annotated[int, PathParameter(gt=0, lt=2**31)]
AfterId = Annotated[int, QueryParameter(ge=0, lt=2**31)]  # a page starts after this id
CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    413: "TOO_LARGE",
}
HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def json_response(body: dict, status: int, headers: dict | None = None) -> Response:
    text = json.dumps(body, ensure_ascii=False).translate(HTML_SAFE)
    return Response(text, status_code=status, media_type="application/json", headers=headers)


def _http_error(request: Request, exc: HTTPException) -> Response:
    status, body = exc.status_code, {"detail": exc.detail}
    extra = exc.extra if isinstance(exc.extra, list) else []
    if isinstance(exc, ValidationException) and extra:
        if all(isinstance(e, dict) and e.get("source") == "path" for e in extra):
            status, body = 404, {"detail": f"nothing at {request.url.path}"}
        else:
            body["extra"] = extra
    code = CODES.get(status, "HTTP_ERROR")
    return json_response({"status_code": status, "code": code, **body}, status, exc.headers)


EXCEPTION_HANDLERS = {HTTPException: _http_error}


def _request_error(status: int, message: str) -> Response:
    code = CODES.get(status, "HTTP_ERROR")
    error = {"message": translate(code, message), "extensions": {"code": code}}
    return json_response({"errors": [error]}, status)


def _is_map(value: object) -> bool:
    """{"0": ["variables.file"], ...}: the multipart spec's map from parts to paths."""
    return isinstance(value, dict) and all(
        isinstance(paths, list) and all(isinstance(p, str) for p in paths)
        for paths in value.values()
    )


class _CheckedGraphQL:
    """Checks on the request before strawberry reads it (mixed into the GraphQL controller)."""

    def decode_json(self, data: str | bytes) -> object:
        try:
            value = json.loads(data)
        except UnicodeDecodeError:
            raise GraphQLHTTPException(400, "the request is not UTF-8 text") from None
        except RecursionError:
            raise GraphQLHTTPException(400, "the JSON body is nested too deeply") from None
        if not isinstance(value, dict | list):
            raise GraphQLHTTPException(
                400, 'expected a JSON object, as in {"query": "...", "variables": {...}}'
            )
        return value

    async def parse_multipart(self, request: Any) -> Any:
        try:
            form = await request.get_form_data()
        except ValueError:
            raise GraphQLHTTPException(400, "the multipart body cannot be read") from None
        fields = [form.form.get("operations", "{}"), form.form.get("map", "{}")]
        if not all(isinstance(f, str | bytes) for f in fields):
            raise GraphQLHTTPException(400, "operations and map are text parts, not files")
        operations, files_map = (self.parse_json(f) for f in fields)
        if not _is_map(files_map):
            raise GraphQLHTTPException(
                400, 'map is an object of part names to paths: {"0": ["variables.file"]}'
            )
        try:
            return replace_placeholders_with_files(operations, files_map, form.files)
        except (KeyError, IndexError, TypeError, ValueError):
            raise GraphQLHTTPException(
                400, "map names a part that was not sent or a path the operations do not have"
            ) from None

    async def execute_request(self, request: Any, context: Any, root_value: Any) -> Response:
        try:
            return await self.run(request, context=context, root_value=root_value)
        except GraphQLHTTPException as exc:
            return _request_error(exc.status_code, exc.reason)


def checked_graphql(controller: type) -> type:
    """`controller` (strawberry's, from make_graphql_controller) with the checks above."""
    return type(controller.__name__, (_CheckedGraphQL, controller), {})


def _file(value: object) -> object:
    if callable(getattr(value, "read", None)) and hasattr(value, "filename"):
        return value
    raise GraphQLError(
        "expected a file: send it as a part of a multipart request (GraphQL multipart request "
        "spec), with map naming this variable",
        extensions={"code": "FILE_EXPECTED"},
    )


# Strawberry's Upload takes any value for a file; in its place (schema scalar_overrides) this one
# refuses what is not a file.
UPLOAD = scalar(
    name="Upload",
    description="Represents a file upload.",
    serialize=lambda v: v,
    parse_value=_file,
)
