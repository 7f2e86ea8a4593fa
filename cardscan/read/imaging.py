"""Image clean-up with OpenCV before OCR: find each card, flatten it, straighten, even the light.

Every step is a small function from image to image (or to a measurement); ``prepare_page`` runs
them in order and records each intermediate image so ``--debug-images`` can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ..config import Preprocess

Quad = np.ndarray  # 4x2 float32 corner points: top-left, top-right, bottom-right, bottom-left

# Cards are looked for on a small copy first (cheap: a clean scan of one card has no outline
# to find), and when one is found, again on a larger copy for precise corners.
_DETECT_SIZES = (640, 1000)
_MIN_ASPECT, _MAX_ASPECT = 1.25, 2.4  # business cards are 1.4-1.8 (ISO 1.59, US 1.75)
_MIN_RECTANGULARITY = 0.88  # contour area / area of its rotated bounding box
_TEXTURED = 1.5  # local contrast (gray levels) of a wood or fabric desk, not of a plain one


@dataclass
class Crop:
    """One card cut out of a page, ready for OCR, with the images of each step."""

    image: np.ndarray
    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    photo: bool = True  # cut from a photo or sheet (else the image was already the card)

    def step(self, name: str, image: np.ndarray) -> np.ndarray:
        self.steps.append((name, image))
        self.image = image
        return image


# --- finding cards ---------------------------------------------------------------------------

def find_cards(rgb: np.ndarray, *, max_cards: int = 12) -> list[Quad]:
    """Card-shaped quadrilaterals in a photo or a flatbed sheet, in reading order.

    Two views of the image are tried: edges (a card's outline against the desk) and the
    difference from the background colour seen at the image border (a dark card on a dark desk
    still differs in colour). The largest card-shaped outlines win; an outline inside another
    (a coloured panel on the card) is never a card of its own.
    """
    found: list[Quad] = []
    for size in _DETECT_SIZES:
        scale = min(1.0, size / max(rgb.shape[:2]))
        small = cv2.resize(rgb, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
        candidates = [q for mask in _masks(small, scale) for q in _quads(mask)]
        chosen = _non_overlapping(candidates, max_cards)
        if chosen and (_lone_and_small(chosen, small.shape)
                       or _print_outside(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), chosen)):
            return []  # the outlines are panels or logos on a card that fills the photo
        found = [q / scale for q in chosen] or found
        if not found:
            break
    return _reading_order(found)


_LONE_CARD_SHARE = 0.10  # a lone card fills at least this much of a photo


def _lone_and_small(quads: list[Quad], shape: tuple[int, ...]) -> bool:
    """One outline, under a tenth of the image: a word block or a logo on a card that fills
    the scan ("THE" of "THE COUNTER" at 2%, a panel at 6%), not a card. Lone cards in the
    photos measured fill 21% (synthetic) and 22% (real) or more; cards on a sheet come
    several together."""
    return len(quads) == 1 and cv2.contourArea(quads[0]) < _LONE_CARD_SHARE * shape[0] * shape[1]


def _print_outside(gray: np.ndarray, quads: list[Quad]) -> bool:
    """Much of the print lies outside the outlines found, on a plain background: then they
    are boxes on a card (a logo, a panel) whose own edge was not found, not cards."""
    if _border_texture(gray) >= _TEXTURED:
        return False  # on wood or fabric the desk itself looks like print
    ink = cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_MEAN_C, cv2.THRESH_BINARY_INV,
                                _odd(max(gray.shape) / 40), 20)
    inside = np.zeros_like(gray)
    for quad in quads:
        centre = quad.mean(axis=0)
        grown = centre + 1.08 * (quad - centre)  # the card's own border is not outside print
        cv2.fillConvexPoly(inside, grown.astype(np.int32), 255)
    outside = cv2.countNonZero(cv2.bitwise_and(ink, cv2.bitwise_not(inside)))
    return outside > 0.4 * max(cv2.countNonZero(ink), 1)


def _border_texture(gray: np.ndarray) -> float:
    """Typical local contrast along the image border (the desk): high on wood or fabric."""
    return _border_median(_local_std(gray, max(gray.shape) / 1000))


def _local_std(gray: np.ndarray, unit: float) -> np.ndarray:
    values = gray.astype(np.float32)
    box = (_odd(9 * unit), _odd(9 * unit))
    mean = cv2.blur(values, box)
    return np.sqrt(np.maximum(cv2.blur(values * values, box) - mean * mean, 0))


def _border_median(values: np.ndarray) -> float:
    b = max(4, min(values.shape[:2]) // 40)
    return float(np.median(np.concatenate([values[:b].ravel(), values[-b:].ravel(),
                                           values[:, :b].ravel(), values[:, -b:].ravel()])))


def _masks(small: np.ndarray, scale: float) -> list[np.ndarray]:
    gray = cv2.GaussianBlur(cv2.cvtColor(small, cv2.COLOR_RGB2GRAY), (5, 5), 0)
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (3, 3))
    masks = []
    for low, high in ((40, 120), (15, 45)):
        edges = cv2.dilate(cv2.Canny(gray, low, high), kernel, iterations=2)
        masks.append(edges)
    # Colour edges: a navy card on a charcoal desk differs in hue, hardly in lightness.
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (5, 5), 0), cv2.COLOR_RGB2LAB)
    chroma = cv2.bitwise_or(cv2.Canny(lab[:, :, 1], 10, 30), cv2.Canny(lab[:, :, 2], 10, 30))
    masks.append(cv2.dilate(chroma, kernel, iterations=2))
    unit = max(small.shape[:2]) / 1000  # kernels below are sized for a 1000-pixel image
    masks.append(_foreground(small, unit))
    if (smooth := _smooth_regions(gray, unit)) is not None:
        masks.append(smooth)
    return masks


def _odd(size: float) -> int:
    return max(3, int(size) | 1)


def _smooth_regions(gray: np.ndarray, unit: float) -> np.ndarray | None:
    """Where the image is smooth, on a textured desk: a card is flat, wood or fabric is not.

    Finds a dark card on a dark desk, where neither edges nor colour stand out.
    """
    std = _local_std(gray, unit)
    texture = _border_median(std)
    if texture < _TEXTURED:  # a plain desk: the other views do better
        return None
    smooth = (std < 0.6 * texture).astype(np.uint8) * 255
    # Open wide enough to cut the specks of smooth desk that touch the card away, then close
    # the holes its text leaves.
    mask = cv2.morphologyEx(smooth, cv2.MORPH_OPEN,
                            cv2.getStructuringElement(cv2.MORPH_RECT,
                                                      (_odd(17 * unit), _odd(17 * unit))))
    return cv2.morphologyEx(mask, cv2.MORPH_CLOSE,
                            cv2.getStructuringElement(cv2.MORPH_RECT,
                                                      (_odd(31 * unit), _odd(31 * unit))))


def _foreground(small: np.ndarray, unit: float) -> np.ndarray:
    """Pixels whose colour differs from the background at the image border."""
    lab = cv2.cvtColor(cv2.GaussianBlur(small, (7, 7), 0), cv2.COLOR_RGB2LAB).astype(np.float32)
    h, w = lab.shape[:2]
    b = max(4, min(h, w) // 40)
    border = np.concatenate([lab[:b].reshape(-1, 3), lab[-b:].reshape(-1, 3),
                             lab[:, :b].reshape(-1, 3), lab[:, -b:].reshape(-1, 3)])
    distance = np.linalg.norm(lab - np.median(border, axis=0), axis=2)
    spread = float(np.percentile(np.linalg.norm(border - np.median(border, axis=0), axis=1), 90))
    mask = (distance > max(12.0, 1.5 * spread)).astype(np.uint8) * 255
    kernel = cv2.getStructuringElement(cv2.MORPH_RECT, (_odd(9 * unit), _odd(9 * unit)))
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, kernel)
    return cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)


@dataclass(frozen=True)
class _Candidate:
    quad: Quad
    area: float
    fit: float  # 0..1: how well four corners describe the outline (1 = a perfect card)


def _quads(mask: np.ndarray) -> list[_Candidate]:
    h, w = mask.shape[:2]
    contours, _ = cv2.findContours(mask, cv2.RETR_LIST, cv2.CHAIN_APPROX_SIMPLE)
    candidates = []
    for contour in contours:
        if cv2.contourArea(contour) < 0.02 * h * w:
            continue
        hull = cv2.convexHull(contour)
        quad = _four_corners(hull)
        if quad is not None and (fit := _card_fit(quad, hull, (h, w))) > 0:
            candidates.append(_Candidate(quad, float(cv2.contourArea(quad)), fit))
    return candidates


def _four_corners(hull: np.ndarray) -> Quad | None:
    perimeter = cv2.arcLength(hull, True)
    for fraction in (0.01, 0.02, 0.03, 0.05, 0.08):
        approx = cv2.approxPolyDP(hull, fraction * perimeter, True)
        if len(approx) == 4:
            return _order(approx.reshape(4, 2).astype(np.float32))
        if len(approx) < 4:
            return None
    return None


def _card_fit(quad: Quad, hull: np.ndarray, shape: tuple[int, int]) -> float:
    """How much ``quad`` looks like a card seen in perspective, 0 (not at all) to 1.

    Four corners near right angles, card proportions, the outline well described by the
    quadrilateral; an outline cut by an image border is likely a shadow or the desk edge.
    """
    h, w = shape
    (_, _), (rw, rh), _ = cv2.minAreaRect(quad)
    if min(rw, rh) < 1:
        return 0.0
    aspect = max(rw, rh) / min(rw, rh)
    quad_area, hull_area = cv2.contourArea(quad), cv2.contourArea(hull)
    fitted = min(quad_area, hull_area) / max(quad_area, hull_area, 1)
    rectangular = quad_area / (rw * rh)
    margin = 2
    touching = sum([quad[:, 0].min() <= margin, quad[:, 1].min() <= margin,
                    quad[:, 0].max() >= w - 1 - margin, quad[:, 1].max() >= h - 1 - margin])
    if (not _MIN_ASPECT <= aspect <= _MAX_ASPECT or min(fitted, rectangular) < _MIN_RECTANGULARITY
            or touching >= 2 or not _corners_square(quad)):
        return 0.0
    return min(fitted, rectangular) - 0.15 * touching


def _corners_square(quad: Quad, *, tolerance: float = 25.0) -> bool:
    for i in range(4):
        a, b = quad[i - 1] - quad[i], quad[(i + 1) % 4] - quad[i]
        cosine = float(np.dot(a, b) / max(np.linalg.norm(a) * np.linalg.norm(b), 1e-6))
        if abs(90 - np.degrees(np.arccos(np.clip(cosine, -1, 1)))) > tolerance:
            return False
    return True


def _non_overlapping(candidates: list[_Candidate], limit: int) -> list[Quad]:
    """One outline per card: of the outlines of about the same size around one place, the
    best fitted; an outline well inside another (a panel on the card) loses; cards much
    smaller than the largest are not cards."""
    chosen: list[_Candidate] = []
    for cand in sorted(candidates, key=lambda c: -c.area):
        if chosen and cand.area < 0.3 * chosen[0].area:
            break
        centre = cand.quad.mean(axis=0)
        point = (float(centre[0]), float(centre[1]))
        same = [i for i, c in enumerate(chosen) if cv2.pointPolygonTest(c.quad, point, False) >= 0]
        if not same:
            if len(chosen) < limit:
                chosen.append(cand)
            continue
        i = same[0]
        if cand.area >= 0.8 * chosen[i].area and cand.fit > chosen[i].fit + 0.02:
            chosen[i] = cand
    return [c.quad for c in chosen]


def _reading_order(quads: list[Quad]) -> list[Quad]:
    """Rows top to bottom (a new row starts below half a card's height), then left to right."""
    if not quads:
        return []
    height = float(np.median([np.ptp(q[:, 1]) for q in quads]))
    rows: list[list[Quad]] = []
    for quad in sorted(quads, key=lambda q: q[:, 1].mean()):
        if rows and quad[:, 1].mean() - rows[-1][0][:, 1].mean() < 0.5 * height:
            rows[-1].append(quad)
        else:
            rows.append([quad])
    return [q for row in rows for q in sorted(row, key=lambda q: q[:, 0].mean())]


def _order(points: np.ndarray) -> Quad:
    s, d = points.sum(axis=1), np.diff(points, axis=1).ravel()
    return np.array([points[np.argmin(s)], points[np.argmin(d)], points[np.argmax(s)],
                     points[np.argmax(d)]], dtype=np.float32)


def warp(rgb: np.ndarray, quad: Quad) -> np.ndarray:
    """The card inside ``quad`` as a flat rectangle at the resolution the photo has."""
    tl, tr, br, bl = quad
    width = max(2, round(float(max(np.linalg.norm(tr - tl), np.linalg.norm(br - bl)))))
    height = max(2, round(float(max(np.linalg.norm(bl - tl), np.linalg.norm(br - tr)))))
    target = np.array([[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]],
                      dtype=np.float32)
    matrix = cv2.getPerspectiveTransform(quad.astype(np.float32), target)
    return cv2.warpPerspective(rgb, matrix, (width, height), flags=cv2.INTER_CUBIC,
                               borderMode=cv2.BORDER_REPLICATE)


def looks_like_a_card(image: np.ndarray) -> bool:
    """An image that is itself card-shaped (a scan of one card) needs no cropping."""
    h, w = image.shape[:2]
    return _MIN_ASPECT <= max(h, w) / max(1, min(h, w)) <= _MAX_ASPECT


# --- straightening -----------------------------------------------------------------------------

def skew_angle(gray: np.ndarray) -> float:
    """Small-angle skew in degrees (counter-clockwise positive) from the text lines.

    Each text line, smeared horizontally into one blob, gives an angle by minAreaRect; the
    width-weighted median of those is robust to logos and two-column layouts.
    """
    binary = cv2.adaptiveThreshold(_dark_text(gray), 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                   cv2.THRESH_BINARY_INV, 31, 15)
    width = max(15, gray.shape[1] // 40)
    blobs = cv2.dilate(binary, cv2.getStructuringElement(cv2.MORPH_RECT, (width, 3)))
    contours, _ = cv2.findContours(blobs, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    angles, weights = [], []
    for contour in contours:
        (_, _), (w, h), angle = cv2.minAreaRect(contour)
        if w < h:
            w, h, angle = h, w, angle - 90
        if w < 4 * h or w < gray.shape[1] / 10:
            continue
        angles.append((angle + 45) % 90 - 45)
        weights.append(w)
    if len(angles) < 2:
        return 0.0
    order = np.argsort(angles)
    cumulative = np.cumsum(np.array(weights)[order])
    return -float(np.array(angles)[order][np.searchsorted(cumulative, cumulative[-1] / 2)])


def separate_ink(rgb: np.ndarray) -> np.ndarray | None:
    """Keep pen ink, drop the card's coloured print (a red logo, an orange band). None when
    there is no coloured print to drop.

    Measured against the card around each mark rather than in absolute colour, so ink keeps
    under glare and shade: on a glossy card photographed under a lamp the glare lifts blue ink
    to a pale, nearly grey blue that fixed thresholds (saturation > 60, value < 230) dropped
    ("Met 11/4 @ Greenbuild" read "Met 11/4 \"eenbuild"). Each mark comes out at the
    strength of the darkest ink around it, so washed-out strokes are as legible as the rest.
    Black print cannot be told from black ink by colour; it stays.
    """
    gray = to_gray(rgb)
    if is_dark(gray):
        return None  # light ink on a dark card: the card's colour is not print to drop
    # The card around each pixel, per channel: glare, shade and the stock's tint divide out.
    card = np.dstack([_background(rgb[:, :, c]) for c in range(3)]).astype(np.float32)
    flat = np.clip(rgb.astype(np.float32) / np.maximum(card, 1), 0, 1)
    darkness = 1 - flat.min(axis=2)  # 0 on blank card, towards 1 for black ink
    chroma = flat.max(axis=2) - flat.min(axis=2)
    hue = cv2.cvtColor(np.rint(flat * 255).astype(np.uint8), cv2.COLOR_RGB2HSV)[:, :, 0]
    marks = darkness > _MARK
    blue = (hue >= 95) & (hue <= 135)  # blue ink, however pale
    coloured = marks & (chroma > 0.5 * darkness) & ~blue
    if np.count_nonzero(coloured) < 0.005 * gray.size:
        return None  # a plain back: nothing to separate
    ink = marks & ~coloured
    around = cv2.dilate(darkness, cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (31, 31)))
    strength = np.clip(darkness / np.maximum(around, 0.25), 0, 1)
    return np.where(ink, np.rint(255 * (1 - strength)), 255).astype(np.uint8)


_MARK = 0.1  # darker than the card around it by a tenth: ink or print, not paper or noise


def remove_rules(gray: np.ndarray, *, min_fraction: float = 0.25) -> np.ndarray:
    """Paint over long horizontal lines (underlines, bands) and over the stretches of vertical
    dividers that touch letters: where a rule touches a letter Tesseract misreads it
    ("Lindqvist" -> "Lindqvis"). The rest of a divider stays: Tesseract uses it to keep the
    columns apart."""
    h, w = gray.shape[:2]
    ink = cv2.adaptiveThreshold(_dark_text(gray), 255, cv2.ADAPTIVE_THRESH_MEAN_C,
                                cv2.THRESH_BINARY_INV, 31, 15)
    tall, wide = max(15, int(h * min_fraction)), max(15, int(w * min_fraction))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                cv2.getStructuringElement(cv2.MORPH_RECT, (1, tall)))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN,
                                  cv2.getStructuringElement(cv2.MORPH_RECT, (wide, 1)))
    letters = cv2.subtract(ink, cv2.dilate(cv2.bitwise_or(vertical, horizontal),
                                           np.ones((3, 3), np.uint8)))
    near_letters = cv2.dilate(letters, cv2.getStructuringElement(cv2.MORPH_RECT, (9, 3)))
    rules = cv2.bitwise_or(horizontal, cv2.bitwise_and(vertical, near_letters))
    if not cv2.countNonZero(rules):
        return gray
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    background = cv2.medianBlur(gray, 21)
    return np.where(rules > 0, background, gray).astype(np.uint8)


def rotate(image: np.ndarray, degrees: float) -> np.ndarray:
    """Turn counter-clockwise by ``degrees``; right angles are exact, others keep the size."""
    quarter = round(degrees / 90)
    if abs(degrees - 90 * quarter) < 1e-6:
        return np.ascontiguousarray(np.rot90(image, quarter % 4))
    h, w = image.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(image, matrix, (w, h), flags=cv2.INTER_CUBIC,
                          borderMode=cv2.BORDER_REPLICATE)


def one_thread() -> None:
    """OpenCV in this process on one thread, as Tesseract is (OMP_THREAD_LIMIT=1): a batch
    runs one worker per core, and each worker's OpenCV spreading over every core made two
    workers contend (read-only batch of clean scans, 2 workers: 1.8x one; measured)."""
    cv2.setNumThreads(1)


def specimen() -> np.ndarray:
    """A plain card (RGB, 600 x 1050, the size of a 300 dpi scan) with a name and a phone
    printed on it, for a worker to read before its first card: OpenCV builds its colour
    tables and RapidOCR its buffers on the first card-sized image, 0.1 s each that the first
    card paid otherwise (measured on samples' clean scans)."""
    card = np.full((600, 1050, 3), 255, np.uint8)
    for row, text in enumerate(("Jane Doe", "Head of Sales", "+49 30 1234567")):
        cv2.putText(card, text, (60, 140 + 90 * row), cv2.FONT_HERSHEY_SIMPLEX, 1.6,
                    (20, 30, 90), 3, cv2.LINE_AA)
    return card


def shrink(image: np.ndarray, long_side: int) -> np.ndarray:
    """At most ``long_side`` pixels on the long side (area averaging); never enlarged."""
    h, w = image.shape[:2]
    factor = long_side / max(h, w)
    if factor >= 1:
        return image
    return cv2.resize(image, (max(1, round(w * factor)), max(1, round(h * factor))),
                      interpolation=cv2.INTER_AREA)


# --- light and resolution -----------------------------------------------------------------------

def to_gray(image: np.ndarray) -> np.ndarray:
    """RGB (or already gray) -> 8-bit gray."""
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


def darkest(image: np.ndarray) -> np.ndarray:
    """Gray in which coloured pen ink is as dark as black ink: each pixel's darkest channel
    when the writing is coloured, plain gray otherwise. Plain gray makes blue ink light and
    its thin strokes fade: the handwriting-font backs (blue ink) read "11/14" as "1/14"; with
    the darkest channel their date met went 16 -> 17 of 18, character accuracy 0.984 ->
    0.986. On colourless pen (the real pen notes) the darkest channel is gray plus sensor
    noise, and measured worse (fields 0.981 -> 0.974), hence the test for colour."""
    if image.ndim == 2:
        return image
    gray = to_gray(image)
    marks = gray < 200
    if not marks.any():
        return gray
    saturation = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)[:, :, 1]
    if float(np.median(saturation[marks])) < 60:
        return gray
    return np.ascontiguousarray(np.min(image, axis=2))


def is_dark(gray: np.ndarray) -> bool:
    """Light text on a dark card: the typical (background) pixel is dark.

    Known limit: a mid-tone card (orange, about 100 in gray) with black text and a large white
    logo can be taken for a dark card; stroke-polarity tests (top-hat against black-hat, Otsu
    classes) measured no better on the sample and shared sets.
    """
    return float(np.median(gray)) < 100


def _dark_text(gray: np.ndarray) -> np.ndarray:
    return cv2.bitwise_not(gray) if is_dark(gray) else gray


def even_light(gray: np.ndarray) -> np.ndarray:
    """Divide by the background (text removed by a closing) so shading and glare flatten out,
    then stretch the contrast. Light-on-dark cards are inverted first."""
    gray = _dark_text(gray)
    flat = cv2.divide(gray, np.maximum(_background(gray), 1), scale=255)
    low, high = np.percentile(flat, (1, 99))
    if high - low < 10:
        return flat
    return cv2.convertScaleAbs(flat, alpha=255 / (high - low), beta=-255 * low / (high - low))


def _background(gray: np.ndarray) -> np.ndarray:
    """The blank card around each pixel (dark text closed over). It varies slowly: estimated
    on a quarter-size copy (16x less work)."""
    small = cv2.resize(gray, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    size = max(5, (min(small.shape[:2]) // 12) | 1)
    background = cv2.morphologyEx(small, cv2.MORPH_CLOSE,
                                  cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size)))
    return cv2.resize(cv2.GaussianBlur(background, (size, size), 0),
                      (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)


def binarise(gray: np.ndarray) -> np.ndarray:
    """Local (adaptive) threshold; a global one (Otsu) fails under uneven light."""
    block = max(31, (min(gray.shape[:2]) // 20) | 1)
    return cv2.adaptiveThreshold(gray, 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C, cv2.THRESH_BINARY,
                                 block, 15)


def upscale(image: np.ndarray, *, min_long_side: int, max_factor: float) -> np.ndarray:
    """Enlarge a small card so its text reaches about 300 dpi; never shrink."""
    long_side = max(image.shape[:2])
    if long_side >= min_long_side or long_side == 0:
        return image
    factor = min(min_long_side / long_side, max_factor)
    return cv2.resize(image, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)


# --- the chain ---------------------------------------------------------------------------------

def prepare_page(rgb: np.ndarray, settings: Preprocess) -> list[Crop]:
    """One page (a photo, a scan, a PDF page) -> one prepared image per card on it."""
    quads = find_cards(rgb) if settings.find_cards else []
    if not quads:
        crop = Crop(image=rgb, steps=[("input", rgb)], photo=not looks_like_a_card(rgb))
        if settings.find_cards and crop.photo:
            crop.warnings.append("no card outline found; reading the whole image")
        crops = [crop]
    else:
        crops = [Crop(image=rgb, steps=[("input", rgb)]) for _ in quads]
        for crop, quad in zip(crops, quads, strict=True):
            crop.step("card", warp(rgb, quad))
    for crop in crops:
        _finish(crop, settings)
    return crops


def _finish(crop: Crop, settings: Preprocess) -> None:
    """Gray, straighten, even the light, enlarge: the steps every card gets."""
    ink = separate_ink(crop.image) if settings.separate_ink and crop.image.ndim == 3 else None
    if ink is not None:
        gray = crop.step("ink", ink)
    elif settings.separate_ink:  # a back: pen ink at its darkest, as separate_ink keeps it
        gray = crop.step("gray", darkest(crop.image))
    else:
        gray = crop.step("gray", to_gray(crop.image))
    if settings.remove_rules:
        gray = crop.step("rules", remove_rules(gray, min_fraction=settings.rule_min_fraction))
    if settings.deskew:
        angle = skew_angle(gray)
        if settings.min_skew <= abs(angle) <= settings.max_skew:
            crop.step(f"deskew{angle:+.1f}", rotate(gray, -angle))
    # Scans are evenly lit already, and dividing by the background would wash out white
    # lettering on a coloured band (measured: 0.948 -> 0.937 on the sample scans).
    if settings.even_light and crop.photo:
        crop.step("light", even_light(crop.image))
    crop.step("upscale", upscale(crop.image, min_long_side=settings.min_long_side,
                                 max_factor=settings.max_upscale))
    if settings.binarise and max(crop.image.shape[:2]) >= settings.binarise_min_long_side:
        crop.step("binary", binarise(crop.image))


def stretch(image: np.ndarray, factor: float) -> np.ndarray:
    """The image widened by ``factor`` (height kept), for a recogniser that reads narrow
    writing better wide."""
    return cv2.resize(image, None, fx=factor, fy=1.0, interpolation=cv2.INTER_CUBIC)
