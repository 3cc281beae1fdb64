"""Labelled syndication cases, generated at run time from the dev corpus (never stored).

Real texts and real page templates, rearranged the way wire stories travel:

- **syndicated originals**: a real original's text signed the way a wire signs its copy
  (dateline, byline, copyright, closing credits, sign-off; ``STYLES``), published by the
  original's publisher. Four copies of each, placed in other real sites' templates: one keeps
  every mark (a dateline names the wire: ``marks-kept``), one credits the wire (a source line,
  a tag, a link, a copyright line or a byline: ``credit-wire``), one credits the publisher
  (``credit-publisher``), one drops the marks and credits nobody (``credit-none``).
- **own stories mentioning a wire**: a real original with a sentence that mentions a wire,
  at its start, in its middle or at its end, or a contribution line ("The Associated Press
  contributed to this report"; ``MENTIONS``). Two copies: uncredited (``own-uncredited``) and
  one that names the wire as its source (``own-credit-wire``: misattributed).
- **the wire as publisher**: a real text signed with a wire's dateline and published by that
  wire itself. Copies keeping the dateline are credited (it names the publication:
  ``wire-own-dateline``); copies without it are not (``wire-own-uncredited``).

Templates are the corpus's ``synthetic_full_no_credit`` pages: their inserted article's
paragraphs are replaced by the new copy's (``place``). Everything is deterministic (seeded).
"""

from __future__ import annotations

import hashlib
import html
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from matcher import WIRES, CreditRule, Original, Page, find_wire, host_of

SEED = 14
MIN_WORDS = 150  # shorter corpus originals make poor wire stories (and poor distractors)
_BODY_MARK = "RWBODY9f2c7e"  # stands where a template's inserted article was


@dataclass(frozen=True)
class Style:
    """How a wire signs a story, modelled on real wire copies. ``dateline`` prefixes the first
    paragraph; ``head`` / ``tail`` are lines before / after the body; ``signoff`` ends the last
    paragraph. ``{city}``, ``{a}`` and ``{b}`` are filled in."""

    wire: str
    lang: str
    dateline: str = ""
    head: tuple[str, ...] = ()
    tail: tuple[str, ...] = ()
    signoff: str = ""

    def names_the_wire(self, *, dateline_only: bool = False) -> bool:
        """Whether a mark a copy keeps (or its dateline) carries the wire's name or tag
        (written out here, independent of the matcher's grammar)."""
        marks = self.dateline if dateline_only else " ".join(
            (self.dateline, *self.head, *self.tail, self.signoff))
        return names_wire(marks, self.wire)


def names_wire(text: str, wire_name: str) -> bool:
    """Whether ``text`` holds one of the wire's names (any case) or tags (as written)."""
    wire = find_wire(wire_name, WIRES)
    lowered = text.casefold()
    return any(n.casefold() in lowered for n in wire.names) or any(
        re.search(rf"(?<!\w){re.escape(t)}(?!\w)", text) for t in wire.tags)


STYLES: tuple[Style, ...] = (
    Style("Associated Press", "en", "{city} (AP) — "),
    Style("Associated Press", "en", "{city} (AP) — ",
          tail=("Associated Press writer {a} contributed to this report.",)),
    Style("Associated Press", "en", head=("By {a}, Associated Press",)),
    Style("Associated Press", "en", tail=("Copyright 2026 The Associated Press. All rights "
                                          "reserved. This material may not be published, "
                                          "broadcast, rewritten or redistributed.",)),
    Style("Reuters", "en", "{city} (Reuters) - ", tail=("(Reporting by {a}; Editing by {b})",)),
    Style("Reuters", "en", "{city}, Dec 5 (Reuters) - "),
    Style("Reuters", "en", tail=("Reporting by {a} in {city}; Editing by {b}",)),
    Style("AFP", "en", "{city} (AFP) - ", tail=("© 2026 AFP",)),
    Style("AFP", "en", "{city} (AFP) - "),
    Style("dpa", "en", "{city} (dpa) - ", signoff="dpa"),
    Style("dpa", "en", "{city} (dpa/lby) - "),
    Style("Bloomberg", "en", "(Bloomberg) -- ", tail=("--With assistance from {a}.",)),
    Style("Xinhua", "en", "{city}, Dec. 5 (Xinhua) -- "),
    Style("UPI", "en", "{city}, Dec. 5 (UPI) -- "),
    Style("PA Media", "en", head=("By PA Reporter",)),
    Style("Kyodo", "en", "{city}, Dec. 5 (Kyodo) -- "),
    Style("Yonhap", "en", "{city}, Dec. 5 (Yonhap) -- "),
    Style("EFE", "en", "{city}, Dec 5 (EFE).- "),
    Style("ANSA", "en", "(ANSA) - {city}, DEC 5 - "),
    Style("PTI", "en", "{city}: ", signoff="PTI"),
    Style("The Canadian Press", "en", "{city} — ",
          tail=("This report by The Canadian Press was first published Dec. 5, 2026.",)),
    Style("AFP", "en", tail=("— with AFP",)),
    Style("Reuters", "en", "{city} (Reuters) - ", tail=("© Reuters",)),
    Style("Associated Press", "en", "{city} (AP) — ", head=("By The Associated Press",)),
    Style("TASS", "ru", "МОСКВА, 5 декабря. /ТАСС/. "),
    Style("RIA Novosti", "ru", "МОСКВА, 5 дек — РИА Новости. "),
    Style("Interfax", "ru", "Москва. 5 декабря. INTERFAX.RU - "),
    Style("TASS", "ru", tail=("Источник: ТАСС",)),
)
CITIES = ("WASHINGTON", "LONDON", "NEW YORK", "LOS ANGELES", "BRUSSELS", "GENEVA", "TOKYO",
          "NAIROBI", "SYDNEY", "CHICAGO", "BERLIN", "PARIS", "SEOUL", "NEW DELHI", "MADRID")
PEOPLE = ("Mara Lindqvist", "Tomas Okafor", "Ines Castellano", "Piotr Zielinski",
          "Hana Sato", "Devon Achebe", "Lucia Ferreira", "Jonah Whitcombe")

# (language, where, text): a wire mentioned, never signing. "start" prefixes the first
# paragraph, "middle" / "end" append to that paragraph, "line" adds a closing line.
MENTIONS: tuple[tuple[str, str, str], ...] = (
    ("en", "start", "Reuters reported on Monday that officials were still reviewing it. "),
    ("en", "start", "According to The Associated Press, the details were confirmed Tuesday. "),
    ("en", "start", "AFP reports that the talks went on late into the night. "),
    ("en", "start", "WASHINGTON — The Associated Press reported the news on Monday. "),
    ("en", "start", "LONDON, Dec. 5 — Reuters reported that the deal was close. "),
    ("en", "start", "In an interview with Bloomberg News, the chief executive said little. "),
    ("en", "middle", " A spokesperson told Reuters the company would appeal."),
    ("en", "middle", " The figures were first reported by Bloomberg."),
    ("en", "middle", " Xinhua, the state news agency, carried the statement in full."),
    ("en", "end", " Xinhua News Agency said the investigation was continuing."),
    ("en", "end", " The company declined to comment to AFP."),
    ("en", "end", " dpa reported the figure first."),
    ("en", "line", "The Associated Press contributed to this report."),
    ("en", "line", "Additional reporting by Reuters."),
    ("en", "line", "With files from The Canadian Press"),
    ("en", "line", "Information from Reuters was used in this report."),
    ("ru", "start", "Как сообщает РИА Новости, решение было принято в понедельник. "),
    ("ru", "end", " Об этом сообщил ТАСС."),
)


@dataclass(frozen=True, eq=False)
class Template:
    """A real page of another site, with the article the corpus inserted into it."""

    url: str
    html: str
    inserted: str  # the inserted original's url
    title: str
    paragraphs: frozenset[str]

    @cached_property
    def text(self) -> str:
        """The page's visible text without the inserted article."""
        return "\n".join(line for line in Page(self.url, self.html).text.split("\n")
                         if _norm(line) not in self.paragraphs)


@dataclass(frozen=True)
class CopyCase:
    """A page copying ``original`` and what judging it must give (under the default rule)."""

    case_id: str
    family: str
    group: str
    original: Original
    url: str
    html: str
    status: str
    syndicated: bool
    wire: str | None = None  # a credited reason must name this wire


@dataclass(frozen=True)
class SourceCase:
    """An original and the source ``detect_source`` must find (None: its own)."""

    label: str
    original: Original
    rule: CreditRule
    source: str | None


@dataclass
class WireSet:
    """All generated cases; ``groups`` maps a group to its originals and rules (one index each;
    the corpus originals a group did not rewrite go into its index too, as distractors)."""

    copies: list[CopyCase] = field(default_factory=list)
    sources: list[SourceCase] = field(default_factory=list)
    groups: dict[str, list[Original]] = field(default_factory=dict)
    rules: dict[str, CreditRule] = field(default_factory=dict)
    used: dict[str, set[str]] = field(default_factory=dict)  # group → corpus urls it rewrote


def _norm(text: str) -> str:
    return " ".join(text.split())


def templates(cases: Sequence[dict[str, Any]]) -> list[Template]:
    """The corpus's no-credit copies as templates (sorted by url)."""
    out = []
    for case in cases:
        if case["kind"] != "synthetic_full_no_credit":
            continue
        o, cand = case["original"], case["candidate"]
        paras = frozenset(_norm(p) for p in o["text"].split("\n") if p.strip())
        out.append(Template(cand["url"], cand["html"], o["url"], o.get("title") or "", paras))
    return sorted(out, key=lambda t: t.url)


def place(template: Template, body_html: str, title: str, url: str) -> tuple[str, str]:
    """The template with its inserted article replaced by ``body_html``; (url, html)."""
    tree = LexborHTMLParser(template.html)
    nodes = [n for n in tree.css("p") if _norm(n.text()) in template.paragraphs]
    if not nodes:
        raise ValueError(f"no inserted article found in {template.url}")
    nodes[0].replace_with(_BODY_MARK)
    for node in nodes[1:]:
        node.decompose()
    page = tree.html or ""
    if template.title:
        for old in {template.title, html.escape(template.title), html.escape(template.title,
                                                                             quote=False)}:
            page = page.replace(old, html.escape(title, quote=False))
    slug = re.sub(r"\W+", "-", title.lower()).strip("-")[:50] or "story"
    digest = hashlib.sha1(url.encode()).hexdigest()[:6]
    return f"https://{host_of(template.url)}/{slug}-{digest}", page.replace(_BODY_MARK,
                                                                             body_html)


def paragraphs_html(lines: Sequence[str]) -> str:
    return "".join(f"<p>{html.escape(line, quote=False)}</p>" for line in lines)


def is_russian(text: str) -> bool:
    letters = [c for c in text[:2000] if c.isalpha()]
    return sum("а" <= c.lower() <= "я" for c in letters) > len(letters) / 2


@dataclass(frozen=True)
class Signed:
    """A text signed in a style: every line, and the body alone (marks dropped)."""

    lines: tuple[str, ...]
    body: tuple[str, ...]


def sign(paragraphs: Sequence[str], style: Style, rng: random.Random) -> Signed:
    """``paragraphs`` signed the way ``style``'s wire signs a story."""
    a, b = rng.sample(PEOPLE, 2)
    fill = {"city": rng.choice(CITIES), "a": a, "b": b}
    body = list(paragraphs)
    lines = list(body)
    if style.dateline:
        lines[0] = style.dateline.format(**fill) + lines[0]
    if style.signoff:
        lines[-1] = lines[-1].rstrip() + " " + style.signoff
    head = [h.format(**fill) for h in style.head]
    tail = [t.format(**fill) for t in style.tail]
    return Signed((*head, *lines, *tail), tuple(body))


def mention(paragraphs: Sequence[str], item: tuple[str, str, str]) -> list[str]:
    """``paragraphs`` with a wire mentioned as ``item`` says (see ``MENTIONS``)."""
    _, where, text = item
    out = list(paragraphs)
    if where == "start":
        out[0] = text + out[0]
    elif where == "middle":
        out[len(out) // 2] = out[len(out) // 2].rstrip() + text
    elif where == "end":
        out[-1] = out[-1].rstrip() + text
    else:
        out.append(text)
    return out


# The corpus's originals that wires signed, with the mark that names the wire (labelled by
# hand for this gate); every other original of the corpus is its publisher's own.
REAL_MARKS = {
    "https://www.mysanantonio.com/sports/article/LeBron-sets-triple-double-mark-Lakers-hold-off"
    "-14848253.php": ("Associated Press", "LOS ANGELES (AP) —"),
    "https://venturebeat.com/2019/11/18/new-york-state-attorney-general-investigating-wework-"
    "and-former-ceo/": ("Reuters", "(Reuters) —"),
    "https://www.indiapost.com/with-shattered-dreams-deportees-return-home-from-us/": (
        "PTI", "into the US. PTI"),
}
REAL_SOURCES = {url: wire for url, (wire, _) in REAL_MARKS.items()}


def keeps_real_mark(original_url: str, page_text: str) -> bool:
    """Whether a page copying one of the corpus's wire stories kept the mark naming the wire
    (a plain text search, independent of the matcher)."""
    mark = REAL_MARKS.get(original_url)
    return mark is not None and mark[1] in " ".join(page_text.split())


def corpus_originals(cases: Sequence[dict[str, Any]]) -> list[tuple[Original, CreditRule]]:
    """Every original of the corpus with its publication's rule, ids from 1 (sorted by url)."""
    seen: dict[str, dict[str, Any]] = {}
    for case in cases:
        if (o := case.get("original")) and o["url"] not in seen:
            seen[o["url"]] = o
    out = []
    for i, (url, o) in enumerate(sorted(seen.items()), start=1):
        rule = CreditRule(o["publisher"], domains=(host_of(url),))
        out.append((Original(i, o["publisher"], url, o.get("title") or "", o["text"]), rule))
    return out


def _credit_wire_html(wire_name: str, lang: str, n: int) -> tuple[str, str]:
    """(before, after) the body: the n-th way a licensee credits the wire."""
    wire = find_wire(wire_name, WIRES)
    cyrillic = next((a for a in wire.aliases if is_russian(a)), None)
    name = cyrillic if lang == "ru" and cyrillic else wire.name
    tag = wire.tags[0] if wire.tags else name
    source = "Источник" if lang == "ru" else "Source"
    forms = (
        ("", f"<p>{source}: {html.escape(name)}</p>"),
        ("", f"<p>({html.escape(tag)})</p>"),
        ("", f'<p><a href="https://{wire.domains[0]}/">{html.escape(name)}</a></p>'),
        ("", f"<p>© 2026 {html.escape(name)}</p>"),
        (f"<p>By {html.escape(name)}</p>", ""),
    )
    return forms[n % len(forms)]


def _credit_publisher_html(original: Original, n: int) -> str:
    pub, url = html.escape(original.publication), html.escape(original.url)
    forms = (
        f'<p>Source: <a href="{url}">{pub}</a></p>',
        f"<p>This article originally appeared on {pub}.</p>",
        f'<p>Read the full story at <a href="{url}">{html.escape(host_of(original.url))}</a>.'
        "</p>",
    )
    return forms[n % len(forms)]


class _Builder:
    def __init__(self, cases: Sequence[dict[str, Any]], seed: int) -> None:
        self.rng = random.Random(seed)
        self.corpus = corpus_originals(cases)
        self.templates = templates(cases)
        usable = [(o, r) for o, r in self.corpus
                  if len(o.text.split()) >= MIN_WORDS and o.url not in REAL_SOURCES]
        self.texts = usable
        self.out = WireSet()
        self.next_id = 10_000
        self.n = 0

    def _template(self, original_url: str, wire: str | None) -> Template:
        """The next template not holding this original's text, not of its publisher's site
        and not naming ``wire`` in its own text (a photo credit "(Jane Doe / Associated
        Press)" credits the wire next to any copy placed there: not a copy crediting none)."""
        for _ in range(2 * len(self.templates)):
            t = self.templates[self.n % len(self.templates)]
            self.n += 1
            if (t.inserted != original_url and host_of(t.url) != host_of(original_url)
                    and (wire is None or not names_wire(t.text, wire))):
                return t
        raise ValueError(f"no template fits {original_url}")

    def _copy(self, family: str, group: str, original: Original, body: str, status: str,
              syndicated: bool, wire: str | None = None, *, about: str | None = None) -> None:
        t = self._template(original.url, about)
        url, page = place(t, body, original.title, original.url + family)
        self.out.copies.append(CopyCase(f"{group}:{original.id}:{family}", family, group,
                                        original, url, page, status, syndicated, wire))

    def _original(self, base: Original, text: str, *, publication: str | None = None,
                  url: str | None = None) -> Original:
        self.next_id += 1
        return Original(self.next_id, publication or base.publication, url or base.url,
                        base.title, text)

    def _pick(self, langs: Sequence[str], used: set[str], *,
              sentence_end: bool = False) -> tuple[Original, CreditRule]:
        """A text in the first language of ``langs`` that has one left, not yet in ``used``
        (with ``sentence_end``: whose last paragraph ends a sentence, for a sign-off)."""
        for lang in langs:
            left = [(o, r) for o, r in self.texts
                    if o.url not in used and is_russian(o.text) == (lang == "ru")
                    and (not sentence_end or _ends_sentence(o.text))]
            if left:
                choice = self.rng.choice(left)
                used.add(choice[0].url)
                return choice
        raise ValueError("not enough corpus texts for the syndication cases")

    def syndicated(self) -> None:
        used: set[str] = set()
        group: list[Original] = []
        for n, style in enumerate(STYLES):
            base, rule = self._pick((style.lang, "en"), used, sentence_end=bool(style.signoff))
            paras = [p for p in base.text.split("\n") if p.strip()]
            signed = sign(paras, style, self.rng)
            original = self._original(base, "\n".join(signed.lines))
            group.append(original)
            self.out.rules[original.publication] = rule
            self.out.sources.append(SourceCase(f"syndicated:{style.wire}:{n}", original, rule,
                                               style.wire))
            kept = style.names_the_wire()
            w = style.wire
            self._copy("marks-kept", "syndicated", original, paragraphs_html(signed.lines),
                       "credited" if kept else "uncredited", True, w if kept else None, about=w)
            before, after = _credit_wire_html(w, style.lang, n)
            self._copy("credit-wire", "syndicated", original,
                       before + paragraphs_html(signed.body) + after, "credited", True, w,
                       about=w)
            self._copy("credit-publisher", "syndicated", original,
                       paragraphs_html(signed.body) + _credit_publisher_html(original, n),
                       "credited", True, about=w)
            self._copy("credit-none", "syndicated", original, paragraphs_html(signed.body),
                       "uncredited", True, about=w)
        self.out.groups["syndicated"] = group
        self.out.used["syndicated"] = used

    def own(self, count: int) -> None:
        used: set[str] = set()
        group: list[Original] = []
        for n in range(count):
            item = MENTIONS[n % len(MENTIONS)]
            base, rule = self._pick((item[0], "en"), used)
            paras = mention([p for p in base.text.split("\n") if p.strip()], item)
            original = self._original(base, "\n".join(paras))
            group.append(original)
            self.out.rules[original.publication] = rule
            self.out.sources.append(SourceCase(f"own:{item[1]}:{n}", original, rule, None))
            wire = _mentioned(item[2])
            self._copy("own-uncredited", "own", original, paragraphs_html(paras),
                       "uncredited", False, about=wire)
            self._copy("own-credit-wire", "own", original,
                       paragraphs_html(paras) + f"<p>Source: {html.escape(wire)}</p>",
                       "misattributed", False, about=wire)
        self.out.groups["own"] = group
        self.out.used["own"] = used

    def wire_publisher(self) -> None:
        used: set[str] = set()
        group: list[Original] = []
        styles = [s for s in STYLES if s.names_the_wire(dateline_only=True)]
        for n, style in enumerate(styles):
            base, _ = self._pick((style.lang, "en"), used)
            wire = find_wire(style.wire, WIRES)
            paras = [p for p in base.text.split("\n") if p.strip()]
            signed = sign(paras, Style(style.wire, style.lang, style.dateline), self.rng)
            slug = hashlib.sha1(base.url.encode()).hexdigest()[:10]
            original = self._original(base, "\n".join(signed.lines), publication=wire.name,
                                      url=f"https://www.{wire.domains[0]}/article/{slug}")
            rule = CreditRule(wire.name, aliases=(*wire.aliases, *wire.tags),
                              domains=wire.domains)
            group.append(original)
            self.out.rules[original.publication] = rule
            self.out.sources.append(SourceCase(f"wire-own:{wire.name}:{n}", original, rule,
                                               None))
            self._copy("wire-own-dateline", "wire-own", original,
                       paragraphs_html(signed.lines), "credited", False, about=wire.name)
            self._copy("wire-own-uncredited", "wire-own", original,
                       paragraphs_html(signed.body), "uncredited", False, about=wire.name)
        self.out.groups["wire-own"] = group
        self.out.used["wire-own"] = used

    def real(self, cases: Sequence[dict[str, Any]]) -> None:
        from matcher import extract_article

        for original, rule in self.corpus:
            self.out.sources.append(SourceCase(f"corpus:{original.url}", original, rule,
                                               REAL_SOURCES.get(original.url)))
        for case in cases:
            if case["kind"] != "real_wire_dateline_copy":
                continue
            cand = case["candidate"]
            article = extract_article(cand["html"], cand["url"])
            host = host_of(cand["url"])
            original = Original(0, host, cand["url"], article.title, article.text,
                                author=article.author)
            self.out.sources.append(SourceCase(f"wire-page:{cand['url']}", original,
                                               CreditRule(host, domains=(host,)),
                                               case["labels"]["credit_target"]["name"]))


def _ends_sentence(text: str) -> bool:
    return text.rstrip()[-1:] in ".!?\"”’"


def _mentioned(text: str) -> str:
    """The wire a mention names (the first of the built-in wires that it spells)."""
    for wire in WIRES:
        for name in sorted((*wire.names, *wire.tags), key=len, reverse=True):
            if re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text):
                return name
    raise ValueError(f"no wire in {text!r}")


def build(cases: Sequence[dict[str, Any]], *, seed: int = SEED,
          own_count: int = 24) -> WireSet:
    """Every syndication case, from the corpus ``cases`` (deterministic for one ``seed``)."""
    b = _Builder(cases, seed)
    b.syndicated()
    b.own(own_count)
    b.wire_publisher()
    b.real(cases)
    return b.out
