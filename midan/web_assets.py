"""The web page's JavaScript, CSS and map data, served from the npm packages ``midan assets`` fetched at install.

``GET /vendor/{package}/{member}`` answers only the members :data:`midan.assets.PACKAGES` lists for that
package: the very string, or for a listed pattern (``src/js/data/*.topo.json``) a member in the pattern's very folder
whose name alone matches it, so no path the request makes up reaches the file system; anything else, and a listed
file that has not been fetched, is a 404 in the API's error envelope. The page checks for the libraries itself and
says "map files missing" when they are absent.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from midan.assets import PACKAGES, asset_file, is_listed

#: the URL prefix the page loads its libraries from
PREFIX = "/vendor"
MEDIA_TYPES: dict[str, str] = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".png": "image/png",
    ".svg": "image/svg+xml",
}
#: licence files (LICENSE, MIT-LICENCE.txt) and anything else: plain text
DEFAULT_MEDIA_TYPE = "text/plain; charset=utf-8"
# the URL names no version, so an upgraded package must not stay cached for ever: a week, then the ETag (which
# names the version) revalidates
CACHE_CONTROL = "public, max-age=604800"


def media_type(member: str) -> str:
    return MEDIA_TYPES.get(PurePosixPath(member).suffix.lower(), DEFAULT_MEDIA_TYPE)


def vendor_file(package: str, member: str) -> Path | None:
    """The fetched file for ``/vendor/{package}/{member}``, or None when it is not one midan lists or is absent."""
    spec = PACKAGES.get(package)
    if spec is None or not is_listed(spec, member):
        return None
    return asset_file(package, member)


def mount_vendor(app: FastAPI) -> None:
    """Add the ``GET /vendor/{package}/{member}`` route to ``app``."""

    @app.api_route(PREFIX + "/{package}/{member:path}", methods=["GET", "HEAD"], include_in_schema=False)
    def vendor(request: Request, package: str, member: str) -> Response:
        path = vendor_file(package, member)
        if path is None:
            raise StarletteHTTPException(404)
        stat = path.stat()
        headers = {"Cache-Control": CACHE_CONTROL,
                   "ETag": f'"{PACKAGES[package].pinned}-{stat.st_size}-{int(stat.st_mtime)}"'}
        if headers["ETag"] in request.headers.get("if-none-match", ""):
            return Response(status_code=304, headers=headers)
        return FileResponse(path, media_type=media_type(member), headers=headers)


__all__ = ["CACHE_CONTROL", "PREFIX", "media_type", "mount_vendor", "vendor_file"]
