"""Public tracking codes of reports (DESIGN §10): what the public sees instead of the id.

A code is ``HUE-`` and eight characters drawn by ``secrets`` from an alphabet without look-alike
characters (no 0/O, 1/I/L, U/V), so it can be read out on the phone and typed without errors.
It carries no information: it is not computed from the id, the time or another code, so one
code tells nothing of any other. 29⁸ ≈ 5·10¹¹ codes: at a million reports a guess hits one
time in 500,000 (and the public pages that take a code are rate-limited).
"""
from __future__ import annotations

import re
import secrets

PREFIX = "HUE-"
ALPHABET = "23456789ABCDEFGHJKMNPQRSTWXYZ"
LENGTH = 8
_PATTERN = re.compile(rf"^{PREFIX}[{ALPHABET}]{{{LENGTH}}}$")


def new_code() -> str:
    return PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(raw: str | None) -> str | None:
    """A code as a person types it ("hue 7k3q 9m2x", "7K3Q9M2X") in its stored form, or None
    when it cannot be a code."""
    text = re.sub(r"[\s\-_.]", "", (raw or "").upper())
    if text.startswith(PREFIX[:-1]):
        text = text[len(PREFIX) - 1:]
    code = PREFIX + text
    return code if _PATTERN.match(code) else None
