"""Text made safe to print for people: crawled titles, page text, server answers and URLs may
hold control characters (ESC and CSI start terminal escapes: clearing the screen, retitling
the window, faking output), so everything printed for humans goes through ``printable``.

Machines get JSON instead, where the CLI's ``json_line`` escapes the same characters. Nothing
here touches what is stored or written to report files: the data itself is kept.
"""

from __future__ import annotations

import re

__all__ = ["one_line", "printable"]

# C0 controls but tab, newline and a CR ending a line (CSV's CRLF), DEL, and C1 controls
# (0x9b is a one-byte CSI); a lone CR would let text overwrite the line before it
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]|\r(?!\n)")
_CONTROL_OR_BREAK = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def printable(text: str) -> str:
    """``text`` with every control character replaced by U+FFFD, but tab, newline and CRLF."""
    return _CONTROL.sub("\ufffd", text)


def one_line(text: str) -> str:
    """``text`` as one field of one line: tabs, line breaks and every other control
    character replaced by U+FFFD (so tab-separated output keeps its columns)."""
    return _CONTROL_OR_BREAK.sub("\ufffd", text)
