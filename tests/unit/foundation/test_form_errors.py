"""Form problems in the page's language, each field named by the label the page shows."""

from pydantic import BaseModel, Field, ValidationError

from venuecode.web.forms import describe, model_titles


class Example(BaseModel):
    name: str = Field(min_length=1, max_length=4, title="Name")
    capacity: int | None = Field(default=None, ge=1, title="Capacity (people)")
    areas: list[str] = Field(default_factory=list, max_length=1, title="Sub-areas")
    hidden: str = ""


def problems(data: dict[str, object], locale: str) -> list[str]:
    try:
        Example.model_validate(data)
    except ValidationError as exc:
        return describe(exc.errors(), model_titles(Example), locale)
    raise AssertionError("expected a validation error")


def test_each_problem_is_said_in_chinese_with_the_fields_label() -> None:
    assert problems({"name": "", "capacity": "many"}, "zh") == ["姓名：不能为空", "容纳人数：须为整数"]
    assert problems({"name": "长长长长长", "capacity": 0}, "zh") == [
        "姓名：最多 4 个字符", "容纳人数：不能小于 1"]
    assert problems({}, "zh") == ["姓名：必填"]


def test_english_on_request_and_unlabelled_fields_by_their_name() -> None:
    assert problems({"capacity": "x"}, "en") == ["Name: required", "Capacity (people): must be a whole number"]
    assert problems({"name": "a", "hidden": 3}, "zh") == ["hidden：须为文字"]


def test_an_item_of_a_list_is_named_by_its_list() -> None:
    assert problems({"name": "a", "areas": ["a", "b"]}, "zh") == ["区域：最多 1 项"]
    assert problems({"name": "a", "areas": [1]}, "zh") == ["区域：须为文字"]
