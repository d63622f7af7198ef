"""The browser files served under /static/vendor/, and where each is in its npm package.

Read by the app (`web.vendor`) and by the wheel's build hook (`hatch_build.py`, which
loads this file by path before anything is installed), so it imports nothing.
"""

from __future__ import annotations

# served name -> path inside node_modules (package.json and package-lock.json pin them)
FILES: dict[str, str] = {
    "cytoscape.min.js": "cytoscape/dist/cytoscape.min.js",
    "cytoscape-svg.js": "cytoscape-svg/cytoscape-svg.js",
    # Layered layout of one chain, with node sizes that include their labels (no overlaps).
    "dagre.min.js": "dagre/dist/dagre.min.js",
    "cytoscape-dagre.js": "cytoscape-dagre/cytoscape-dagre.js",
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui-favicon.png": "swagger-ui-dist/favicon-32x32.png",
}

# License texts shipped next to the files (MIT for cytoscape, Apache-2.0 + NOTICE for Swagger UI).
LICENSE_FILES = ("LICENSE", "NOTICE")


def packages() -> list[str]:
    return sorted({path.split("/", 1)[0] for path in FILES.values()})
