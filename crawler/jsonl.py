"""Reading JSON Lines input files: one JSON object per line, errors naming file and line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .errors import UsageError

__all__ = ["read_objects"]


def read_objects(path: Path) -> list[tuple[str, dict[str, Any]]]:
    """``(where, object)`` for each non-blank line; ``where`` is "FILE, line N" for messages.

    Raises ``UsageError`` for an unreadable file, a line that is not JSON or not an object.
    """
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from exc
    out = []
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}, line {n}"
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise UsageError(f"{where}: not valid JSON ({exc.args[0]})",
                             hint="one JSON object per line") from exc
        if not isinstance(obj, dict):
            raise UsageError(f"{where}: expected a JSON object")
        out.append((where, obj))
    return out
