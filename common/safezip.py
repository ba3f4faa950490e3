"""Reading ZIP packages (DOCX, ODT) that strangers upload, without letting them inflate.

A ZIP member's header states how big it is once inflated, and deflate reaches ratios of about
1000:1: a 1 MB upload can ask for a gigabyte. ``zipfile`` trusts that header (``read()``
allocates all of it) and never asks how much is too much. ``SafeZip`` checks every member's
declared size and ratio when the package is opened, and reads members in chunks that stop at
a cap however the headers lie, so memory stays bounded by the caps, not by the upload.

Used by consultations' document checks; a draft imported from DOCX/ODT reads it the same way.
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from types import TracebackType
from typing import IO

READ_CHUNK = 64 * 1024


@dataclass(frozen=True)
class ZipLimits:
    """What one package may unpack to. The defaults fit office documents: a DOCX of 20 MB
    full of photos inflates to little more (images are stored already compressed); text
    compresses about 5-20:1, and no real document has a part of 100 MB of XML."""

    members: int = 2_000
    member_bytes: int = 100 * 1024 * 1024
    total_bytes: int = 200 * 1024 * 1024
    # Inflated ÷ compressed, checked for members larger than ratio_from_bytes (tiny parts of
    # a package, like a 40-byte XML of zeros, may compress absurdly well and harm no one).
    # 100:1 is also Apache POI's default for office files (ZipSecureFile, min ratio 0.01).
    ratio: int = 100
    ratio_from_bytes: int = 1024 * 1024


DEFAULT_LIMITS = ZipLimits()


class UnsafeZipError(ValueError):
    """The package would unpack to more than the limits allow (a "zip bomb"), or a member
    inflated beyond what its header declared. ``reason`` says which limit, for logs."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class SafeZip:
    """A read-only ZIP package whose members are read with a cap.

    Opening it raises ``zipfile.BadZipFile`` for something that is not a ZIP and
    ``UnsafeZipError`` when the declared sizes exceed ``limits``. Use as a context manager.
    """

    def __init__(self, file: IO[bytes], *, limits: ZipLimits = DEFAULT_LIMITS) -> None:
        self.limits = limits
        self._zip = zipfile.ZipFile(file)
        self._read_total = 0
        try:
            self._declared_check()
        except BaseException:
            self._zip.close()
            raise

    def _declared_check(self) -> None:
        infos = self._zip.infolist()
        limits = self.limits
        if len(infos) > limits.members:
            raise UnsafeZipError(f"{len(infos)} members (at most {limits.members})")
        total = 0
        for info in infos:
            if info.file_size > limits.member_bytes:
                raise UnsafeZipError(
                    f"{info.filename!r} declares {info.file_size} bytes "
                    f"(at most {limits.member_bytes})"
                )
            if info.file_size > limits.ratio_from_bytes and info.file_size > limits.ratio * max(
                info.compress_size, 1
            ):
                raise UnsafeZipError(
                    f"{info.filename!r} inflates {info.compress_size} to {info.file_size} bytes "
                    f"(at most {limits.ratio}:1)"
                )
            total += info.file_size
        if total > limits.total_bytes:
            raise UnsafeZipError(f"declares {total} bytes in all (at most {limits.total_bytes})")

    def namelist(self) -> list[str]:
        return self._zip.namelist()

    def read(self, name: str, *, max_bytes: int | None = None) -> bytes:
        """The member's bytes, read in chunks; more than ``max_bytes`` (or the member and
        total limits) raises ``UnsafeZipError`` before the excess is held in memory.
        A missing member raises ``KeyError``, a corrupt one ``zipfile.BadZipFile``."""
        cap = min(
            self.limits.member_bytes if max_bytes is None else max_bytes,
            self.limits.total_bytes - self._read_total,
        )
        chunks: list[bytes] = []
        size = 0
        with self._zip.open(name) as member:
            while True:
                chunk = member.read(min(READ_CHUNK, cap - size + 1))
                if not chunk:
                    break
                size += len(chunk)
                if size > cap:
                    raise UnsafeZipError(f"{name!r} inflates beyond {cap} bytes")
                chunks.append(chunk)
        self._read_total += size
        return b"".join(chunks)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
