"""Reading input files given on the command line: lines of text, and JSON Lines (one object per
line); errors name the file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from repostwatch.errors import UsageError

__all__ = ["read_lines", "read_objects"]


def read_lines(path: Path) -> list[str]:
    """The lines of a UTF-8 text file given on the command line (``UsageError`` if unreadable)."""
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc


def read_objects(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """``(where, object)`` for each non-blank line; ``where`` is "FILE, line N" for messages.

    Raises ``UsageError`` for an unreadable file, a line that is not JSON (or nested deeper
    than the parser's recursion limit) or not an object, and a value holding a NUL character
    (PostgreSQL refuses to store one: refused here, the same on every database).
    """
    out = []
    for n, line in enumerate(read_lines(path), 1):
        if not line.strip():
            continue
        where = f"{path}, line {n}"
        try:
            obj = json.loads(line)
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
        out.append((where, obj))
    return out
