"""Degraded captures of rendered card fronts: phone photos, turned and 200 dpi scans, a flatbed
sheet and a PDF. ``generate.py`` renders the fronts and labels what the ``capture_*`` functions
write here (tables below: which card goes into which capture).

Each capture draws from its own ``numpy.random.Generator`` seeded by the capture's id, so it is
a pure function of the card images and the seed. Arrays are float32 RGB in 0..255 until saved.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

Gen = np.random.Generator
Array = np.ndarray
Size = tuple[int, int]  # width, height

PHOTO_SIZES: dict[str, tuple[Size, tuple[float, float]]] = {  # frame, card width range in px
    "large": ((1600, 1200), (1100.0, 1300.0)),
    "small": ((1200, 900), (700.0, 850.0)),
    "table": ((2000, 1300), (780.0, 830.0)),
}
CASTS: dict[str, tuple[float, float, float]] = {  # white-balance error, R G B gains
    "warm": (1.04, 1.0, 0.9),
    "cool": (0.94, 0.99, 1.05),
    "green": (0.96, 1.03, 0.95),
    "magenta": (1.03, 0.95, 1.02),
}
A4: Size = (2480, 3508)  # A4 at 300 dpi

# Which fronts (card ids of generate.CARDS) go into which capture.
PHOTOS: tuple[tuple[str, str, str, int, str], ...] = (  # card, size, desk, EXIF orientation
    ("dark-light-on-dark", "large", "slate", 0,  # (0: none), what the photo is about
     "dark card on a dark desk: faint card edges"),
    ("de-band-gmbh", "large", "oak", 0, "colour panel, strong rotation, wood grain"),
    ("honorific-credential", "large", "grey", 0,
     "light card on a light-grey desk: faint card edges"),
    ("accented-name-fr", "small", "denim", 0, "small card, accents, woven background"),
    ("br-accented-sa", "small", "walnut", 6, "EXIF orientation, small card, accents"),
    ("uk-centered-intl", "small", "linen", 0, "smallest card, serif, checked background"),
)
ROTATED: dict[int, tuple[str, ...]] = {  # degrees counter-clockwise
    90: ("us-left-two-phones", "de-gmbh-co-kg-fax"),
    180: ("uk-band-three-phones", "long-title-shrink"),
    270: ("de-dark-serif", "us-centered-dots-llc"),
}
SCAN200 = ("all-caps-name", "two-column-fax", "us-one-phone-https")
# Glossy cards photographed under a lamp: a highlight and a thumb's smear over both sides.
GLARE: tuple[tuple[str, str, str], ...] = (  # card, size, desk
    ("uk-scotland-labels", "large", "grey"),
    ("long-title-shrink", "small", "oak"),
)
SHEET = ("de-gmbh-co-kg-fax", "all-caps-name", "de-dark-serif", "us-centered-dots-llc")
PDF_PAGES = ("long-title-shrink", "de-band-gmbh")
TABLE = ("two-column-fax", "uk-scotland-labels")  # left, right
TABLE_DESK = "oak"


@dataclass(frozen=True)
class Capture:
    """One labelled card in a capture file: its id, condition, file, source card and notes.

    ``index`` is the 1-based card_index when the file holds several cards, else None.
    """

    id: str
    condition: str
    file: str
    card: str
    exercises: str
    index: int | None = None
    back: str | None = None  # the file of the card's back, captured the same way


@dataclass(frozen=True)
class Shot:
    """The drawn parameters of one phone photo, for the README."""

    frame: Size
    widths: tuple[int, ...]
    angles: tuple[float, ...]
    keystone: float
    sigma: float
    cast: str
    quality: int
    gap: float | None = None  # between two cards' bounding boxes, as a share of card width

    def describe(self) -> str:
        """One line: frame, card width(s), rotation(s), keystone, blur, cast, JPEG quality."""
        widths = " / ".join(f"{w}" for w in self.widths)
        angles = " / ".join(f"{a:+.1f}°" for a in self.angles)
        gap = "" if self.gap is None else f"gap {self.gap:.0%}, "
        return (f"{self.frame[0]}x{self.frame[1]}, card {widths} px wide, {gap}rotated {angles}, "
                f"keystone {self.keystone:.0%}, blur sigma {self.sigma:.1f}, {self.cast} cast, "
                f"JPEG q{self.quality}")


def smooth_noise(gen: Gen, size: Size, cells: Size) -> Array:
    """Low-frequency noise (about unit variance): a ``cells`` grid upsampled to ``size``."""
    grid = gen.normal(0.0, 1.0, (cells[1], cells[0])).astype(np.float32)
    return cv2.resize(grid, size, interpolation=cv2.INTER_CUBIC)


def tint(value: Array, colour: tuple[int, int, int]) -> Array:
    """Multiply a brightness map (around 1) by a base colour into an RGB array."""
    return value[..., None] * np.asarray(colour, dtype=np.float32)


def wood(gen: Gen, size: Size, colour: tuple[int, int, int]) -> Array:
    """Planks with wavy growth rings and fibre streaks along x."""
    w, h = size
    y = np.arange(h, dtype=np.float32)[:, None] + 30.0 * smooth_noise(gen, size, (3, 5))
    rings = np.sin(2 * np.pi * y / gen.uniform(38, 60)) ** 2
    fibres = smooth_noise(gen, size, (max(w // 90, 2), h // 2))
    plank = gen.uniform(240, 320)
    offsets = gen.normal(0.0, 0.06, int(h / plank) + 3).astype(np.float32)
    index = np.clip((y / plank).astype(int) + 1, 0, len(offsets) - 1)
    seam = 1.0 - 0.35 * (np.abs((y / plank) - np.rint(y / plank)) * plank < 1.5)
    value = (1.0 + 0.10 * rings + 0.05 * fibres + offsets[index]) * seam
    return tint(np.broadcast_to(value, (h, w)), colour)


def fabric(gen: Gen, size: Size, colour: tuple[int, int, int]) -> Array:
    """A plain weave: crossing threads with uneven thickness."""
    w, h = size
    x = np.arange(w, dtype=np.float32)[None, :]
    y = np.arange(h, dtype=np.float32)[:, None]
    pitch = gen.uniform(5.0, 7.0)
    weave = np.sin(2 * np.pi * x / pitch) * np.sin(2 * np.pi * y / pitch)
    rows = smooth_noise(gen, size, (4, h // 3))
    cols = smooth_noise(gen, size, (w // 3, 4))
    value = 1.0 + 0.07 * weave + 0.05 * rows + 0.05 * cols + 0.05 * smooth_noise(gen, size, (5, 4))
    return tint(value, colour)


def plain(gen: Gen, size: Size, colour: tuple[int, int, int]) -> Array:
    """A matte desk top: mottled low-frequency shading and a fine speckle."""
    w, h = size
    value = (1.0 + 0.04 * smooth_noise(gen, size, (6, 5))
             + 0.008 * smooth_noise(gen, size, (60, 45))
             + gen.normal(0.0, 0.025, (h, w)).astype(np.float32))
    return tint(value, colour)


DESKS: dict[str, tuple[Callable[[Gen, Size, tuple[int, int, int]], Array], tuple[int, int, int],
                       str]] = {
    "oak": (wood, (172, 124, 80), "oak desk"),
    "walnut": (wood, (96, 62, 42), "dark walnut desk"),
    "slate": (plain, (38, 39, 43), "near-black desk mat"),
    "grey": (plain, (198, 199, 202), "light-grey desk"),
    "denim": (fabric, (58, 78, 114), "blue denim"),
    "linen": (fabric, (188, 174, 150), "beige linen"),
}


def rotated_rect(centre: tuple[float, float], width: float, height: float, angle: float
                 ) -> Array:
    """Corners (TL, TR, BR, BL) of a rectangle turned ``angle`` degrees counter-clockwise."""
    t = np.deg2rad(angle)
    rot = np.array([[np.cos(t), np.sin(t)], [-np.sin(t), np.cos(t)]], dtype=np.float64)
    half = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]], dtype=np.float64) * (width / 2,
                                                                               height / 2)
    return half @ rot.T + centre


def tilt(quads: list[Array], frame: Size, far: float, side: str) -> list[Array]:
    """Project quads through a camera tilt: the ``side`` edge of the frame shrinks by ``far``."""
    w, h = frame
    src = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    dst = src.copy()
    if side == "top":
        dst[0, 0], dst[1, 0] = w * far / 2, w * (1 - far / 2)
    elif side == "left":
        dst[0, 1], dst[3, 1] = h * far / 2, h * (1 - far / 2)
    else:  # right
        dst[1, 1], dst[2, 1] = h * far / 2, h * (1 - far / 2)
    matrix = cv2.getPerspectiveTransform(src, dst)
    return [cv2.perspectiveTransform(q.reshape(1, 4, 2), matrix).reshape(4, 2) for q in quads]


def edge_lengths(quad: Array) -> Array:
    """Lengths of the top, right, bottom and left edges of a quad."""
    return np.linalg.norm(quad - np.roll(quad, -1, axis=0), axis=1)


def keystone(quad: Array) -> float:
    """How much shorter the shorter of two opposite edges is (the larger of the two pairs)."""
    top, right, bottom, left = edge_lengths(quad)
    return max(1 - min(top, bottom) / max(top, bottom), 1 - min(left, right) / max(left, right))


def width_of(quad: Array) -> float:
    """Mean length of the long (top and bottom) edges."""
    lengths = edge_lengths(quad)
    return float((lengths[0] + lengths[2]) / 2)


def fit_quads(quads: list[Array], frame: Size, width: float, gen: Gen) -> list[Array]:
    """Scale quads so the cards are ``width`` wide, then shift them to a random spot inside."""
    scale = width / np.mean([width_of(q) for q in quads])
    points = np.concatenate(quads)
    mid = (points.min(axis=0) + points.max(axis=0)) / 2
    quads = [(q - mid) * scale for q in quads]
    points = np.concatenate(quads)
    room = np.array(frame, dtype=np.float64) / 2 - np.abs(points).max(axis=0) - 24
    if (room < 0).any():
        raise RuntimeError(f"cards do not fit the {frame} frame")
    shift = np.array(frame) / 2 + gen.uniform(-0.6, 0.6, 2) * room
    return [q + shift for q in quads]


def warp_card(card: Image.Image, quad: Array, frame: Size) -> tuple[Array, Array]:
    """The card resampled onto a quad of the frame, and its coverage mask (0..1)."""
    resized = card.resize((round(width_of(quad)), round(width_of(quad) * card.height
                                                         / card.width)),
                          Image.Resampling.LANCZOS)
    w, h = resized.size
    corners = np.array([[0, 0], [w, 0], [w, h], [0, h]], dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(corners, quad.astype(np.float32))
    pixels = cv2.warpPerspective(np.asarray(resized, dtype=np.float32), matrix, frame,
                                 flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE)
    mask = cv2.warpPerspective(np.ones((h, w), np.float32), matrix, frame,
                               flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_CONSTANT)
    return np.clip(pixels, 0, 255), mask


def drop_shadow(mask: Array, offset: tuple[int, int], sigma: float) -> Array:
    """A soft shadow of a mask, moved by ``offset`` (away from the light)."""
    moved = np.roll(mask, offset, axis=(1, 0))
    return cv2.GaussianBlur(moved, (0, 0), sigma)


def lighting(gen: Gen, size: Size) -> Array:
    """Uneven light: a linear gradient times a radial falloff around an off-centre hot spot."""
    w, h = size
    x = np.arange(w, dtype=np.float32)[None, :] - w / 2
    y = np.arange(h, dtype=np.float32)[:, None] - h / 2
    half_diag = np.hypot(w, h) / 2
    t = gen.uniform(0, 2 * np.pi)
    gradient = 1.0 + gen.uniform(0.08, 0.18) * (x * np.cos(t) + y * np.sin(t)) / half_diag
    cx, cy = gen.uniform(-0.2, 0.2) * w, gen.uniform(-0.2, 0.2) * h
    falloff = 1.0 - gen.uniform(0.25, 0.4) * ((x - cx) ** 2 + (y - cy) ** 2) / half_diag**2
    gain = gradient * falloff
    return gain / gain.max() * gen.uniform(0.98, 1.04)


def sensor(gen: Gen, arr: Array, sigma: float) -> Array:
    """Lens blur, then shot and read noise with a little blurred chroma noise."""
    arr = cv2.GaussianBlur(arr, (0, 0), sigma)
    luma = gen.normal(0.0, 1.0, arr.shape[:2]).astype(np.float32)[..., None]
    chroma = cv2.GaussianBlur(gen.normal(0.0, 1.0, arr.shape).astype(np.float32), (0, 0), 1.2)
    return arr + (2.0 + 0.25 * np.sqrt(np.maximum(arr, 0))) * luma + 2.5 * chroma


def glossy(card: Image.Image, gen: Gen) -> tuple[Image.Image, str]:
    """A glossy card as the camera sees it under a lamp: a soft, elongated highlight that
    washes the print out towards white (70-85% at its middle) and a greasy smear (a band where
    the print is blurred and lifted)."""
    arr = np.asarray(card.convert("RGB"), dtype=np.float32)
    h, w = arr.shape[:2]
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    cx, cy = gen.uniform(0.3, 0.7) * w, gen.uniform(0.3, 0.7) * h
    t = gen.uniform(0, np.pi)
    along = (x - cx) * np.cos(t) + (y - cy) * np.sin(t)
    across = -(x - cx) * np.sin(t) + (y - cy) * np.cos(t)
    long_axis, short_axis = gen.uniform(0.25, 0.4) * w, gen.uniform(0.08, 0.14) * w
    peak = gen.uniform(0.7, 0.85)
    shine = peak * np.exp(-((along / long_axis) ** 2 + (across / short_axis) ** 2))[..., None]
    arr = arr * (1 - shine) + 255.0 * shine
    s = gen.uniform(0, np.pi)  # the smear: a band across the card
    sx, sy = gen.uniform(0.2, 0.8) * w, gen.uniform(0.2, 0.8) * h
    distance = np.abs(-(x - sx) * np.sin(s) + (y - sy) * np.cos(s))
    band = np.clip(1 - distance / (0.1 * h), 0, 1) ** 2
    band *= np.exp(-((((x - sx) * np.cos(s) + (y - sy) * np.sin(s)) / (0.3 * w)) ** 2))
    smear = cv2.GaussianBlur(band.astype(np.float32), (0, 0), 6)[..., None]
    blurred = cv2.GaussianBlur(arr, (0, 0), 3.5) + 45.0
    arr = arr * (1 - smear) + blurred * smear
    image = Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), mode="RGB")
    return image, (f"glare {peak:.0%} at its middle, {2 * long_axis / w:.0%} of the card "
                   "long; a smear across it")


def phone_photo(cards: list[Image.Image], desk: str, kind: str, gen: Gen
                ) -> tuple[Image.Image, Shot]:
    """Photograph cards lying side by side on a desk; return the frame and what was drawn."""
    frame, (low, high) = PHOTO_SIZES[kind]
    width = gen.uniform(low, high)
    sign = gen.choice([-1.0, 1.0])
    angles = [sign * gen.uniform(3, 15)] if len(cards) == 1 else [
        sign * gen.uniform(3, 6), -sign * gen.uniform(7, 10)]
    quads = layout(cards, angles, gen)
    scale = width / cards[0].width
    mid = np.concatenate(quads).mean(axis=0)
    quads = [(q - mid) * scale + np.array(frame) / 2 for q in quads]
    side = str(gen.choice(["top", "top", "left", "right"])) if len(cards) == 1 else "top"
    axis = 1 if side == "top" else 0  # the frame axis along which the tilt shrinks things
    share = np.mean([np.ptp(q[:, axis]) / frame[axis] for q in quads])
    far = min(gen.uniform(0.05, 0.11) / share, 0.5)
    quads = fit_quads(tilt(quads, frame, far, side), frame, width, gen)
    texture, colour, _ = DESKS[desk]
    scene = texture(gen, frame, colour)
    scene = composite(scene, cards, quads, frame, gen)
    scene *= lighting(gen, frame)[..., None]
    cast = str(gen.choice(list(CASTS)))
    scene = scene * np.asarray(CASTS[cast], dtype=np.float32) * 0.95 + 6.0  # lifted blacks
    sigma = gen.uniform(0.7, 1.4)
    scene = sensor(gen, scene, sigma)
    image = Image.fromarray(np.clip(np.rint(scene), 0, 255).astype(np.uint8), mode="RGB")
    widths = tuple(round(width_of(q)) for q in quads)
    gap = None
    if len(quads) > 1:  # left card's right-most corner to right card's left-most one
        gap = float((quads[1][:, 0].min() - quads[0][:, 0].max()) / np.mean(widths))
    shot = Shot(frame, widths, tuple(angles), max(keystone(q) for q in quads), sigma, cast,
                int(gen.integers(60, 76)), gap)
    return image, shot


def layout(cards: list[Image.Image], angles: list[float], gen: Gen) -> list[Array]:
    """Untilted card corners in arbitrary units: one card, or a row with a 12-18% gap."""
    quads, x = [], 0.0
    for card, angle in zip(cards, angles, strict=True):
        w, h = card.size
        half = (w * np.cos(np.deg2rad(abs(angle))) + h * np.sin(np.deg2rad(abs(angle)))) / 2
        x += half
        quads.append(rotated_rect((x, gen.uniform(-0.03, 0.03) * h), w, h, angle))
        x += half + gen.uniform(0.12, 0.18) * w
    return quads


def composite(scene: Array, cards: list[Image.Image], quads: list[Array], frame: Size,
              gen: Gen) -> Array:
    """Shade the desk with each card's drop and contact shadow, then lay the cards on it."""
    warped = [warp_card(card, quad, frame) for card, quad in zip(cards, quads, strict=True)]
    reach = frame[0] / 1600
    offset = (round(gen.uniform(8, 20) * reach), round(gen.uniform(10, 24) * reach))
    sigma, strength = gen.uniform(9, 16) * reach, gen.uniform(0.35, 0.5)
    shade = np.ones(scene.shape[:2], np.float32)
    for _, mask in warped:
        shade *= 1 - strength * drop_shadow(mask, offset, sigma)
        shade *= 1 - 0.3 * cv2.GaussianBlur(mask, (0, 0), 2.0 * reach)
    scene = scene * shade[..., None]
    for pixels, mask in warped:
        scene = scene * (1 - mask[..., None]) + pixels * mask[..., None]
    return scene


def flatbed_sheet(cards: list[Image.Image], gen: Gen) -> tuple[Image.Image, str]:
    """Four fronts on an A4 flatbed at 300 dpi, 2x2 in reading order; return it and a summary."""
    w, h = A4
    lid = float(gen.uniform(226, 233))
    arr = np.full((h, w, 3), lid, np.float32) * np.array([1.0, 1.0, 0.985], dtype=np.float32)
    arr += 2.0 * smooth_noise(gen, A4, (5, 7))[..., None]
    cw, ch = cards[0].size
    gap_x, gap_y = int(gen.integers(180, 260)), int(gen.integers(170, 250))
    left, top = (w - 2 * cw - gap_x) // 2, int(gen.integers(150, 230))
    angles = []
    for k, card in enumerate(cards):
        angle = float(gen.choice([-1.0, 1.0]) * gen.uniform(0.5, 2.5))
        centre = (left + (k % 2) * (cw + gap_x) + cw / 2 + gen.uniform(-15, 15),
                  top + (k // 2) * (ch + gap_y) + ch / 2 + gen.uniform(-15, 15))
        arr = lay_flat(arr, card, centre, angle)
        angles.append(angle)
    arr += gen.normal(0.0, 1.3, (h, w)).astype(np.float32)[..., None]
    image = Image.fromarray(np.clip(np.rint(arr), 0, 255).astype(np.uint8), mode="RGB")
    turns = ", ".join(f"{a:+.1f}°" for a in angles)
    return image, f"lid RGB {lid:.0f}, gaps {gap_x}/{gap_y} px, cards rotated {turns}"


def lay_flat(page: Array, card: Image.Image, centre: tuple[float, float], angle: float
             ) -> Array:
    """Lay a card face-down on the glass: a thin edge shadow on the lid, then the card."""
    h, w = page.shape[:2]
    quad = rotated_rect(centre, card.width, card.height, angle)
    pixels, mask = warp_card(card, quad, (w, h))
    page = page * (1 - 0.28 * drop_shadow(mask, (3, 4), 2.5))[..., None]
    return page * (1 - mask[..., None]) + pixels * mask[..., None]


def save_jpeg(image: Image.Image, path: Path, quality: int, orientation: int = 0) -> None:
    """Save a JPEG; with an EXIF orientation (6 or 8), store the pixels sideways under that tag
    so that a viewer applying EXIF shows them upright."""
    if not orientation:
        image.save(path, quality=quality)
        return
    exif = Image.Exif()
    exif[0x0112] = orientation
    turn = {6: 90, 8: 270}[orientation]  # stored = upright turned counter-clockwise by this
    image.rotate(turn, expand=True).save(path, quality=quality, exif=exif)


def save_pdf(pages: list[Image.Image], path: Path, when: time.struct_time) -> None:
    """A PDF with one 300 dpi page per image (JPEG-coded, q95), with fixed dates."""
    first, *rest = (page.copy() for page in pages)  # saving sets encoderinfo on the images
    first.save(path, "PDF", resolution=300, save_all=True, append_images=rest, quality=95,
               creationDate=when, modDate=when)


def rng(seed: int, capture: str) -> Gen:
    """The random generator of one capture (independent of the others)."""
    return np.random.default_rng([seed, zlib.crc32(capture.encode())])


def capture_photos(fronts: dict[str, Image.Image], images: Path, seed: int,
                   backs: dict[str, Image.Image] | None = None) -> list[Capture]:
    """One phone photo per PHOTOS row, and one of the card's handwritten back if it has one."""
    out = []
    backs = backs or {}
    for card_id, kind, desk, orientation, about in PHOTOS:
        name, file = f"{card_id}-photo", f"{card_id}_photo.jpg"
        image, shot = phone_photo([fronts[card_id]], desk, kind, rng(seed, name))
        save_jpeg(image, images / file, shot.quality, orientation)
        exif = f"; pixels stored turned 90°, EXIF Orientation={orientation}" if orientation else ""
        note = f"{about} ({kind} phone photo on {DESKS[desk][2]}: {shot.describe()}{exif})"
        back = None
        if card_id in backs:
            back = f"{card_id}_photo_back.jpg"  # pairs with its front by name
            image, shot = phone_photo([backs[card_id]], desk, kind, rng(seed, f"{name}-back"))
            save_jpeg(image, images / back, shot.quality, orientation)
            note += f"; back photographed too ({shot.describe()})"
        out.append(Capture(name, "photo", file, card_id, note, back=back))
    return out


def capture_glare(fronts: dict[str, Image.Image], images: Path, seed: int,
                  backs: dict[str, Image.Image]) -> list[Capture]:
    """One phone photo per GLARE row of the glossy card's front, and one of its back."""
    out = []
    for card_id, kind, desk in GLARE:
        name = f"{card_id}-glare"
        files = (f"{card_id}_glare.jpg", f"{card_id}_glare_back.jpg")  # paired by name
        said = []
        for side, file, part in ((fronts[card_id], files[0], name),
                                 (backs[card_id], files[1], f"{name}-back")):
            gen = rng(seed, part)
            shiny, about = glossy(side, gen)
            image, shot = phone_photo([shiny], desk, kind, gen)
            save_jpeg(image, images / file, shot.quality)
            said.append(f"{about} ({kind} phone photo on {DESKS[desk][2]}: {shot.describe()})")
        out.append(Capture(name, "glare", files[0], card_id,
                           f"glossy card: {said[0]}; back the same way: {said[1]}",
                           back=files[1]))
    return out


def capture_table(fronts: dict[str, Image.Image], images: Path, seed: int) -> list[Capture]:
    """A phone photo of two cards side by side (card_index 1 = left, 2 = right)."""
    file = "table-2up_photo.jpg"
    image, shot = phone_photo([fronts[c] for c in TABLE], TABLE_DESK, "table",
                              rng(seed, "table-2up"))
    save_jpeg(image, images / file, shot.quality)
    return [Capture(f"table-2up-{k}", "photo", file, card_id,
                    f"two cards in one photo: the {side} one, on {DESKS[TABLE_DESK][2]} ("
                    + shot.describe() + ")", k)
            for k, (side, card_id) in enumerate(zip(("left", "right"), TABLE, strict=True), 1)]


def capture_rescans(fronts: dict[str, Image.Image], images: Path,
                    backs: dict[str, Image.Image] | None = None) -> list[Capture]:
    """Fronts turned 90/180/270 degrees counter-clockwise (lossless), or resampled to 200 dpi;
    a card's handwritten back (if it has one) is captured the same way."""
    backs = backs or {}
    jobs = [(f"rot{turn}", card_id, f"orientation detection: scan turned {turn}° "
             "counter-clockwise (lossless)") for turn, card_ids in ROTATED.items()
            for card_id in card_ids]
    jobs += [("scan200", card_id, "low resolution: 200 dpi scan (700x400 px, Lanczos), glyphs"
              " 2/3 the size") for card_id in SCAN200]
    out = []
    for condition, card_id, note in jobs:
        file = f"{card_id}_{condition}.png"
        sides = [(fronts[card_id], file)]
        if card_id in backs:
            sides.append((backs[card_id], f"{card_id}_{condition}_back.png"))
        for side, name in sides:
            if condition == "scan200":
                small = side.resize((side.width * 2 // 3, side.height * 2 // 3),
                                    Image.Resampling.LANCZOS)
                small.save(images / name, dpi=(200, 200))
            else:
                side.rotate(int(condition[3:]), expand=True).save(images / name, dpi=(300, 300))
        back = sides[1][1] if len(sides) > 1 else None
        out.append(Capture(f"{card_id}-{condition}", condition, file, card_id,
                           note + ("; its back the same way" if back else ""), back=back))
    return out


def capture_sheet(fronts: dict[str, Image.Image], images: Path, seed: int) -> list[Capture]:
    """Four fronts on one A4 flatbed scan (card_index 1-4 in reading order)."""
    file = "flatbed-4up.jpg"
    image, summary = flatbed_sheet([fronts[c] for c in SHEET], rng(seed, "flatbed-4up"))
    image.save(images / file, quality=90, dpi=(300, 300))
    places = ("top-left", "top-right", "bottom-left", "bottom-right")
    return [Capture(f"flatbed-4up-{k}", "sheet", file, card_id,
                    f"finding and splitting cards on a page: {place} of four on an A4 300 dpi"
                    f" flatbed scan ({summary})", k)
            for k, (place, card_id) in enumerate(zip(places, SHEET, strict=True), 1)]


def capture_pdf(fronts: dict[str, Image.Image], images: Path, day: date) -> list[Capture]:
    """A two-page PDF, one front per page at its 300 dpi card size, dated ``day``."""
    file = "two-cards.pdf"
    save_pdf([fronts[c] for c in PDF_PAGES], images / file,
             time.strptime(day.isoformat(), "%Y-%m-%d"))
    return [Capture(f"two-cards-pdf-{k}", "pdf", file, card_id,
                    f"PDF input, one card per page: page {k} of 2 (3.5x2 in, 1050x600 px at"
                    " 300 dpi, JPEG-coded q95)", k)
            for k, card_id in enumerate(PDF_PAGES, 1)]
