"""What OCR reads is kept only where it is sure and fits the identities; the page image is
levelled before its ruling lines are read."""

import numpy as np
import pypdfium2
import pytest
from PIL import Image

from parsers.extract import scan
from parsers.repair import Identity, confusable, doubt
from tests.fixtures.make_official import OUT

ROW = Identity("row", (("a", "x"), ("a", "y")), (("a", "total"),))
COLUMN = Identity("column", (("a", "x"), ("b", "x")), (("sum", "x"),))
RULES = [ROW, COLUMN]


@pytest.mark.parametrize(
    ("read", "true", "expected"),
    [(8, 6, True), (0, 9, True), (17, 11, True), (10, 100, True), (55, 5, True),
     (0, 2, False), (8, 5, True), (12, 21, False), (6, 6000, False), (7, 4, False)],
)  # fmt: skip
def test_confusable_digits_are_look_alikes_or_one_lost_or_doubled(
    read: int, true: int, expected: bool
) -> None:
    assert confusable(read, true) is expected


def test_a_misread_digit_that_breaks_two_identities_is_left_to_them() -> None:
    # a.x is 6, read as 8: its row and its column both break, and only it mends both
    values = {("a", "x"): 8, ("a", "y"): 4, ("a", "total"): 10, ("b", "x"): 1, ("sum", "x"): 7}
    doubted_values, doubted = doubt(values, RULES, values)
    assert doubted == {("a", "x")}
    assert doubted_values[("a", "x")] is None


def test_a_break_no_confusion_explains_is_the_reports_own_and_stays() -> None:
    # the report prints 0 where the others give 2: OCR does not read 2 as 0
    values = {("a", "x"): 1, ("a", "y"): 1, ("a", "total"): 0}
    kept, doubted = doubt(values, [ROW], values)
    assert doubted == set()
    assert kept == values


def test_readings_that_fit_the_identities_are_kept() -> None:
    values = {("a", "x"): 6, ("a", "y"): 4, ("a", "total"): 10, ("b", "x"): 1, ("sum", "x"): 7}
    assert doubt(values, RULES, values) == (values, set())


def _page(angle: float) -> np.ndarray:
    document = pypdfium2.PdfDocument((OUT / "000_332b3b6b687ea38f.libreoffice.pdf").read_bytes())
    image = document[2].render(scale=100 / 72, grayscale=True).to_pil().convert("L")
    document.close()
    return np.asarray(image.rotate(angle, resample=Image.Resampling.BICUBIC, fillcolor=255))


@pytest.mark.parametrize("angle", [-0.9, -0.3, 0.0, 0.6, 1.0])
def test_the_skew_of_a_turned_page_is_measured(angle: float) -> None:
    assert scan.skew(_page(angle)) == pytest.approx(-angle, abs=0.1)  # 1 px over 600


def test_a_levelled_page_has_level_ruling_lines() -> None:
    page = scan.deskew(_page(0.8))
    assert abs(scan.skew(page)) <= 0.1


def test_specks_go_but_a_decimal_point_and_a_minus_stay() -> None:
    crop = np.full((30, 80), 255, np.uint8)
    crop[8:22, 10:16] = 0  # a digit
    crop[8:22, 30:36] = 0  # a digit
    crop[20:22, 22:24] = 0  # a decimal point, low between them
    crop[14:16, 2:8] = 0  # a minus before them
    crop[2, 60] = 0  # specks
    crop[3, 45] = 0
    cleaned = scan._despeckle(crop)
    dark = cleaned < 128
    assert dark.sum() == 14 * 6 * 2 + 4 + 12


def test_the_edge_of_a_ruling_line_in_a_number_s_crop_is_no_digit() -> None:
    # a faint line along the crop's side, darker than Otsu's level on a crop of paper, is
    # taller than the digit: taken for one, it would make the digit a speck
    crop = np.full((30, 40), 250, np.uint8)
    crop[8:22, 16:24] = 120  # a digit
    crop[:, 0] = 170  # the edge of the cell's ruling line
    cleaned = scan._despeckle(crop)
    dark = cleaned < 200
    assert dark.sum() == 14 * 8
    assert cleaned.shape == (14 + 2 * 4, 8 + 2 * 4)  # the digit, a margin around it


def test_a_stroke_cut_off_its_digit_stays_with_it() -> None:
    # the top bar of a 5 that a white speck parted from the rest stays: it is no speck
    crop = np.full((30, 40), 255, np.uint8)
    crop[8:22, 4:10] = 0  # a digit
    crop[11:22, 14:20] = 0  # the body of the next
    crop[8:10, 14:20] = 0  # and its bar, a white row above the body
    cleaned = scan._despeckle(crop)
    assert (cleaned < 128).sum() == 14 * 6 + 11 * 6 + 2 * 6


def test_a_short_minus_stays_but_a_square_speck_before_the_digits_goes() -> None:
    crop = np.full((28, 35), 255, np.uint8)
    crop[8:21, 11:18] = 0  # a digit
    crop[8:21, 20:26] = 0  # a digit
    crop[15:17, 5:8] = 0  # a minus of 3 × 2 pixels, at the digits' middle height
    assert (scan._despeckle(crop) < 128).sum() == 13 * 7 + 13 * 6 + 3 * 2
    crop[15:17, 5:8] = 255
    crop[14:16, 5:7] = 0  # a speck of 2 × 2 pixels there
    assert (scan._despeckle(crop) < 128).sum() == 13 * 7 + 13 * 6


def test_the_bottom_bar_of_a_lone_2_parted_from_it_stays_and_so_does_its_minus() -> None:
    crop = np.full((29, 30), 255, np.uint8)
    crop[7:16, 14:19] = 0  # the 2 down to its foot
    crop[17:20, 13:19] = 0  # its bottom bar, a white row below
    crop[15:17, 7:11] = 0  # a minus, at the middle of the 2 with its bar
    crop[22, 15] = 0  # a speck under the 2 goes
    cleaned = scan._despeckle(crop)
    assert (cleaned < 128).sum() == 9 * 5 + 3 * 6 + 4 * 2
    assert cleaned.shape[0] == 13 + 2 * 3  # the 2 and its bar, a margin around them
