"""Form input problems in words a person reads: each field by its label on the page, each
problem in the page's language (Pydantic's own messages are English only).

Form models name their fields with `Field(title=...)`, a message id of the catalogue (the
label the template shows), so the error names the field the person sees, in Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi.routing import APIRoute
from pydantic import BaseModel
from starlette.requests import Request

from venuecode.msgid import N_
from venuecode.web.i18n import translations

# Pydantic error type -> message id, formatted with the error's `ctx` (`%(min_length)s`).
PROBLEMS: dict[str, str] = {
    "missing": N_("required"),
    "string_too_short": N_("at least %(min_length)s characters"),
    "string_too_long": N_("at most %(max_length)s characters"),
    "too_short": N_("at least %(min_length)s items"),
    "too_long": N_("at most %(max_length)s items"),
    "int_parsing": N_("must be a whole number"),
    "int_from_float": N_("must be a whole number"),
    "int_type": N_("must be a whole number"),
    "float_parsing": N_("must be a number"),
    "float_type": N_("must be a number"),
    "greater_than": N_("must be more than %(gt)s"),
    "greater_than_equal": N_("must be at least %(ge)s"),
    "less_than": N_("must be less than %(lt)s"),
    "less_than_equal": N_("must be at most %(le)s"),
    "string_pattern_mismatch": N_("has the wrong format"),
    "literal_error": N_("is not one of the choices"),
    "enum": N_("is not one of the choices"),
    "bool_parsing": N_("must be yes or no"),
    "bool_type": N_("must be yes or no"),
    "string_type": N_("must be text"),
    "list_type": N_("must be a list"),
    "dict_type": N_("must be an object"),
    "model_type": N_("must be an object"),
    "datetime_parsing": N_("must be a date and time"),
    "datetime_from_date_parsing": N_("must be a date and time"),
    "date_parsing": N_("must be a date"),
    "date_from_datetime_parsing": N_("must be a date"),
    "extra_forbidden": N_("is not a field of this form"),
    "json_invalid": N_("is not valid JSON"),
    "value_error": N_("is not valid"),
}
EMPTY = N_("must not be empty")


def problem(error: Mapping[str, Any], locale: str) -> str:
    """One error's problem, without the field, in `locale`.

    Pydantic's own kinds come from `PROBLEMS`. A validator of ours raises
    `PydanticCustomError(kind, N_("message id"))` (no `{}` placeholders, so the message is
    its id) and is translated as it is; any other message is shown as given.
    """
    tr = translations(locale)
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return tr.gettext(EMPTY)
    if kind in PROBLEMS and kind != "value_error":
        try:
            return tr.gettext(PROBLEMS[kind]) % {k: v for k, v in ctx.items()}
        except (KeyError, TypeError, ValueError):
            pass
    message = str(error.get("msg", "")).removeprefix("Value error, ")
    translated = tr.gettext(message)
    if translated == message and kind == "value_error" and locale != "en":
        return tr.gettext(PROBLEMS["value_error"])  # an English sentence we did not write
    return translated


_WHERE = ("body", "query", "path", "header", "cookie")


def field_name(error: Mapping[str, Any]) -> str:
    """The field an error is about (`loc` without where it came from: `body`, `query`…)."""
    loc = list(error.get("loc", ()))
    if loc and loc[0] in _WHERE:
        loc = loc[1:]
    return ".".join(str(p) for p in loc)


def model_titles(model: type[BaseModel]) -> dict[str, str]:
    return {name: f.title for name, f in model.model_fields.items() if f.title}


def route_titles(request: Request) -> dict[str, str]:
    """The labels of the form fields the matched route declares (its `Form()` models, and
    query parameters given a `title`)."""
    route = request.scope.get("route")
    return titles_of(route) if isinstance(route, APIRoute) else {}


def titles_of(route: APIRoute) -> dict[str, str]:
    titles: dict[str, str] = {}
    for query in route.dependant.query_params:
        if query.field_info.title:
            titles[query.alias] = query.field_info.title
    for param in route.dependant.body_params:
        info = param.field_info
        model = info.annotation
        if isinstance(model, type) and issubclass(model, BaseModel):
            titles.update(model_titles(model))
        elif info.title:
            titles[param.alias] = info.title
    return titles


def describe(errors: Iterable[Mapping[str, Any]], titles: Mapping[str, str],
             locale: str) -> list[str]:
    """One line per problem: `负责人电话：…`, the field named by its label on the page."""
    tr = translations(locale)
    lines = []
    for error in errors:
        name = field_name(error)
        title = titles.get(name) or titles.get(name.split(".")[0])
        label = tr.gettext(title) if title else name
        colon = "：" if locale == "zh" else ": "
        lines.append(f"{label}{colon}{problem(error, locale)}" if label else problem(error, locale))
    return lines
