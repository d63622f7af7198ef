"""Browser libraries from npm packages installed at setup, served from our own origin.

Government intranets have no CDN: `scripts/setup` runs `npm ci` (package.json,
package-lock.json) and this route serves the few files pages need. Nothing third-party
is copied into the repository.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

from venuecode.config import get_settings
from venuecode.errors import NotFound

router = APIRouter(include_in_schema=False)

FILES = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "cytoscape-svg.js": "cytoscape-svg/cytoscape-svg.js",
}


def node_modules() -> Path:
    configured = get_settings().vendor_dir
    if configured is not None:
        return configured
    # An editable install or a checkout: the repository root next to src/.
    return Path(__file__).resolve().parents[3] / "node_modules"


def vendor_path(name: str) -> Path:
    relative = FILES.get(name)
    if relative is None:
        raise NotFound("vendor_unknown", "没有该文件。", f"No vendor file {name!r}.")
    path = node_modules() / relative
    if not path.is_file():
        raise NotFound("vendor_missing", "页面组件未安装，请运行 scripts/setup。",
                       f"{name} is not installed; run scripts/setup (npm ci).")
    return path


@router.get("/static/vendor/{name}")
def vendor_file(name: str) -> FileResponse:
    return FileResponse(vendor_path(name), media_type="text/javascript",
                        headers={"Cache-Control": "public, max-age=86400"})
