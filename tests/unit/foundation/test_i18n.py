"""The catalogue: Babel's extraction agrees with messages.po, every message is translated
with the same placeholders, and every code the domain defines has its words."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from venuecode.access.roles import Role
from venuecode.audit.actions import AuditAction
from venuecode.ingest.kinds import KINDS
from venuecode.policy.reasons import CATALOGUE
from venuecode.tracing import types as tiers
from venuecode.web import words as w

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
from i18n_check import catalogue_path, placeholders, problems  # noqa: E402


def run_script(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHON": sys.executable}
    return subprocess.run([str(cwd / "scripts/i18n"), *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_the_catalogue_is_what_extraction_gives_and_all_translated() -> None:
    # `scripts/i18n --check`: pybabel extract, then `pybabel update --check` (the catalogue
    # has exactly the extracted ids), then every message translated, placeholders equal.
    done = run_script("--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_new_message_id_fails_the_check_and_the_script_adds_it_idempotently(
        tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    (copy / "scripts").mkdir(parents=True)
    for name in ("i18n", "i18n_check.py"):
        shutil.copy2(ROOT / "scripts" / name, copy / "scripts" / name)
    shutil.copy2(ROOT / "babel.cfg", copy / "babel.cfg")
    shutil.copytree(ROOT / "src/venuecode", copy / "src/venuecode",
                    ignore=shutil.ignore_patterns("__pycache__", "vendor"))
    page = copy / "src/venuecode/web/templates/home.html"
    page.write_text(page.read_text("utf-8") + '{{ _("A brand-new message") }}\n', "utf-8")

    assert run_script("--check", cwd=copy).returncode == 1
    first = run_script(cwd=copy)
    assert first.returncode == 1 and "untranslated: 'A brand-new message'" in first.stdout
    po = copy / "src/venuecode/web/locale/zh/LC_MESSAGES/messages.po"
    after_first = po.read_bytes()
    run_script(cwd=copy)
    assert po.read_bytes() == after_first  # a second run changes nothing


def test_the_zh_catalogue_has_no_problems_and_placeholders_are_checked() -> None:
    with catalogue_path().open("rb") as fh:
        assert problems(read_po(fh)) == []
    broken = Catalog(locale="zh")
    broken.add("%(n)s doses", "已接种剂")  # the count was lost
    broken.add("Helped %(n)s of %(max)s", "%(max)s 中的 %(m)s")
    broken.add("Every {days} days", "每天")
    broken.add("Untranslated", "")
    found = problems(broken)
    assert len(found) == 4 and all(("placeholders" in p) or ("untranslated" in p) for p in found)
    assert placeholders("%(a)s and %(a)s, 100%%", True) == {"%(a)": 2, "%%": 1}


@pytest.mark.parametrize(("table", "codes"), [
    (w.REASONS, set(CATALOGUE)),
    (w.AUDIT_ACTIONS, {a.value for a in AuditAction}),
    (w.DATA_KINDS, set(KINDS)),
    (w.ROLES, {r.value for r in Role}),
    (w.TIERS, {tiers.CASE, tiers.CLOSE, tiers.SECONDARY, tiers.TERTIARY, tiers.GENERAL}),
    (w.CASE_KINDS, {"confirmed", "asymptomatic"}),
    (w.BATCH_STATUSES, {"running", "done", "failed", "interrupted"}),
])
def test_every_code_the_domain_defines_has_words(table: dict[str, str], codes: set[str]) -> None:
    assert codes - set(table) == set()


def test_words_are_in_the_language_asked_and_unknown_codes_are_shown_as_they_are() -> None:
    assert w.words("reason", "health_code_red", "zh") == "红码"
    assert w.words("reason", "health_code_red", "en") == "Red health code"
    assert w.words("tier", "secondary", "zh") == "次密接"
    assert w.words("tier", "tier4", "zh") == "第4级密接"
    assert w.words("case_kind", "asymptomatic", "zh") == "无症状感染者"
    assert w.words("data_kind", "citizen_cards", "zh") == "市民卡"
    assert w.words("audit_action", "person.viewed", "zh") == "查询人员健康状态"
    assert w.words("batch_status", "no_such_state", "zh") == "no_such_state"
    assert w.words("color", None, "zh") == ""


# `_(variable)` in a template: the extractor cannot see the id, so its translation is
# dropped as obsolete on the next `scripts/i18n`. Allowed only where the ids are marked
# `N_()` where they are made: the home page's links (web/pages.py); the console's sections
# (console/pages.py), success messages (console/flash.py) and labels of roles, actions and
# data kinds (audit/words.py, console/words.py); the citizen's history and access log
# (scans/history.py, audit/words.py).
DYNAMIC_ALLOWED = {("home.html", "label"), ("console/_console.html", "done"),
                   ("console/home.html", "title"), ("console/home.html", "what"),
                   *(("console/" + page, "label") for page in
                     ("account_new.html", "accounts.html", "audit.html", "keys.html")),
                   ("access_log.html", "e.role"), ("scans/history.html", "r"),
                   ("scans/history.html", "item.channel")}


def test_templates_translate_literals_or_ids_marked_where_they_are_made() -> None:
    import re

    found = set()
    for path in (ROOT / "src/venuecode/web/templates").rglob("*.html"):
        for name in re.findall(r"\b_\(\s*([A-Za-z_][\w.]*)\s*[,)]", path.read_text("utf-8")):
            found.add((str(path.relative_to(ROOT / "src/venuecode/web/templates")), name))
    assert found - DYNAMIC_ALLOWED == set(), "use |words(kind) for codes, or literal ids"
