"""Which link addresses may name a host: a cheap filter run before links are resolved.

Credit evidence is a link to the publication's domains (directly, through a redirector, or
through a URL shortener), and a page has a hundred links of which a few at most are such.
``may_mention`` tells, from the address as written, whether it can be one: it contains one of
the host names ("needles") as a whole name (not inside a longer one: ``t.co`` is not in
``nypost.com``), ignoring case; or its query, percent-decoded twice as a redirector's target
is, contains one; or it holds characters that ``urlsplit`` removes (tab, CR, LF) or that
``lower()`` may map to others (non-ASCII). A host itself is never percent-decoded.

Resolving an address against a base joins the two at ``/``, ``?`` or ``#``, which no host name
holds, and keeps the query of one of them: an address that resolves to one naming a needle
names it as written, or its base does.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence
from functools import lru_cache
from itertools import accumulate
from urllib.parse import unquote, unquote_plus

__all__ = ["may_mention", "mentioning", "plain_needles"]

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789-")
_SEPARATOR = "\x00"  # never in an attribute value (the HTML tokenizer replaces NUL)
_CONTROLS = ("\t", "\r", "\n")  # urlsplit removes them: "daily-pla\tnet" is a host name


@lru_cache(maxsize=256)
def plain_needles(needles: tuple[str, ...]) -> tuple[str, ...] | None:
    """``needles`` in lower case, or None when one could straddle the parts of an address
    (it holds a separator, a character that decoding changes, or nothing)."""
    low = tuple(n.lower() for n in needles)
    if any(not n or not n.isascii() or re.search(r"[/?#:@;\[\]\\\s%]", n) for n in low):
        return None
    return low


def _bounded(low: str, needle: str) -> list[int]:
    """Where ``needle`` occurs in ``low`` as a whole name (no name character on either side)."""
    found = []
    at = low.find(needle)
    while at >= 0:
        end = at + len(needle)
        if ((at == 0 or low[at - 1] not in _NAME_CHARS)
                and (end == len(low) or low[end] not in _NAME_CHARS)):
            found.append(at)
        at = low.find(needle, at + 1)
    return found


@lru_cache(maxsize=256)
def _whole_names(plain: tuple[str, ...]) -> re.Pattern[str]:
    """``plain`` as whole names (for short strings; ``_bounded`` is faster on long ones)."""
    return re.compile(r"(?<![a-z0-9-])(?:" + "|".join(map(re.escape, plain))
                      + r")(?![a-z0-9-])")


def _odd(address: str) -> bool:
    return not address.isascii() or "\t" in address or "\r" in address or "\n" in address


def _encoded_query(address: str) -> str:
    """The query of ``address`` if it holds a percent sign, else "" (nothing to decode: the
    plain search saw it all)."""
    query = address.find("?")
    return address[query:] if query >= 0 and "%" in address[query:] else ""


def _names_decoded(query: str, plain: tuple[str, ...]) -> bool:
    """Whether ``query``, decoded as a redirector's target is (``parse_qsl``, then
    ``unquote``, then ``urlsplit``'s clean-up), names a needle. Queries joined by
    ``_SEPARATOR`` decode as each alone does (it is no hex digit and no ``+``), so one call
    tells whether any of them may."""
    if not query:
        return False
    decoded = unquote(unquote_plus(query))
    for c in _CONTROLS:
        decoded = decoded.replace(c, "")
    return _odd(decoded) or _whole_names(plain).search(decoded.lower()) is not None


def _in_decoded_query(address: str, plain: tuple[str, ...]) -> bool:
    """Whether the query of ``address``, decoded (``_names_decoded``), names a needle."""
    return _names_decoded(_encoded_query(address), plain)


def may_mention(address: str, needles: tuple[str, ...]) -> bool:
    """Whether ``address`` may name one of ``needles`` (see the module's docstring)."""
    plain = plain_needles(needles)
    if plain is None or _odd(address):
        return True
    low = address.lower()
    return any(_bounded(low, n) for n in plain) or _in_decoded_query(address, plain)


def mentioning(addresses: Sequence[str], needles: tuple[str, ...]) -> list[int]:
    """The indexes of ``addresses`` for which ``may_mention`` holds, in order: the needles are
    looked for once in all of them joined, not in each."""
    plain = plain_needles(needles)
    if plain is None:
        return list(range(len(addresses)))
    hits: set[int] = set()
    joined = _SEPARATOR.join(addresses)
    pieces = addresses
    if _odd(joined):
        hits.update(k for k, a in enumerate(addresses) if _odd(a))
        if not joined.isascii():  # lower() may change lengths: leave these out of the search
            pieces = [a if a.isascii() else "" for a in addresses]
            joined = _SEPARATOR.join(pieces)
    if "%" in joined:
        queries = [_encoded_query(a) if "%" in a else "" for a in pieces]
        # Most pages' encoded queries name none: decoded together first, one by one if one may.
        if _names_decoded(_SEPARATOR.join(q for q in queries if q), plain):
            hits.update(k for k, q in enumerate(queries) if _names_decoded(q, plain))
    starts = list(accumulate((len(a) + 1 for a in pieces[:-1]), initial=0))
    low = joined.lower()
    for needle in plain:
        hits.update(bisect_right(starts, at) - 1 for at in _bounded(low, needle))
    return sorted(hits)
