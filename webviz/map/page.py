"""The map page: its map part rendered once per register version and query, the rest per request.

The map part (filters, map data, legend, the table of the view) is the same for everyone
who asks for one view of one version: at national size it is 4-5 MB of HTML that Jinja took
~190 ms to render, holding the interpreter, on every request.  It is rendered once, kept
compressed, and spliced into the page of each request, whose header (who is signed in, the
sign-out form's CSRF token, flashed messages) is rendered for that request alone.  Everything
in both parts is rendered by Jinja with autoescape on, as before.

A client that accepts gzip gets the page as one gzip stream made of three deflate pieces: the
request's header, the kept map part, the request's footer (see :func:`gzip_of`).
"""

from __future__ import annotations

import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass

from markupsafe import Markup

#: Stands for the map part in the page rendered per request.  Random per process, and an
#: HTML comment, which escaped text can never contain ("<" is always escaped).
MARK = f"<!--govmap-map-part-{secrets.token_hex(16)}-->"

_MASK = 0xFFFFFFFF


def _deflate(data: bytes, last: bool) -> bytes:
    """Raw deflate blocks; not ``last`` ones end byte-aligned and unfinished (a sync flush),
    so more blocks may follow from another compressor."""
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)


def _shift_columns(length: int) -> list[int]:
    """The CRC-32 register after ``length`` zero bytes, for each one-bit start value.

    The raw register (before CRC-32's inversions) is linear in its start over zero bytes,
    so these 32 columns give ``crc32(a + b)`` from ``crc32(a)`` and ``crc32(b)`` without
    reading ``b`` again (zlib's ``crc32_combine``, which Python does not expose)."""
    zeros = bytes(length)
    return [zlib.crc32(zeros, (1 << i) ^ _MASK) ^ _MASK for i in range(32)]


@dataclass(frozen=True)
class Part:
    """A rendered part of a page, kept as deflate blocks (see :func:`_deflate`)."""

    deflated: bytes
    crc: int
    size: int
    #: See :func:`_shift_columns`.
    columns: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Part:
        raw = text.encode("utf-8")
        return cls(_deflate(raw, last=False), zlib.crc32(raw), len(raw), tuple(_shift_columns(len(raw))))

    def raw(self) -> bytes:
        return zlib.decompressobj(-15).decompress(self.deflated)

    def crc_after(self, crc: int) -> int:
        """``crc32(head + this part)`` given ``crc32(head)``."""
        shifted = 0
        for i, column in enumerate(self.columns):
            if crc >> i & 1:
                shifted ^= column
        return shifted ^ self.crc


def gzip_of(head: bytes, part: Part, tail: bytes) -> bytes:
    """``gzip.compress(head + part + tail)``, without compressing ``part`` again: deflate
    streams that end byte-aligned may be joined (pigz does the same), and the CRC of the
    whole is combined from the pieces' CRCs."""
    crc = zlib.crc32(tail, part.crc_after(zlib.crc32(head)))
    size = (len(head) + part.size + len(tail)) & _MASK
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\xff"  # deflate, no name, no time, unknown OS
    return b"".join(
        (
            header,
            _deflate(head, last=False),
            part.deflated,
            _deflate(tail, last=True),
            struct.pack("<II", crc, size),
        )
    )


@dataclass(frozen=True)
class MapPage:
    """The kept part of one map view: the page's title, its map part, and its status."""

    title: str
    part: Part
    status: int


def respond(page: MapPage, render_rest: Callable[[Markup, str], str], gzip: bool) -> tuple[bytes, bool]:
    """The page's bytes: ``render_rest(mark, title)`` renders the per-request page with ``mark``
    where the map part goes; returns the body and whether it is gzipped."""
    head, found, tail = render_rest(Markup(MARK), page.title).partition(MARK)
    assert found, "the page template must show its map part once"
    head_b, tail_b = head.encode("utf-8"), tail.encode("utf-8")
    if gzip:
        return gzip_of(head_b, page.part, tail_b), True
    return b"".join((head_b, page.part.raw(), tail_b)), False
