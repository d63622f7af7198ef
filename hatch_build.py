"""Wheel build hook: the browser libraries, fetched from the npm registry at build time.

`npm ci` installs exactly package-lock.json into a scratch folder; the few files the
pages use (src/venuecode/web/vendor_files.py) are copied to
src/venuecode/web/static/vendor/ (gitignored, shipped as a wheel artifact). Nothing
third-party is committed, and an installed wheel serves them without a checkout or CDN.
Editable installs skip this: they serve the checkout's node_modules (scripts/setup).
"""

from __future__ import annotations

import os
import runpy
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

VENDOR = Path("src/venuecode/web/static/vendor")
MANIFEST = Path("src/venuecode/web/vendor_files.py")


class VendorBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        manifest = runpy.run_path(str(root / MANIFEST))
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("building the venuecode wheel needs npm for the browser libraries "
                               "(Debian: apt-get install npm)")
        out = root / VENDOR
        with tempfile.TemporaryDirectory(prefix="venuecode-npm-") as scratch:
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(root / name, Path(scratch) / name)
            self.app.display_info("npm ci: browser libraries from package-lock.json")
            # --ignore-scripts: no install scripts run (swagger-ui-dist pulls in an analytics
            # package whose postinstall would phone home).
            subprocess.run([npm, "ci",  # noqa: S603 - fixed arguments, npm from PATH "--ignore-scripts", "--omit=dev", "--no-audit", "--no-fund",
                            "--prefer-offline", "--loglevel=error"],
                           cwd=scratch, check=True, env={**os.environ, "SCARF_ANALYTICS": "false"})
            modules = Path(scratch) / "node_modules"
            shutil.rmtree(out, ignore_errors=True)
            (out / "licenses").mkdir(parents=True)
            for served, source in manifest["FILES"].items():
                shutil.copyfile(modules / source, out / served)
            for package in manifest["packages"]():
                for name in manifest["LICENSE_FILES"]:
                    if (modules / package / name).is_file():
                        shutil.copyfile(modules / package / name, out / "licenses" / f"{package}.{name}")
        self.app.display_info(f"browser libraries in {VENDOR}: {', '.join(manifest['FILES'])}")

    def clean(self, versions: list[str]) -> None:
        shutil.rmtree(Path(self.root) / VENDOR, ignore_errors=True)
