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

from venuecode.web.i18n import translations

# Pydantic error type -> (Chinese, English), formatted with the error's `ctx`.
_PROBLEMS: dict[str, tuple[str, str]] = {
    "missing": ("必填", "required"),
    "string_too_short": ("至少 {min_length} 个字符", "at least {min_length} characters"),
    "string_too_long": ("最多 {max_length} 个字符", "at most {max_length} characters"),
    "too_short": ("至少 {min_length} 项", "at least {min_length} items"),
    "too_long": ("最多 {max_length} 项", "at most {max_length} items"),
    "int_parsing": ("须为整数", "must be a whole number"),
    "int_from_float": ("须为整数", "must be a whole number"),
    "float_parsing": ("须为数字", "must be a number"),
    "greater_than": ("须大于 {gt}", "must be more than {gt}"),
    "greater_than_equal": ("不能小于 {ge}", "must be at least {ge}"),
    "less_than": ("须小于 {lt}", "must be less than {lt}"),
    "less_than_equal": ("不能大于 {le}", "must be at most {le}"),
    "string_pattern_mismatch": ("格式不正确", "has the wrong format"),
    "literal_error": ("不是可选的值", "is not one of the choices"),
    "enum": ("不是可选的值", "is not one of the choices"),
    "bool_parsing": ("须为是或否", "must be yes or no"),
    "string_type": ("须为文字", "must be text"),
    "extra_forbidden": ("不是本表单的字段", "is not a field of this form"),
}


def problem(error: Mapping[str, Any], locale: str) -> str:
    """One error's problem, without the field; a validator's own message as it is."""
    kind = str(error.get("type", ""))
    ctx = error.get("ctx") or {}
    if kind == "string_too_short" and ctx.get("min_length") == 1:
        return "不能为空" if locale == "zh" else "must not be empty"
    if kind in _PROBLEMS:
        zh, en = _PROBLEMS[kind]
        try:
            return (zh if locale == "zh" else en).format(**ctx)
        except (KeyError, IndexError):
            pass
    return str(error.get("msg", "")).removeprefix("Value error, ")


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
    """The labels of the form fields the matched route declares (its `Form()` models)."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute):
        return {}
    titles: dict[str, str] = {}
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
