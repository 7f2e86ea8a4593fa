"""The scan store: a content-addressed folder holding a copy of every image a user gave.

Files are named by their SHA-256 (``ab/abcdef....jpg``), written to a ``.part`` file and renamed,
and never overwritten or deleted; the user's own file is never moved by the store. The database
holds paths relative to the store's root, so a database moved with its store, or a team store
mounted at another path, serves every image.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import NotFoundError, StorageError


class ScanStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        self._folders: set[Path] = set()  # made already (a batch writes hundreds of files)

    def keep(self, data: bytes, sha256: str, suffix: str) -> str:
        """Copy an image's bytes into the store (once); returns where it lies, relative to
        the store's root (what the database holds)."""
        return self._relative(
            self._write(self.root / sha256[:2] / f"{sha256}{suffix.lower()}", data))

    def view(self, sha256: str, part: int, side: str, suffix: str = ".jpg") -> Path:
        """Where the image a person is shown of one card of a file lies (see ``keep_view``)."""
        return self.root / "views" / sha256[:2] / f"{sha256}-{part}-{side}{suffix}"

    def keep_view(self, data: bytes, sha256: str, part: int, side: str,
                  suffix: str = ".jpg") -> str:
        """Keep the image of one card as shown to a person (cut out, upright, small);
        returns where it lies, relative to the store's root."""
        return self._relative(self._write(self.view(sha256, part, side, suffix), data))

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def _write(self, path: Path, data: bytes) -> Path:
        if not path.exists():
            try:
                if path.parent not in self._folders:
                    path.parent.mkdir(parents=True, exist_ok=True)
                    self._folders.add(path.parent)
                tmp = path.with_suffix(path.suffix + ".part")
                tmp.write_bytes(data)
                tmp.replace(path)
            except OSError as e:
                tmp.unlink(missing_ok=True)
                raise StorageError(f"cannot write to the scan store {self.root}: "
                                   f"{e.strerror or e}") from e
        return path

    def file(self, stored: str, what: str) -> Path:
        """A stored image (a path relative to the store's root, or an absolute one inside it),
        only when it really lies inside the store (``what`` names it in errors)."""
        root = self.root.resolve()
        path = (root / stored).resolve()
        if not path.is_relative_to(root):
            raise NotFoundError(f"{what} is not in the scan store {root}; not serving it")
        if not path.is_file():
            raise NotFoundError(f"{what}: the stored image {path} is missing")
        return path
