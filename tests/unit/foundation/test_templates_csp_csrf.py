"""Every template works under the CSP and carries the CSRF token (issue 11, finding 12).

The CSP (web/security.py) allows scripts and styles only from our own files: no inline
<script>, <style>, style="…" or on…= handler. Every form that posts carries
`{{ csrf_field() }}`; every other form is a GET search or a script's (no action).
"""

from __future__ import annotations

import re
from pathlib import Path

import venuecode.web

TEMPLATES = Path(venuecode.web.__file__).parent / "templates"
FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


def templates() -> dict[str, str]:
    found = {str(p.relative_to(TEMPLATES)): p.read_text("utf-8")
             for p in TEMPLATES.rglob("*.html")}
    assert len(found) > 25
    return found


def test_every_post_form_carries_the_csrf_token() -> None:
    posts, missing, other = 0, [], []
    for name, text in templates().items():
        for attributes, body in FORM.findall(text):
            method = re.search(r'method="(\w+)"', attributes)
            if method and method.group(1).lower() == "post":
                posts += 1
                if "{{ csrf_field() }}" not in body:
                    missing.append(f"{name}: <form{attributes}>")
            elif method and method.group(1).lower() != "get":
                other.append(f"{name}: <form{attributes}>")
            elif not method and "action=" in attributes:
                other.append(f"{name}: <form{attributes}> (say method=\"get\" or post)")
    assert posts >= 25
    assert missing == [], "add {{ csrf_field() }} to:\n" + "\n".join(missing)
    assert other == []


def test_no_template_has_inline_script_or_style() -> None:
    offenders = []
    for name, text in templates().items():
        for match in re.finditer(r"<script\b([^>]*)>", text):
            attrs = match.group(1)
            if "src=" not in attrs and 'type="application/json"' not in attrs:
                offenders.append(f"{name}: inline <script{attrs}>")
        for pattern in (r"<style\b", r"\sstyle=", r"\son[a-z]+="):
            offenders += [f"{name}: {m.group(0).strip()}" for m in re.finditer(pattern, text)]
    assert offenders == [], "move these to web/static/ (the CSP blocks them):\n" + "\n".join(
        offenders)


def test_the_base_page_hands_scripts_the_token() -> None:
    assert '<meta name="csrf-token" content="{{ csrf_token() }}">' in templates()["base.html"]
