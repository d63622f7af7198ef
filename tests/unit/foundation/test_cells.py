from venuecode.cells import safe_cell


def test_safe_cell_prefixes_formula_starts() -> None:
    assert [safe_cell(v) for v in ("=1", "+1", "-1", "@a", "\t=1", "\r=1", "ok", "1-2")] == [
        "'=1", "'+1", "'-1", "'@a", "'\t=1", "'\r=1", "ok", "1-2"]
