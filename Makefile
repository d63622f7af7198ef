.PHONY: help setup demo serve test lint bench migration i18n
help:          ## list the chores
	@grep -E '^[a-z-]+:.*##' $(MAKEFILE_LIST) | sed 's/:.*##/\t/'
setup:         ## install everything into .venv (and the CJK font)
	./scripts/setup
demo:          ## demo city on SQLite, served at http://127.0.0.1:8000
	.venv/bin/venuecode demo
serve:         ## the web app on the configured database
	.venv/bin/venuecode serve
test:          ## the whole suite on SQLite and PostgreSQL, then lint
	./scripts/test
lint:          ## ruff and mypy
	.venv/bin/ruff check src tests bench scripts hatch_build.py && .venv/bin/mypy
migration:     ## autogenerate a migration: make migration m="what changed"
	.venv/bin/python scripts/make_migration.py "$(m)"
i18n:          ## extract messages, update the zh catalogue, list untranslated ones
	./scripts/i18n
