"""Reading input files given on the command line: lines of text, and JSON Lines (one object per
line); errors name the file and line.

JSON Lines are split on ``\\n`` only, as the format says (a JSON string may hold U+2028 or other
characters that ``str.splitlines`` would break a line at), and a line can be kept as read
(``read_records``) and decoded later where it is needed (``decode_object``): ``check --pages``
decodes its pages in the judging processes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from repostwatch.errors import UsageError

__all__ = ["decode_object", "read_lines", "read_objects", "read_records", "where_of"]


def read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file given on the command line (``UsageError`` if unreadable)."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc


def where_of(path: Path, line: int) -> str:
    """How messages name a line of an input file."""
    return f"{path}, line {line}"


def read_records(path: Path) -> list[tuple[int, bytes]]:
    """``(line number, line)`` for each non-blank line of a JSON Lines file, undecoded
    (``UsageError`` if the file cannot be read)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from exc
    return [(n, line) for n, line in enumerate(data.split(b"\n"), 1) if line.strip()]


def decode_object(where: str, line: bytes | str) -> dict[str, Any]:
    """The JSON object of one line. Raises ``UsageError`` naming ``where`` for a line that is
    not UTF-8 JSON (or nested deeper than the parser's recursion limit) or not an object, and
    for a value holding a NUL character (PostgreSQL refuses to store one: refused here, the
    same on every database)."""
    try:
        obj = json.loads(line)
    except UnicodeDecodeError as exc:
        raise UsageError(f"{where}: not UTF-8 ({exc.reason} at byte {exc.start})",
                         hint="save the file as UTF-8") from exc
    except ValueError as exc:
        raise UsageError(f"{where}: not valid JSON ({exc.args[0]})",
                         hint="one JSON object per line") from exc
    except RecursionError:
        raise UsageError(f"{where}: not valid JSON (nested too deeply)",
                         hint="one JSON object per line") from None
    if not isinstance(obj, dict):
        raise UsageError(f"{where}: expected a JSON object")
    for key, value in obj.items():
        if "\x00" in key or (isinstance(value, str) and "\x00" in value):
            raise UsageError(f"{where}: `{key.replace(chr(0), '?')}` contains a NUL "
                             "character (\\u0000)", hint="remove it from the file")
    return obj


def read_objects(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """``(where, object)`` for each non-blank line; ``where`` is "FILE, line N" for messages.
    Raises ``UsageError`` naming the first line ``decode_object`` refuses."""
    return [(where, decode_object(where, line))
            for where, line in ((where_of(path, n), line) for n, line in read_records(path))]
