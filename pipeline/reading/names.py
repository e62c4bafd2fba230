"""File names as they are shown to a person: every character that is not printable written as an escape.

A file name may hold any byte but ``/`` and NUL: a newline, a carriage return, a terminal escape sequence
(ESC, U+001B), a right-to-left override (U+202E), or bytes that are not UTF-8 (Python gives them as lone
surrogates, U+DC80-U+DCFF). Printed as they are, they start a new output line, move the cursor or recolour
the terminal, so a name could forge a line of the batch's report ("contract.pdf: ingested"). Shown through
:func:`printable`, a name is one line of visible characters, and two different names never look the same.
"""

from __future__ import annotations

_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\"}


def printable(name: str) -> str:
    """``name`` with a backslash doubled and each character that is not printable (``str.isprintable``:
    control and format characters, line and paragraph separators, spaces other than U+0020, unassigned code
    points, surrogates) written as Python writes it in a string literal: ``\\n``, ``\\r``, ``\\t``, ``\\xNN``,
    ``\\uNNNN`` or ``\\UNNNNNNNN``. Printable text, other scripts included, is kept as it is.

    Example: ``printable("a\\nb.pdf: ingested")`` is ``"a\\\\nb.pdf: ingested"`` (one line). Raises nothing.
    Rich markup is a separate matter: pass the result through ``rich.markup.escape`` before ``console.print``.
    """
    if name.isprintable() and "\\" not in name:
        return name
    out = []
    for ch in name:
        if ch in _SHORT:
            out.append(_SHORT[ch])
        elif ch.isprintable():
            out.append(ch)
        else:
            n = ord(ch)
            out.append(f"\\x{n:02x}" if n <= 0xFF else f"\\u{n:04x}" if n <= 0xFFFF else f"\\U{n:08x}")
    return "".join(out)
