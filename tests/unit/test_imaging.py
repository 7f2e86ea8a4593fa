"""The imaging steps on images drawn here (no OCR): geometry is checked exactly."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from cardscan.config import Preprocess
from cardscan.read import imaging

RNG = np.random.default_rng(7)


def _desk(h: int, w: int, *, colour: tuple[int, int, int] = (60, 50, 40),
          texture: float = 25.0) -> np.ndarray:
    noise = cv2.GaussianBlur(RNG.normal(0, texture, (h, w)).astype(np.float32), (0, 0), 2)
    return np.clip(np.array(colour, np.float32) + noise[..., None], 0, 255).astype(np.uint8)


def _card(w: int = 525, h: int = 300, *, colour: tuple[int, int, int] = (245, 245, 240),
          ink: tuple[int, int, int] = (20, 20, 20)) -> np.ndarray:
    card = np.full((h, w, 3), colour, np.uint8)
    for row in range(5):
        cv2.putText(card, "Anna Kruger  +49 30 1234", (30, 60 + 45 * row),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.9, ink, 2)
    return card


def _place(desk: np.ndarray, card: np.ndarray, corners: np.ndarray) -> np.ndarray:
    h, w = card.shape[:2]
    source = np.array([[0, 0], [w, 0], [w, h], [0, h]], np.float32)
    matrix = cv2.getPerspectiveTransform(source, corners.astype(np.float32))
    warped = cv2.warpPerspective(card, matrix, (desk.shape[1], desk.shape[0]))
    mask = cv2.warpPerspective(np.full((h, w), 255, np.uint8), matrix,
                               (desk.shape[1], desk.shape[0]))
    out = desk.copy()
    out[mask > 0] = warped[mask > 0]
    return out


CORNERS = np.array([[310, 220], [860, 170], [900, 480], [330, 540]], np.float32)


def test_a_card_in_perspective_on_a_textured_desk_is_found_exactly() -> None:
    photo = _place(_desk(800, 1200), _card(), CORNERS)
    [quad] = imaging.find_cards(photo)
    assert np.abs(quad - CORNERS).max() < 8
    flat = imaging.warp(photo, quad)
    assert 1.6 < flat.shape[1] / flat.shape[0] < 1.9


def test_a_dark_card_on_a_dark_desk_is_found() -> None:
    card = _card(colour=(25, 35, 70), ink=(230, 230, 230))
    photo = _place(_desk(800, 1200, colour=(40, 40, 40), texture=4.0), card, CORNERS)
    [quad] = imaging.find_cards(photo)
    assert np.abs(quad - CORNERS).max() < 10


def test_a_coloured_panel_inside_the_card_is_not_a_card() -> None:
    card = _card()
    card[20:280, 20:200] = (30, 90, 160)  # a blue band with a logo box
    photo = _place(_desk(800, 1200), card, CORNERS)
    [quad] = imaging.find_cards(photo)
    assert np.abs(quad - CORNERS).max() < 8


def test_an_image_that_is_just_the_card_is_left_whole() -> None:
    assert imaging.find_cards(_card(1050, 600)) == []
    [crop] = imaging.prepare_page(_card(1050, 600), Preprocess())
    assert not crop.photo and crop.warnings == []


def test_several_cards_come_out_in_reading_order() -> None:
    sheet = np.full((1700, 1240, 3), 228, np.uint8)
    origins = [(80, 100), (660, 110), (90, 700), (650, 690)]  # two rows, two columns
    for x, y in origins:
        corners = np.array([[x, y], [x + 525, y], [x + 525, y + 300], [x, y + 300]])
        sheet = _place(sheet, _card(), corners)
    quads = imaging.find_cards(sheet)
    assert [tuple(np.round(q[0] / 10).astype(int)) for q in quads] == [
        (x // 10, y // 10) for x, y in origins]


@pytest.mark.parametrize("angle", [-12.0, -3.0, 2.0, 7.5])
def test_skew_is_measured_from_the_text_lines(angle: float) -> None:
    gray = imaging.to_gray(_card(1050, 600))
    turned = imaging.rotate(gray, angle)
    assert imaging.skew_angle(turned) == pytest.approx(angle, abs=0.6)


def test_right_angle_turns_are_exact() -> None:
    image = np.arange(12, dtype=np.uint8).reshape(3, 4)
    assert np.array_equal(imaging.rotate(imaging.rotate(image, 90), -90), image)
    assert imaging.rotate(image, 270).shape == (4, 3)


def test_even_light_flattens_a_shadow_and_inverts_light_on_dark() -> None:
    card = imaging.to_gray(_card(1050, 600)).astype(np.float32)
    shade = np.linspace(0.45, 1.0, card.shape[1], dtype=np.float32)[None, :]
    shaded = (card * shade).astype(np.uint8)
    flat = imaging.even_light(shaded)
    background = flat[5:40, :]  # a strip with no text
    assert np.ptp(background.mean(axis=0)) < 25 < np.ptp(shaded[5:40, :].mean(axis=0))
    dark = 255 - imaging.to_gray(_card(1050, 600))
    assert np.median(imaging.even_light(dark)) > 200  # text ends up dark on light


def test_small_cards_are_enlarged_and_large_ones_never_shrunk() -> None:
    small = np.zeros((300, 525), np.uint8)
    assert imaging.upscale(small, min_long_side=1050, max_factor=3.0).shape == (600, 1050)
    big = np.zeros((1200, 2100), np.uint8)
    assert imaging.upscale(big, min_long_side=1050, max_factor=3.0) is big


def test_no_card_in_a_photo_gives_the_whole_image_and_a_warning() -> None:
    square = _desk(900, 900, colour=(200, 200, 200), texture=0.0)
    [crop] = imaging.prepare_page(square, Preprocess())
    assert crop.photo
    assert crop.warnings == ["no card outline found; reading the whole image"]
    assert [name for name, _ in crop.steps][:2] == ["input", "gray"]


def test_a_boxed_logo_on_a_card_that_fills_the_photo_is_not_taken_for_the_card() -> None:
    photo = np.full((720, 1280, 3), 235, np.uint8)
    for row in range(8):  # the card's print all around the box
        cv2.putText(photo, "Av. Itaquera 3006  Fone 2294-9484", (420, 90 + 75 * row),
                    cv2.FONT_HERSHEY_SIMPLEX, 1.0, (20, 20, 20), 2)
    cv2.rectangle(photo, (40, 250), (380, 450), (30, 30, 30), 6)  # a logo box, card-shaped
    cv2.putText(photo, "LOGO", (120, 370), cv2.FONT_HERSHEY_SIMPLEX, 2.0, (20, 20, 20), 4)
    assert imaging.find_cards(photo) == []


def test_ink_is_kept_and_coloured_print_dropped_on_a_back() -> None:
    back = np.full((300, 600, 3), 250, np.uint8)
    cv2.putText(back, "Met 11/12 @ CES", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (30, 60, 200), 3)
    cv2.putText(back, "f/u send deck", (20, 150), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (20, 20, 20), 3)
    back[230:290, :] = (230, 90, 40)  # an orange printed band
    cv2.putText(back, "Thank you", (20, 275), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (255, 255, 255), 2)
    ink = imaging.separate_ink(back)
    assert ink is not None
    assert ink[230:290].min() == 255  # the band and its lettering are gone
    assert ink[40:90].min() < 100  # blue ink stays, dark
    assert ink[110:160].min() < 60  # black ink stays
    plain = np.full((300, 600, 3), 250, np.uint8)
    cv2.putText(plain, "Met 11/12", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (30, 60, 200), 3)
    assert imaging.separate_ink(plain) is None  # nothing to separate: left to the usual gray


def test_blue_pen_is_as_dark_as_black_pen_in_a_backs_gray() -> None:
    back = np.full((200, 600, 3), 250, np.uint8)
    cv2.putText(back, "Met 11/14", (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (30, 60, 200), 3)
    gray = imaging.darkest(back)
    assert gray.shape == back.shape[:2]
    assert gray.min() <= 30 < imaging.to_gray(back).min()  # plain gray makes blue ink light
    pencil = np.full((200, 600, 3), 250, np.uint8)
    cv2.putText(pencil, "Met 11/14", (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (70, 72, 68), 3)
    assert np.array_equal(imaging.darkest(pencil), imaging.to_gray(pencil))  # no colour: gray
    blank = np.full((50, 50, 3), 250, np.uint8)
    assert np.array_equal(imaging.darkest(blank), imaging.to_gray(blank))


def test_a_plain_back_with_blue_pen_is_read_from_its_darkest_channel() -> None:
    back = np.full((300, 600, 3), 250, np.uint8)
    cv2.putText(back, "Met 11/14", (20, 120), cv2.FONT_HERSHEY_SIMPLEX, 2, (30, 60, 200), 3)
    steps = dict(imaging.prepare_page(back, Preprocess(find_cards=False))[0].steps)
    assert steps["gray"].min() <= 30
    front = dict(imaging.prepare_page(back, Preprocess(find_cards=False,
                                                       separate_ink=False))[0].steps)
    assert front["gray"].min() > 30


def test_ink_under_glare_is_kept_and_made_dark() -> None:
    back = np.full((300, 600, 3), 250, np.uint8)
    cv2.putText(back, "Met 11/4", (20, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (30, 60, 200), 3)
    cv2.putText(back, "Greenbuild", (320, 80), cv2.FONT_HERSHEY_SIMPLEX, 1.5, (30, 60, 200), 3)
    back[230:290, :] = (230, 90, 40)  # an orange printed band: the back has print to drop
    shine = np.zeros((300, 600, 1), np.float32)
    shine[:150, 300:] = 0.8  # a lamp's glare over "Greenbuild": pale, nearly grey ink
    glared = (back * (1 - shine) + 255 * shine).astype(np.uint8)
    ink = imaging.separate_ink(glared)
    assert ink is not None
    assert ink[230:290].min() == 255  # the band is dropped
    assert ink[40:90, 20:300].min() < 60  # ink in plain light
    assert ink[40:90, 320:].min() < 100  # ink under the glare, dark (255 = dropped)
