"""The nasty files of the reliability sweep, made on demand (nothing large is committed):
tiny files that would cost gigabytes or minutes if cardscan read them naively.

    python tests/nasty_files.py DIR            # write them all into DIR
    python tests/nasty_files.py --measure      # and time each through `cardscan scan`

`make bench` runs ``--measure``: seconds and peak resident memory per file (each must end with
a clear error within 10 s and under 1 GB), measured there and not in a timed test.
"""

from __future__ import annotations

import io
import os
import resource
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path

from PIL import Image


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


def huge_png(path: Path, width: int = 10_870, height: int = 10_870) -> Path:
    """A PNG whose header says 118 megapixels, in a few hundred bytes (its pixel data is one
    compressed run of zeros: a real decoder would produce 354 MB)."""
    row = b"\x00" + b"\x00" * (3 * width)
    compressor = zlib.compressobj(9)
    data = b"".join(compressor.compress(row) for _ in range(64)) + compressor.flush()
    path.write_bytes(b"\x89PNG\r\n\x1a\n"
                     + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
                     + _png_chunk(b"IDAT", data) + _png_chunk(b"IEND", b""))
    return path


def many_page_tiff(path: Path, pages: int = 50) -> Path:
    """50 blank A4 pages at 300 dpi (8.7 MP each), a few KB compressed."""
    blank = Image.new("1", (2480, 3508), 1)
    blank.save(path, save_all=True, append_images=[blank] * (pages - 1), compression="group4")
    return path


def _pdf(pages: int, width: float, height: float) -> bytes:
    """A minimal PDF: ``pages`` empty pages of ``width`` x ``height`` points."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>",
               "<< /Type /Pages /Kids [" + " ".join(f"{3 + i} 0 R" for i in range(pages))
               + f"] /Count {pages} >>"]
    objects += [f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] >>"] * pages
    out, offsets = io.BytesIO(), []
    out.write(b"%PDF-1.4\n")
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(f"{number} 0 obj\n{body}\nendobj\n".encode())
    xref = out.tell()
    out.write(f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode())
    out.write("".join(f"{o:010d} 00000 n \n" for o in offsets).encode())
    out.write(f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
              .encode())
    return out.getvalue()


def many_page_pdf(path: Path, pages: int = 200) -> Path:
    path.write_bytes(_pdf(pages, 612, 792))
    return path


def giant_pdf_page(path: Path) -> Path:
    """One 5000 x 5000 pt page (69 in square: 434 MP at 300 dpi)."""
    path.write_bytes(_pdf(1, 5000, 5000))
    return path


def huge_sparse_jpeg(path: Path, size: int = 2 * 1024**3) -> Path:
    """A 2 GB file named .jpg that takes no disk space (sparse)."""
    with path.open("wb") as f:
        f.write(b"\xff\xd8\xff\xe0")
        f.truncate(size)
    return path


def animated_webp(path: Path, frames: int = 40) -> Path:
    images = [Image.new("RGB", (700, 400), (255 - i * 5, 255, 255)) for i in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=50, loop=0)
    return path


def one_pixel(path: Path) -> Path:
    Image.new("RGB", (1, 1), "white").save(path)
    return path


def thin_strip(path: Path) -> Path:
    Image.new("L", (60_000, 2), 255).save(path)
    return path


def fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


CASES: dict[str, tuple[str, Callable[[Path], Path]]] = {
    "huge.png": ("a 118-megapixel PNG", huge_png),
    "pages50.tif": ("a 50-page blank TIFF", many_page_tiff),
    "pages200.pdf": ("a 200-page blank PDF", many_page_pdf),
    "giant-page.pdf": ("one 5000-point PDF page", giant_pdf_page),
    "big.jpg": ("a 2 GB file named .jpg", huge_sparse_jpeg),
    "animated.webp": ("an animated WebP of 40 frames", animated_webp),
    "one-pixel.png": ("a 1x1 image", one_pixel),
    "strip.png": ("a 60000x2 image", thin_strip),
    "fifo.jpg": ("a FIFO named .jpg", fifo),
}


def write_all(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return {name: make(folder / name) for name, (_, make) in CASES.items()}


def measure(folder: Path) -> list[str]:
    """Each nasty file through `cardscan scan` in a process of its own: exit code, seconds,
    peak resident memory, and the first line it printed."""
    files = write_all(folder)
    lines = ["| file | exit | seconds | peak MB | says |", "|---|---|---|---|---|"]
    for name, path in files.items():
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "cardscan", "scan", path],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                   text=True, env={**os.environ, "CARDSCAN_OCR_LANGUAGES": "eng"})
        assert process.stderr is not None
        said = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        first = (said.strip().splitlines() or [""])[0].replace(str(folder) + "/", "")
        lines.append(f"| {CASES[name][0]} | {process.returncode} | {seconds:.2f} "
                     f"| {usage.ru_maxrss / 1024:.0f} | {first[:110]} |")
    return lines


def main() -> None:
    if sys.argv[1:2] == ["--measure"]:
        with tempfile.TemporaryDirectory() as tmp:
            print("\n## limits: nasty files through `cardscan scan`\n")
            print("\n".join(measure(Path(tmp))))
        return
    for name, path in write_all(Path(sys.argv[1])).items():
        print(f"{name}: {CASES[name][0]} -> {path}")


if __name__ == "__main__":
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    main()
