"""Small real JPEG pictures for the demo data and the tests, without an imaging library.

``mosaic_jpeg`` encodes a baseline greyscale JPEG in which every 8×8 block has one shade (only
the DC coefficient is coded): any viewer decodes it, and its content is a JPEG by every check
(``filetype``, browsers), which is what the attachment checks look at.
"""
from __future__ import annotations

import struct
from collections.abc import Callable

# The standard luminance DC table (ITU T.81, Annex K.3): code lengths per category 0..11.
_DC_COUNTS = (0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0)
_DC_VALUES = tuple(range(12))


def _huffman_codes(counts, values) -> dict[int, tuple[int, int]]:
    codes, code, k = {}, 0, 0
    for length, count in enumerate(counts, start=1):
        for _ in range(count):
            codes[values[k]] = (code, length)
            code += 1
            k += 1
        code <<= 1
    return codes


_DC_CODES = _huffman_codes(_DC_COUNTS, _DC_VALUES)


class _Bits:
    def __init__(self):
        self.out = bytearray()
        self.acc = 0
        self.n = 0

    def put(self, value: int, length: int) -> None:
        for i in range(length - 1, -1, -1):
            self.acc = (self.acc << 1) | ((value >> i) & 1)
            self.n += 1
            if self.n == 8:
                self.out.append(self.acc)
                if self.acc == 0xFF:
                    self.out.append(0x00)  # byte stuffing
                self.acc = self.n = 0

    def flush(self) -> bytes:
        if self.n:
            self.put((1 << (8 - self.n)) - 1, 8 - self.n)  # pad with 1-bits
        return bytes(self.out)


def _segment(marker: int, payload: bytes) -> bytes:
    return struct.pack(">HH", marker, len(payload) + 2) + payload


def mosaic_jpeg(width: int, height: int, shade: Callable[[int, int], int]) -> bytes:
    """A JPEG of ``width``×``height`` pixels (multiples of 8); ``shade(bx, by)`` gives the grey
    level 0–255 of the 8×8 block in column ``bx``, row ``by``."""
    if width % 8 or height % 8 or not (8 <= width <= 4096 and 8 <= height <= 4096):
        raise ValueError("width and height must be multiples of 8, at most 4096")
    bits = _Bits()
    previous = 0
    for by in range(height // 8):
        for bx in range(width // 8):
            level = max(0, min(255, int(shade(bx, by))))
            dc = 8 * (level - 128)  # the block's DC coefficient, quantised by 1
            diff, previous = dc - previous, dc
            category = abs(diff).bit_length()
            bits.put(*_DC_CODES[category])
            if category:
                bits.put(diff if diff >= 0 else diff - 1 + (1 << category), category)
            bits.put(0, 1)  # end of block: the one AC code (EOB) is "0"
    entropy = bits.flush()
    return b"".join([
        b"\xff\xd8",
        _segment(0xFFE0, b"JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"),
        _segment(0xFFDB, b"\x00" + b"\x01" * 64),
        _segment(0xFFC0, struct.pack(">BHHB", 8, height, width, 1) + b"\x01\x11\x00"),
        _segment(0xFFC4, b"\x00" + bytes(_DC_COUNTS) + bytes(_DC_VALUES)),
        _segment(0xFFC4, b"\x10" + bytes((1,) + (0,) * 15) + b"\x00"),
        _segment(0xFFDA, b"\x01\x01\x00\x00\x3f\x00"),
        entropy,
        b"\xff\xd9",
    ])


def pothole_photo() -> bytes:
    """A 96×64 picture of a dark pothole on grey asphalt (the letter's 2_48079.jpg)."""

    def shade(bx: int, by: int) -> int:
        inside = ((bx - 5.5) / 3.2) ** 2 + ((by - 4) / 2.2) ** 2
        if inside <= 1:
            return 45 + int(20 * inside)
        return 120 + (bx * 7 + by * 13) % 23
    return mosaic_jpeg(96, 64, shade)
