"""The plain page parsing and credit helpers the fast ones replaced, kept as references.

Each does the obvious thing (strip the hidden elements, walk every node, walk up from every
link, clean every line, search every line) and is what ``matcher.dom``, ``matcher.page`` and
``matcher.signals`` must agree with, character for character.
"""

from __future__ import annotations

import json
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin

from rapidfuzz.distance import Levenshtein
from selectolax.lexbor import LexborHTMLParser, LexborNode

from matcher.dom import BLOCK_TAGS, DROP_TAGS
from matcher.signals import _LEGAL, _LEGAL_MIN_WORDS, _REPEATED, Signal, _outside
from matcher.text import normalize_space

_REGION_TAGS = {"footer": "footer", "header": "header", "nav": "nav", "aside": "aside",
                "article": "article", "main": "article"}
_REGION_HINT = re.compile(r"footer|header|sidebar|(?<![a-z])nav|menu|related|comment", re.I)
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden|font-size\s*:\s*0", re.I)


def absolute(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base`` as a browser resolves it (the WHATWG URL Standard):
    tabs and newlines dropped, and in an http(s) or relative address every backslash before
    the query or fragment a slash."""
    if not href:
        return None
    href = re.sub(r"[\t\n\r]", "", href.strip())
    scheme = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", href)
    if scheme is None or scheme.group(1).lower() in ("http", "https"):
        path, query = re.match(r"([^?#]*)(.*)", href, re.S).groups()  # type: ignore[union-attr]
        href = path.replace("\\", "/") + query
    try:
        url = urljoin(base, href)
    except ValueError:
        return None
    return url if url.startswith(("http://", "https://")) else None


def region_and_hidden(node: LexborNode) -> tuple[str, bool]:
    region = ""
    hidden = False
    cur: LexborNode | None = node
    while cur is not None and cur.tag not in ("body", "html", "-document"):
        attrs = cur.attributes
        if "hidden" in attrs or attrs.get("aria-hidden") == "true":
            hidden = True
        style = attrs.get("style")
        if style and _HIDDEN_STYLE.search(style):
            hidden = True
        if not region:
            tag = cur.tag or ""
            if tag in _REGION_TAGS:
                region = _REGION_TAGS[tag]
            else:
                m = _REGION_HINT.search(f"{attrs.get('class') or ''} {attrs.get('id') or ''}")
                if m:
                    region = m.group().lower()
        cur = cur.parent
    return region or "body", hidden


def clean_lines(raw: str) -> tuple[str, Callable[[int], int]]:
    """Collapse white space line by line; the text and a map of raw → clean offsets."""
    out: list[str] = []
    starts: list[int] = []
    clean_starts: list[int] = []
    pos = 0
    raw_pos = 0
    for line in raw.split("\n"):
        clean = normalize_space(line)
        if clean:
            if out:
                pos += 1
            starts.append(raw_pos)
            clean_starts.append(pos)
            out.append(clean)
            pos += len(clean)
        raw_pos += len(line) + 1

    def mapping(offset: int) -> int:
        i = bisect_right(starts, offset) - 1
        if i < 0:
            return 0
        return min(clean_starts[i] + (offset - starts[i]), clean_starts[i] + len(out[i]))

    return "\n".join(out), mapping


def parse(html: str, url: str) -> dict[str, Any]:
    """What a page was made of: text, links (as tuples), title, lang and <head> signals."""
    tree = LexborHTMLParser(html)
    base_node = tree.css_first("base[href]")
    base = absolute(url, base_node.attributes.get("href")) if base_node is not None else None
    base = base or url
    title_node = tree.css_first("title")
    html_node = tree.css_first("html")
    canonical_node = tree.css_first('link[rel="canonical"]')

    def meta(prop: str) -> str | None:
        node = tree.css_first(f'meta[property="{prop}"]') or tree.css_first(
            f'meta[name="{prop}"]')
        value = node.attributes.get("content") if node is not None else None
        return value.strip() if value else None

    json_ld: list[dict[str, Any]] = []
    for node in tree.css('script[type="application/ld+json"]'):
        try:
            stack = [json.loads(node.text() or "null")]
        except ValueError:
            continue
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                json_ld.append(item)
                if isinstance(item.get("@graph"), list):
                    stack.extend(item["@graph"])
    canonical = (absolute(base, canonical_node.attributes.get("href"))
                 if canonical_node else None)
    og_url = absolute(base, meta("og:url"))
    og_site_name = meta("og:site_name")
    title = normalize_space(title_node.text()) if title_node is not None else ""
    tree.strip_tags(sorted(DROP_TAGS))
    parts: list[str] = []
    size = 0
    links: list[tuple[str, str, tuple[str, ...], str, bool, int]] = []
    root = tree.body
    for node in root.traverse(include_text=True) if root is not None else ():
        if node.is_text_node:
            prev = node.prev
            chunk = node.text_content or ""
            if prev is not None and prev.tag in BLOCK_TAGS:
                chunk = "\n" + chunk
        elif node.tag in BLOCK_TAGS:
            chunk = "\n"
        else:
            chunk = ""
            if node.tag == "a":
                href = absolute(base, node.attributes.get("href"))
                if href is not None:
                    rel = tuple((node.attributes.get("rel") or "").lower().split())
                    region, hidden = region_and_hidden(node)
                    links.append((href, normalize_space(node.text() or ""), rel, region,
                                  hidden, size))
        parts.append(chunk)
        size += len(chunk)
    text, mapping = clean_lines("".join(parts))
    return {
        "text": text,
        "links": [(*link[:5], mapping(link[5])) for link in links],
        "title": title,
        "lang": ((html_node.attributes.get("lang") or "") if html_node is not None
                 else "").lower(),
        "canonical": canonical,
        "og_url": og_url,
        "og_site_name": og_site_name,
        "json_ld": json_ld,
    }


def boilerplate(text: str) -> list[tuple[int, int]]:
    lines: list[tuple[int, int, str]] = []
    pos = 0
    for line in text.split("\n"):
        lines.append((pos, pos + len(line), line))
        pos += len(line) + 1
    counts = Counter(line.casefold() for _, _, line in lines)
    return [
        (s, e) for s, e, line in lines
        if counts[line.casefold()] >= _REPEATED
        or (_LEGAL.search(line) and len(line.split()) >= _LEGAL_MIN_WORDS)
    ]


def fuzzy_names(text: str, names: tuple[str, ...], copied: list[tuple[int, int]], reach: int,
                counts: Callable[[int], bool], near: Callable[[int], bool]) -> list[Signal]:
    found: list[Signal] = []
    targets = [t for t in (" ".join(name.casefold().split()) for name in names)
               if len(t.replace(" ", "")) >= 6]
    if not targets:
        return found
    edges: list[tuple[int, int]] = []
    for s, e in sorted(copied) or [(0, len(text))]:
        lo, hi = max(0, s - reach), e + reach
        if edges and lo <= edges[-1][1]:
            edges[-1] = (edges[-1][0], max(edges[-1][1], hi))
        else:
            edges.append((lo, hi))
    words = [(m.start() + lo, m.group()) for lo, hi in edges
             for m in re.finditer(r"\w+", text[lo:hi])]
    outside = _outside([pos for pos, _ in words], copied)
    for target in targets:
        n = len(target.split())
        for i in outside[: bisect_right(outside, len(words) - n)]:
            window = " ".join(w for _, w in words[i : i + n]).casefold()
            if abs(len(window) - len(target)) > 1 or window == target:
                continue
            if Levenshtein.distance(window, target, score_cutoff=1) > 1:
                continue
            start = words[i][0]
            if near(start) and counts(start):
                found.append(Signal("name", text[start : words[i + n - 1][0]
                                                 + len(words[i + n - 1][1])],
                                    "body", True, note="one typo"))
    return found
