"""Section 二's rows found by their labels, cut or misread at the end as OCR leaves them."""

from __future__ import annotations

import pytest

from parsers.active import active_disclosure, cut_short
from parsers.rows import split_row
from parsers.templates import TEMPLATES

ROWS_2019 = TEMPLATES["2019"].active_rows
ROWS_2021 = TEMPLATES["2021"].active_rows


@pytest.mark.parametrize(
    ("label", "key"),
    [
        ("行政强", "enforcement"),  # its last character lost
        ("行政强册", "enforcement"),  # misread
        ("行政领制", "enforcement"),  # one character misread within it
        ("规范牲文件", "normative_documents"),
        ("第二十条第六项行政强", "enforcement"),
        ("规范性文", "normative_documents"),
        ("规范性", "normative_documents"),
        ("其他对外管理", "other_services"),
        ("行政许", "licensing"),
    ],
)
def test_a_label_cut_at_its_end_is_the_one_row_it_fits(label: str, key: str) -> None:
    spec = cut_short(label, ROWS_2019)
    assert spec is not None and spec.key == key


@pytest.mark.parametrize(
    "label",
    [
        "行政",  # 行政许可, 行政处罚 and 行政强制 all begin so
        "行政册册",
        "行政许制",  # one character off 行政许可 and one off 行政强制
        "行领强册",  # two characters off
        "规",  # 规章 and 规范性文件
        "收",  # a two-character keyword is never cut
        "行政强后记录",  # more characters after the cut than it lost
        "强制",  # its end, not its beginning
        "行政事业性收",
        "",
    ],
)
def test_a_label_two_rows_or_none_could_be_is_no_row(label: str) -> None:
    assert cut_short(label, ROWS_2019) is None


def test_the_cut_label_s_numbers_land_in_its_row() -> None:
    rows = [
        split_row(["行政处罚", "477", "-25", "15046"]),
        split_row(["行政强", "46", "6", "47"]),
    ]
    table, status, shown = active_disclosure(rows, TEMPLATES["2019"])
    assert table["enforcement"] == {"prev_year_items": 46, "change": 6, "decisions": 47}
    assert table["penalties"]["decisions"] == 15046
    assert {"enforcement", "penalties"} <= shown
    assert not any(cell.startswith("active_disclosure.enforcement.") for cell in status)


def test_a_whole_label_wins_over_a_cut_one_and_two_cut_rows_fill_none() -> None:
    whole = active_disclosure(
        [split_row(["行政强", "1", "2", "3"]), split_row(["行政强制", "46", "6", "47"])],
        TEMPLATES["2019"],
    )
    assert whole[0]["enforcement"] == {"prev_year_items": 46, "change": 6, "decisions": 47}
    twice = active_disclosure(
        [split_row(["行政强", "1", "2", "3"]), split_row(["行政强册", "46", "6", "47"])],
        TEMPLATES["2019"],
    )
    assert set(twice[0]["enforcement"].values()) == {None}
    assert "enforcement" not in twice[2]


def test_the_2021_rows_are_cut_the_same_way() -> None:
    table, _, _ = active_disclosure([split_row(["行政处", "12"])], TEMPLATES["2021"])
    assert table["penalties"] == {"decisions": 12}
