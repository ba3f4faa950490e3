"""SafeZip: a package's members are read with a cap, whatever their headers declare."""

import io
import struct
import zipfile

import pytest

from common.safezip import SafeZip, UnsafeZipError, ZipLimits
from tests.consultations.factories import docx_bytes, zip_bomb_bytes


def test_an_ordinary_package_reads_as_zipfile_does():
    content = docx_bytes()
    with SafeZip(io.BytesIO(content)) as package:
        assert "word/document.xml" in package.namelist()
        assert package.read("word/document.xml") == b"<w:document/>"


def test_a_member_declaring_more_than_the_member_limit_is_refused_on_opening():
    # 64 MB of zeros in ~64 KB: over a 32 MB member limit, though the upload is tiny
    bomb = zip_bomb_bytes({}, inflating="big.xml", inflated_mb=64)
    assert len(bomb) < 200 * 1024
    with pytest.raises(UnsafeZipError, match="declares"):
        SafeZip(io.BytesIO(bomb), limits=ZipLimits(member_bytes=32 * 1024 * 1024))


def test_a_member_inflating_beyond_the_ratio_is_refused_on_opening():
    bomb = zip_bomb_bytes({}, inflating="big.xml", inflated_mb=8)
    with pytest.raises(UnsafeZipError, match="1"):
        SafeZip(io.BytesIO(bomb))  # 8 MB from ~8 KB: about 1000:1, the limit is 100:1


def test_the_total_of_declared_sizes_is_capped():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:  # stored, ratio 1:1
        for n in range(3):
            package.writestr(f"part{n}.bin", b"x" * 1000)
    with pytest.raises(UnsafeZipError, match="in all"):
        SafeZip(io.BytesIO(buffer.getvalue()), limits=ZipLimits(total_bytes=2500))


def test_too_many_members_are_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        for n in range(11):
            package.writestr(f"p{n}", b"")
    with pytest.raises(UnsafeZipError, match="members"):
        SafeZip(io.BytesIO(buffer.getvalue()), limits=ZipLimits(members=10))


def test_a_bounded_read_stops_at_its_cap():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as package:
        package.writestr("mimetype", b"a" * 5000)
    with SafeZip(io.BytesIO(buffer.getvalue())) as package:
        assert len(package.read("mimetype", max_bytes=5000)) == 5000
        with pytest.raises(UnsafeZipError):
            package.read("mimetype", max_bytes=4999)


def _understate(content: bytes, name: str, declared: int) -> bytes:
    """Rewrite ``name``'s inflated size in both headers to ``declared`` (a lying package)."""
    data = bytearray(content)
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        info = package.getinfo(name)
        real = info.file_size
    local = info.header_offset
    assert struct.unpack_from("<I", data, local + 22)[0] == real
    struct.pack_into("<I", data, local + 22, declared)
    central = data.rfind(b"PK\x01\x02")
    assert struct.unpack_from("<I", data, central + 24)[0] == real
    struct.pack_into("<I", data, central + 24, declared)
    return bytes(data)


def test_a_member_that_inflates_beyond_its_declared_size_is_not_read_whole():
    # given a package whose only member says 100 bytes but inflates to 4 MB
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as package:
        package.writestr("content.xml", b"\x00" * (4 * 1024 * 1024))
    lying = _understate(buffer.getvalue(), "content.xml", 100)
    # when it is read, then no more than the declared size comes out (and the CRC fails)
    with SafeZip(io.BytesIO(lying)) as package, pytest.raises(zipfile.BadZipFile):
        package.read("content.xml", max_bytes=1024)
