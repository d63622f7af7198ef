"""Browser libraries from npm, and the API docs page, served from our own origin.

Government intranets have no CDN. The files (`vendor_files.FILES`) are found in order:
the package's own folder `web/static/vendor/` (filled from npm when the wheel is built,
see hatch_build.py), the checkout's `node_modules` (`scripts/setup` runs `npm ci`), then
`VENUECODE_VENDOR_DIR` (a node_modules-style folder). Nothing third-party is committed.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse

from venuecode.config import get_settings
from venuecode.errors import NotFound
from venuecode.web.vendor_files import FILES

router = APIRouter(include_in_schema=False)

PACKAGED = Path(__file__).resolve().parent / "static" / "vendor"
# An editable install or a checkout: the repository root next to src/.
CHECKOUT_NODE_MODULES = Path(__file__).resolve().parents[3] / "node_modules"
_MEDIA_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


def _candidates(name: str, relative: str) -> Iterator[Path]:
    yield PACKAGED / name
    yield CHECKOUT_NODE_MODULES / relative
    configured = get_settings().vendor_dir
    if configured is not None:
        yield configured / relative


def vendor_path(name: str) -> Path:
    relative = FILES.get(name)
    if relative is None:
        raise NotFound("vendor_unknown", "没有该文件。", f"No vendor file {name!r}.")
    for path in _candidates(name, relative):
        if path.is_file():
            return path
    raise NotFound("vendor_missing", "页面组件未安装，请运行 scripts/setup（或安装构建好的 wheel）。",
                   f"{name} is not installed; run scripts/setup (npm ci) or install the built wheel.")


@router.get("/static/vendor/{name}")
def vendor_file(name: str) -> FileResponse:
    path = vendor_path(name)
    return FileResponse(path, media_type=_MEDIA_TYPES.get(path.suffix, "application/octet-stream"),
                        headers={"Cache-Control": "public, max-age=86400"})


@router.get("/api/docs")
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI from /static/vendor/: no CDN, no external favicon, no online validator.

    Started by /static/swagger-init.js rather than FastAPI's inline script, which the
    content security policy (web/security.py) would block.
    """
    root = html.escape(str(request.scope.get("root_path", "")).rstrip("/"))
    spec = root + html.escape(request.app.openapi_url or "/openapi.json")
    return HTMLResponse(f"""<!doctype html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="{root}/static/vendor/swagger-ui.css">
<link rel="icon" href="{root}/static/vendor/swagger-ui-favicon.png">
<title>venuecode 接口文档 (API)</title>
</head>
<body>
<div id="swagger-ui" data-openapi="{spec}"></div>
<script src="{root}/static/vendor/swagger-ui-bundle.js"></script>
<script src="{root}/static/swagger-init.js"></script>
</body>
</html>
""")
