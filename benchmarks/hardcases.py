"""Hard cases for the accuracy gate, built at run time from the dev corpus's real pages.

Four classes the dev corpus lacks (issue 14), built deterministically (string seeds) on real
templates and real texts, never committed. Each kind, what its pages are, what is expected:

- ``hard_list_full_copy``: a list-like article (``listtexts.py``: recipes, meal plans, menus,
  listings, tables, timetables…) of a corpus publisher, in the article slot of another real
  site's page; every third with a "Source:" link. Expected: ``repost`` ``full`` of it,
  credited or not as built.
- ``hard_list_block_lifted``: a block of such an article's lines (45+ words, in an order no
  other list article has) inside another real site's own real article. Expected: a copy of it
  (``excerpt`` or ``repost``) that lacks credit.
- ``hard_same_event_shared_quotes``: a real corpus article with a long real statement inserted
  and attributed (quotation marks of every common style, an introduced block, "according to"),
  and a real page of another outlet carrying the same statement, attributed in its own words.
  Expected: no copy.
- ``hard_quotes_and_prose_copy``: such an article, quotes *and* prose, copied whole or its first
  half into another real site's page. Expected: ``repost`` (``full`` when whole), its coverage
  at least 0.9 of the coverage counting quotations.
- ``hard_copy_predates_original``: a corpus copy page whose date markup (JSON-LD, meta,
  itemprop, ``<time>``, RFC 2822) says it appeared more than a day before the original.
  Expected: a copy marked ``earlier``, not lacking credit, with both dates.
- ``hard_copy_after_original``: the same kind of pages dated after the original, or less than
  a day before it. Expected: not ``earlier``; lacking credit exactly when its status does.

Statements come from real text: the long quotations of one corpus original, or long paragraphs
of a real page that is not an original (and that no original holds). The index holds every
corpus original (with an invented publication date) except those whose text was reused for a
hard original, plus the hard originals: each page is judged against all of them.
"""

from __future__ import annotations

import html
import random
import re
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from benchmarks.hardpages import (
    DATE_METHODS,
    Host,
    Template,
    hosts,
    render_lines,
    set_published,
    templates,
)
from benchmarks.listtexts import list_article
from matcher import (
    CREDIT_MET,
    Assessment,
    CreditRule,
    FingerprintIndex,
    Original,
    Page,
    align,
    assess,
    host_of,
    tokenize,
)

__all__ = ["KINDS", "HardCase", "HardRun", "build", "evaluate", "figures", "table"]

LIST_FULL = "hard_list_full_copy"
LIST_BLOCK = "hard_list_block_lifted"
SHARED_QUOTES = "hard_same_event_shared_quotes"
QUOTES_AND_PROSE = "hard_quotes_and_prose_copy"
EARLIER = "hard_copy_predates_original"
LATER = "hard_copy_after_original"
KINDS = (LIST_FULL, LIST_BLOCK, SHARED_QUOTES, QUOTES_AND_PROSE, EARLIER, LATER)
PER_KIND = 24
SEED = "hardcases-1"

_FULL_KINDS = ("synthetic_full_no_credit", "synthetic_partial_no_credit")
_HOST_KINDS = ("real_same_site_different_article", "real_extraction_only")
_DATED_KINDS = ("synthetic_full_no_credit", "synthetic_full_credit_link",
                "synthetic_full_credit_name_only", "synthetic_full_canonical_only",
                "synthetic_full_wrong_credit", "synthetic_partial_no_credit",
                "synthetic_paragraphs_lifted_into_other_article",
                "synthetic_excerpt_with_readmore_link")
_BLOCK_MIN_WORDS = 45
_STYLES = (("“", "”"), ('"', '"'), ("«", "»"), ("„", "“"), ("‘", "’"), ("「", "」"),
           ("»", "«"), ("‚", "‘"), "block", "according")
_ORGS = ("the Ministry of Health", "the regional police", "the company", "the city council",
         "the federal agency", "the club", "the hospital trust", "the prosecutor's office")
_EPOCH = datetime(2024, 1, 8, 6, 0, tzinfo=UTC)  # the corpus originals' (invented) dates
_HARD_IDS = 10_000  # ids of the hard originals start here (list ones; 20,000: quoting ones)


@dataclass(frozen=True)
class HardCase:
    """One labelled page: what it is, how it was made, and what the judge should say."""

    kind: str
    page: Page
    expected: Original | None  # the original it copies (None: it copies none)
    how: str  # how it was built, for a reader of the table
    credited: bool = False
    full: bool = False
    published: datetime | None = None  # the date the page declares, when set


@dataclass
class HardRun:
    cases: list[HardCase]
    results: list[Assessment] = field(default_factory=list)
    seconds: float = 0.0

    def pairs(self) -> Iterator[tuple[HardCase, Assessment]]:
        return zip(self.cases, self.results, strict=True)


@dataclass
class _Corpus:
    originals: list[Original]  # every corpus original, dated
    templates: list[Template]  # full / partial copy pages: their slot holds an article
    dated: list[tuple[Template, Original, str]]  # copy pages of every kind, their original
    hosts: list[Host]
    used: set[int] = field(default_factory=set)  # corpus originals whose text was reused


def _rng(*parts: object) -> random.Random:
    return random.Random(":".join(map(str, (SEED, *parts))))


def _corpus(cases: list[dict[str, Any]]) -> _Corpus:
    originals: dict[str, Original] = {}
    for case in cases:
        o = case.get("original")
        if o and o["url"] not in originals:
            n = len(originals) + 1
            when = _EPOCH + timedelta(days=5 * n, minutes=_rng("date", n).randrange(0, 1440))
            originals[o["url"]] = Original(n, o["publisher"], o["url"], o.get("title") or "",
                                           o["text"], published=when)
    dated = [(t, originals[t.original_url], t.kind) for t in templates(cases, _DATED_KINDS)]
    return _Corpus(list(originals.values()), templates(cases, _FULL_KINDS), dated,
                   hosts(cases, _HOST_KINDS))


def _mentions(page_html: str, original: Original) -> bool:
    """Whether a page names the publication or its site anywhere, spaces and dots aside (then
    it is no clean test of an uncredited copy)."""
    squeeze = re.compile(r"[\W_]+")
    low = squeeze.sub("", page_html.lower())
    return (squeeze.sub("", original.publication.lower()) in low
            or squeeze.sub("", host_of(original.url)) in low)


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


# -- list-like originals --------------------------------------------------------------


def _list_cases(c: _Corpus) -> Iterator[HardCase]:
    publishers = [o for o in c.originals if len(o.publication) > 3]
    articles = [list_article(i, seed=SEED) for i in range(PER_KIND)]
    for i, (kind, title, lines) in enumerate(articles):
        rng = _rng("list", i)
        base = publishers[i % len(publishers)]
        host = host_of(base.url)
        original = Original(_HARD_IDS + i, base.publication, f"https://{host}/lists/{i}-{kind}",
                            title, "\n".join(lines))
        style = "table" if kind in ("league table", "tv guide") and i % 2 else \
            rng.choice(("p", "p", "ul"))
        # The whole article in the slot of another site's page.
        template = next(t for t in rng.sample(c.templates, len(c.templates))
                        if t.host != host and not _mentions(t.html, original))
        credited = i % 3 == 0
        body = f"<h2>{_escape(title)}</h2>" + render_lines(lines, style)
        if credited:
            body += (f'<p>Source: <a href="{original.url}">{_escape(original.publication)}'
                     "</a></p>")
        yield HardCase(LIST_FULL, Page(template.url, template.fill(body, title=title)),
                       original, f"{kind} as {style} in {template.host}", credited=credited,
                       full=True)
        # A block of its lines inside another site's own article, which no other list article
        # holds most of (a run of stock lines two articles share would be either's).
        starts = list(range(1, len(lines) // 2 + 1))
        rng.shuffle(starts)
        block = next((b for size in (1, 2, 3) for first in starts
                      if _alone(b := _block(lines, first, size * _BLOCK_MIN_WORDS), lines,
                                articles)), None)
        if block is None:
            raise ValueError(f"no block of list article {i} is its own alone")
        page_host = next(h for h in rng.sample(c.hosts, len(c.hosts))
                         if h.host != host and not _mentions(h.html, original))
        at = rng.randrange(1, len(page_host.cuts) - 1)
        words = sum(len(x.split()) for x in block)
        yield HardCase(LIST_BLOCK, Page(page_host.url, page_host.insert(
            {at: render_lines(block, rng.choice(("p", "ul")))})), original,
            f"{kind}: {len(block)} lines ({words} words) in {page_host.host}")


def _block(lines: list[str], first: int, words: int) -> list[str]:
    """Lines from ``first`` on, until they hold ``words`` words."""
    block: list[str] = []
    while first + len(block) < len(lines) and sum(len(x.split()) for x in block) < words:
        block.append(lines[first + len(block)])
    return block


def _alone(block: list[str], lines: list[str],
           articles: list[tuple[str, str, list[str]]]) -> bool:
    """Whether no other list article holds half of ``block`` in a row."""
    shown = tokenize("\n".join(block))
    return all(align(tokenize("\n".join(other)), shown).longest_words * 2 <= len(shown)
               for _, _, other in articles if other is not lines)


# -- shared statements ----------------------------------------------------------------

_SENTENCE = re.compile(r"(?<=[.!?…])[\"”»’]*\s+")  # "according to" covers one sentence
_QUOTE = re.compile(r'[“"]([^”"\n]{150,}?)[”"]')


def _statements(c: _Corpus) -> list[tuple[list[str], str]]:
    """Real statements: (paragraphs, where from). The long quotations of one corpus original,
    or three long paragraphs of a real page that is not an original, alternately."""
    quoted: list[tuple[list[str], str]] = []
    for o in c.originals:
        found = [m.group(1).strip(" ,") for m in _QUOTE.finditer(o.text)]
        found = [q for q in found if len(q.split()) >= 25]
        for k in range(0, len(found) - 1, 3):
            quoted.append((found[k : k + 3], f"quotes of {host_of(o.url)}"))
    # Paragraphs that no original holds (a site's recurring blurb would make the page a real
    # copy of that site's original).
    index = FingerprintIndex()
    for o in c.originals:
        index.add(o)
    prose = []
    for h in c.hosts:
        fresh = [p for p in h.paragraphs[1:] if not index.candidates(tokenize(p), min_shared=1)]
        if len(fresh) >= 2:
            prose.append((fresh[:3], f"paragraphs of {h.host}"))
    mixed = [s for pair in zip(quoted, prose, strict=False) for s in pair]
    return mixed + quoted[len(prose):] + prose[len(quoted):]


# How a report attributes a statement: the original's wording, and other outlets' (independent
# reports word their attributions their own way).
_VOICES = (
    {"intro": ("{Org} said in a statement:", "The statement reads in full:",
               "In a statement released on Monday, {org} wrote:"),
     "open": "{Org} said in a statement: {q}",
     "quote": ("{q}, {org} said.", "{Org} added: {q}", "{q} the statement continued.")},
    {"intro": ("Here is what {org} said:", "{Org} put out the following statement:",
               "{Org} wrote on its website:"),
     "open": "In its statement, {org} wrote: {q}",
     "quote": ("{q} read the statement from {org}.", "{Org} went on: {q}",
               "It went on: {q}")},
)


_INNER = {'"': ("'", "'"), "“": ("‘", "’"), "„": ("‚", "‘"), "«": ("„", "“"), "»": ("›", "‹"),
          "‘": ("“", "”"), "‚": ("„", "“"), "「": ("『", "』")}
"""The marks of a quotation inside a quotation, by the outer opening mark."""


def _nested(text: str, marks: tuple[str, str]) -> str:
    """``text`` with its double quotation marks turned into ``marks``, as a writer quoting it
    inside another quotation does."""
    out, inside = [], False
    for char in text:
        if char in "“„«\"" and not inside:
            out.append(marks[0])
            inside = True
        elif char in "”“»\"" and inside:
            out.append(marks[1])
            inside = False
        else:
            out.append(char)
    return "".join(out)


def _attributed(chunks: list[str], style: str | tuple[str, str], org: str,
                rng: random.Random, voice: int) -> list[str]:
    """The statement as paragraphs of a report that quotes it in ``style``, attributing it in
    the words of ``voice`` (0: the original, 1: another outlet)."""
    words = _VOICES[voice]
    names = {"org": org, "Org": org[0].upper() + org[1:]}
    if style == "block":
        return [rng.choice(words["intro"]).format(**names), *chunks]
    if style == "according":
        out = []
        lead = ("According to {org}, ", "As {org} put it, ")[voice].format(**names)
        for chunk in chunks:
            for sentence in _SENTENCE.split(chunk):
                if len(sentence.split()) >= 6:
                    lower = sentence[0].lower() + sentence[1:] if sentence[1:2].islower() \
                        else sentence
                    out.append(lead + lower)
        return out
    opening, closing = style
    chunks = [_nested(chunk, _INNER.get(opening, ("‘", "’"))) for chunk in chunks]
    out = []
    for n, chunk in enumerate(chunks):
        if n == 0 and len(chunks) > 1 and rng.random() < 0.5:  # one quote over two paragraphs
            out.append(words["open"].format(q=f"{opening}{chunk}", **names))
            continue
        if n == 1 and out and not out[0].endswith(closing):
            out.append(f"{opening}{chunk}{closing}")
            continue
        out.append(rng.choice(words["quote"]).format(q=f"{opening}{chunk}{closing}", **names))
    return out


def _quote_cases(c: _Corpus) -> Iterator[HardCase]:
    statements = _statements(c)
    bases = [o for o in c.originals if 150 <= len(o.tokens) <= 1500
             and o.text.count("\n") >= 3]
    for i in range(PER_KIND):
        rng = _rng("quote", i)
        chunks, source = statements[i % len(statements)]
        base = next(o for o in rng.sample(bases, len(bases))
                    if o.id not in c.used and host_of(o.url) not in source)
        c.used.add(base.id)
        org = rng.choice(_ORGS)
        ours, theirs = rng.sample(_STYLES, 2)
        paras = [p for p in base.text.split("\n") if p.strip()]
        quoted = _attributed(chunks, ours, org, rng, 0)
        at = rng.randrange(1, max(2, len(paras) - 1))
        text = "\n".join(paras[:at] + quoted + paras[at:])
        original = Original(2 * _HARD_IDS + i, base.publication, base.url, base.title, text)
        # Another outlet's own real article, quoting the same statement its own way.
        page_host = next(h for h in rng.sample(c.hosts, len(c.hosts))
                         if h.host != host_of(base.url) and h.host not in source)
        other = _attributed(chunks, theirs, rng.choice(_ORGS), rng, 1)
        if theirs == "block":
            pieces = {1: f"<p>{_escape(other[0])}</p><blockquote>"
                         + "".join(f"<p>{_escape(x)}</p>" for x in other[1:])
                         + "</blockquote>"}
        else:
            spots = sorted(rng.sample(range(len(h_cuts := page_host.cuts)), min(
                len(other), len(h_cuts))))
            pieces = {}
            for n, para in enumerate(other):
                spot = spots[min(n, len(spots) - 1)]
                pieces[spot] = pieces.get(spot, "") + f"<p>{_escape(para)}</p>"
        shared = sum(len(x.split()) for x in chunks)
        how = (f"{shared} words ({source}) quoted {_name(ours)} vs {_name(theirs)}, "
               f"{100 * shared // max(len(original.tokens), 1)} % of the original; "
               f"page {page_host.host}")
        yield HardCase(SHARED_QUOTES, Page(page_host.url, page_host.insert(pieces)), None,
                       how)
        # The same article, quotes and prose, copied into another site's page.
        template = next(t for t in rng.sample(c.templates, len(c.templates))
                        if t.host != host_of(base.url) and not _mentions(t.html, original))
        whole = i % 3 != 2
        lines = text.split("\n")
        if not whole:  # the first paragraphs, up to about half of the words
            words = [len(x.split()) for x in lines]
            lines = lines[: next(n for n in range(1, len(lines) + 1)
                                 if sum(words[:n + 1]) > 0.55 * sum(words))]
        body = "".join(f"<p>{_escape(x)}</p>" for x in lines if x.strip())
        yield HardCase(QUOTES_AND_PROSE, Page(template.url, template.fill(
            body, title=base.title)), original,
            f"{'whole' if whole else 'first half'}, quoted {_name(ours)}, in {template.host}",
            full=whole)


def _name(style: str | tuple[str, str]) -> str:
    return style if isinstance(style, str) else f"{style[0]}…{style[1]}"


# -- dates ----------------------------------------------------------------------------

_EARLIER_BY = (timedelta(days=1, hours=3), timedelta(days=3), timedelta(days=20),
               timedelta(days=200), timedelta(days=800))
_LATER_BY = (timedelta(hours=-20), timedelta(0), timedelta(hours=2), timedelta(days=3),
             timedelta(days=90))


def _date_cases(c: _Corpus) -> Iterator[HardCase]:
    usable = [(t, o, k) for t, o, k in c.dated if o.id not in c.used]
    for kind, shifts in ((EARLIER, _EARLIER_BY), (LATER, _LATER_BY)):
        rng = _rng(kind)
        picks = rng.sample(usable, PER_KIND)
        for i, (template, original, corpus_kind) in enumerate(picks):
            assert original.published is not None
            shift = shifts[i % len(shifts)]
            when = original.published - shift if kind == EARLIER else original.published + shift
            method = DATE_METHODS[i % len(DATE_METHODS)]
            # A date alone may mean any time of that day: only for clear differences.
            fmt = ("iso", "z", "day")[i % 3] if shift >= timedelta(days=3) else ("iso", "z")[i % 2]
            if fmt == "iso":
                when = when.astimezone(timezone(timedelta(hours=(-5, 1, 3, 9)[i % 4])))
            page = set_published(template.html, when, method, at=template.start, fmt=fmt)
            declared = when.replace(hour=0, minute=0, second=0, microsecond=0) \
                if fmt == "day" and method != "meta-pubdate" else when.replace(microsecond=0)
            yield HardCase(kind, Page(template.url, page), original,
                           f"{corpus_kind.removeprefix('synthetic_')}, {method} ({fmt}), "
                           f"{_days(shift)} {'before' if kind == EARLIER else 'after'}",
                           published=declared.astimezone(UTC))


def _days(shift: timedelta) -> str:
    return f"{shift.total_seconds() / 86400:+.1f} d"


# -- the run --------------------------------------------------------------------------


def build(cases: list[dict[str, Any]]) -> tuple[list[HardCase], list[Original]]:
    """The hard cases and every original to index (see the module docstring)."""
    c = _corpus(cases)
    made = [*_list_cases(c), *_quote_cases(c), *_date_cases(c)]  # in this order: see ``used``
    hard = {case.expected.id: case.expected for case in made
            if case.expected is not None and case.expected.id >= _HARD_IDS}
    originals = [o for o in c.originals if o.id not in c.used] + sorted(
        hard.values(), key=lambda o: o.id)
    return made, originals


def evaluate(cases: list[dict[str, Any]]) -> HardRun:
    """Build the hard cases and judge every page against all the originals."""
    made, originals = build(cases)
    index = FingerprintIndex()
    rules: dict[str, CreditRule] = {}
    for original in originals:
        index.add(original)
        rules.setdefault(original.publication, CreditRule(
            original.publication, domains=(host_of(original.url),)))
    run = HardRun(made)
    start = time.perf_counter()
    run.results = [assess(case.page, index, rules) for case in made]
    run.seconds = time.perf_counter() - start
    return run


def _right(case: HardCase, result: Assessment) -> bool:
    return (result.is_copy and result.original is not None and case.expected is not None
            and result.original.id == case.expected.id)


def _ok(case: HardCase, r: Assessment) -> bool:
    """Whether the judgement of one hard case is what its kind expects."""
    status = r.credit.status if r.credit else None
    if case.kind == LIST_FULL:
        return (_right(case, r) and r.verdict == "repost" and r.extent == "full"
                and (status in CREDIT_MET) == case.credited)
    if case.kind == LIST_BLOCK:  # the host page's own source lines may name others
        return _right(case, r) and r.lacks_credit
    if case.kind == SHARED_QUOTES:
        return r.verdict == "none"
    if case.kind == QUOTES_AND_PROSE:
        kept = r.coverage >= 0.9 * r.coverage_with_quotes
        return (_right(case, r) and r.verdict == "repost" and kept
                and (r.extent == "full") == case.full)
    dated = r.page_published == case.published and r.to_dict()["original_published"]
    if case.kind == EARLIER:
        return _right(case, r) and bool(dated) and r.earlier and not r.lacks_credit
    return (_right(case, r) and bool(dated) and not r.earlier
            and r.lacks_credit == (status not in CREDIT_MET))


FIGURES = {
    LIST_FULL: "list_full_copy_right",
    LIST_BLOCK: "list_block_found",
    SHARED_QUOTES: "shared_quotes_no_copy",
    QUOTES_AND_PROSE: "quotes_and_prose_copy_right",
    EARLIER: "predating_copy_marked",
    LATER: "later_copy_not_marked",
}
"""The gate's figure for each kind: the share of its cases judged as expected."""


def figures(run: HardRun) -> dict[str, float]:
    right: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for case, result in run.pairs():
        total[case.kind] += 1
        right[case.kind] += _ok(case, result)
    return {FIGURES[k]: right[k] / total[k] if total[k] else 1.0 for k in KINDS}


def table(run: HardRun, *, misses: int = 3) -> list[str]:
    """Lines of a per-kind table, with a few of the misses of each kind."""
    out = [f"{'hard case (built from the corpus)':48} {'n':>3}  verdicts"
           "                         right"]
    for kind in KINDS:
        pairs = [(c, r) for c, r in run.pairs() if c.kind == kind]
        verdicts = Counter(r.verdict + (f" {r.extent}" if r.extent else "") for _, r in pairs)
        v = " ".join(f"{k}:{n}" for k, n in sorted(verdicts.items()))
        right = sum(_ok(c, r) for c, r in pairs)
        out.append(f"{kind:48} {len(pairs):>3}  {v:32} {right}")
        for c, r in [(c, r) for c, r in pairs if not _ok(c, r)][:misses]:
            status = r.credit.status if r.credit else "-"
            out.append(f"    miss: {c.how}: {r.verdict} {r.extent or ''} cov {r.coverage:.2f}"
                       f"/{r.coverage_with_quotes:.2f} {status} earlier={r.earlier} "
                       f"original={r.original.id if r.original else None} "
                       f"(expected {c.expected.id if c.expected else None}) "
                       f"dates {r.page_published} / {c.published}")
    return out
