"""Generated news articles for the sandbox web: deterministic, distinct, never copied from anywhere.

``generate_article(index, namespace=...)`` returns the same article for the same arguments in
every process (string-seeded ``random.Random``). The publisher's articles live in namespace
``publisher``; each copy site's own filler text in a namespace of its own.

The guarantee the matcher tests rely on: two different articles, in any namespaces, never
share a run of 8 or more consecutive words (``\\w+`` tokens, lower case). It holds by
construction: every article has six *coined* names of its own (a town, a place, a street,
three people) spelled from codes no other article uses, and the text is checked as it is
written so that no 8 consecutive words (across sentences and paragraphs, title included) go
without one of them. Fixed template fragments stay short (≤ 4 words) so the prose varies too.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cached_property

__all__ = [
    "MAX_ARTICLES",
    "MAX_FILLER",
    "WIRE_NAMESPACE",
    "Article",
    "Headline",
    "coined_name",
    "generate_article",
    "generate_headline",
    "tokens",
]

MAX_ARTICLES = 100_000  # of the publisher
MAX_FILLER = 100  # articles of each other namespace (copy sites' own text)

_NAMESPACES = ("publisher", "blogroll", "localnews", "newsmirror", "quotehub", "syndicate",
               "scraperdaily", "wrongsource", "partner-news")
WIRE_NAMESPACE = "wire"
"""Stories of wire services that the publisher runs (``sites.WIRE_STORIES``)."""
_NAMES_PER_KIND = 3  # per article: town, place, street; main person, second, third
_EPOCH = datetime(2024, 3, 4, 7, 0, tzinfo=UTC)
_STEP = timedelta(hours=5)  # publication dates: one article every ~5 hours, newest last
_WORD = re.compile(r"\w+")
_MAX_GAP = 7  # words without a coined name: one less than the shared run we rule out

# Coined names: a 3-letter start, a 2-letter middle, an optional 2-letter tier, an ending.
# Start and middle have fixed lengths and no ending begins with a tier syllable, so every code
# spells a different word (tested over the whole range in use).
_START = ("Bal", "Bre", "Cal", "Dor", "Elm", "Fen", "Gar", "Hal", "Ing", "Jar", "Kel", "Lin",
          "Mar", "Nor", "Orm", "Pel", "Ros", "Sel", "Tam", "Ulm", "Ver", "Wil", "Yar", "Zan",
          "Ash", "Bro", "Cor", "Dun", "Har", "Kin", "Lud", "Mel", "Nes", "Pen", "Rav", "Sto",
          "Tre", "Wes", "Ald", "Bur")
_MIDDLE = ("ve", "do", "ri", "an", "el", "ov", "us", "ar", "en", "il", "ot", "am", "er", "in",
           "ol", "um", "ad", "ec", "ig", "on", "ab", "ed", "it", "ok", "ur")
_TIER = ("", *(c + v for c in "zqxjykv" for v in "aeiouy"))  # no ending starts with these
_SCRAMBLE = 7919
_PLACE_END = ("ton", "ford", "wick", "dale", "bury", "field", "haven", "mouth", "stead",
              "brook", "combe", "gate", "holm", "ley", "more", "port", "mere", "ridge",
              "worth", "by")
_PERSON_END = ("son", "sen", "ard", "ett", "man", "ski", "ova", "ez", "ini", "ock", "ling",
               "well", "ston", "hurst", "lowe", "nell", "berg", "sby", "rick", "cott")


def coined_name(code: int, *, person: bool = False) -> str:
    """The made-up name spelled by ``code`` (≥ 0): a place name, or a surname if ``person``.

    Distinct codes give distinct names; neighbouring codes give unlike names.
    """
    endings = _PERSON_END if person else _PLACE_END
    per_tier = len(_START) * len(_MIDDLE) * len(endings)
    tier, code = divmod(code, per_tier)
    if tier >= len(_TIER):
        raise ValueError(f"no coined name left for code {code + tier * per_tier}")
    # A bijection (_SCRAMBLE is prime to per_tier); the offset makes a person and a place with
    # the same code look unlike each other.
    code = (code * _SCRAMBLE + (per_tier // 2 if person else 0)) % per_tier
    code, end = divmod(code, len(endings))
    start, middle = divmod(code, len(_MIDDLE))
    return _START[start] + _MIDDLE[middle] + _TIER[tier] + endings[end]


def tokens(text: str) -> list[str]:
    """Lower-case ``\\w+`` words: the tokens the no-shared-run guarantee is stated in."""
    return [w.lower() for w in _WORD.findall(text)]


@dataclass(frozen=True)
class Headline:
    """What a listing needs of an article. ``published`` is tz-aware UTC."""

    index: int
    namespace: str
    title: str
    slug: str
    author: str
    published: datetime
    # The coined names only this article uses: town, place, street, main person, second, third.
    names: tuple[str, ...]


@dataclass(frozen=True)
class Article(Headline):
    """One generated article: its headline and its paragraphs (plain text)."""

    paragraphs: tuple[str, ...]

    @property
    def text(self) -> str:
        """Title and paragraphs, one per line."""
        return "\n".join((self.title, *self.paragraphs))

    @cached_property
    def words(self) -> int:
        """Words in the paragraphs (not the title)."""
        return sum(len(tokens(p)) for p in self.paragraphs)


@dataclass(frozen=True)
class _Topic:
    facility: str  # title case, follows the coined place name: "Dunmere Library"
    group: str  # who uses it
    work: str  # the project
    issues: tuple[str, ...]


_TOPICS = (
    _Topic("Library", "readers", "refit", ("a leaking roof", "damp shelving", "faulty wiring")),
    _Topic("Bridge", "commuters", "repairs", ("corroded cables", "a cracked deck", "worn joints")),
    _Topic("Market Hall", "traders", "renovation", ("rotten beams", "broken drains", "no heating")),
    _Topic("Swimming Pool", "swimmers", "upgrade", ("a failed boiler", "cracked tiles",
                                                   "a leaking tank")),
    _Topic("Bus Depot", "drivers", "expansion", ("cramped bays", "old chargers", "a flooded yard")),
    _Topic("Primary School", "parents", "extension", ("crowded classrooms", "asbestos",
                                                      "a sagging roof")),
    _Topic("Health Centre", "patients", "rebuild", ("long queues", "mould", "broken lifts")),
    _Topic("Community Garden", "volunteers", "makeover", ("poor drainage", "vandalism",
                                                          "dying trees")),
    _Topic("Ferry Terminal", "passengers", "overhaul", ("a rusting pier", "silted berths",
                                                        "weak ramps")),
    _Topic("Sports Ground", "players", "relaying", ("a waterlogged pitch", "unsafe stands",
                                                   "broken floodlights")),
    _Topic("Fire Station", "crews", "move", ("a cramped garage", "old alarms", "subsidence")),
    _Topic("Museum", "visitors", "restoration", ("leaking skylights", "fading murals",
                                                "dry rot")),
    _Topic("Recycling Centre", "households", "redesign", ("long tailbacks", "full skips",
                                                         "a crumbling ramp")),
    _Topic("Railway Station", "rail users", "upgrade", ("short platforms", "slippery steps",
                                                       "no lifts")),
)
_ORGS = ("Town Council", "Planning Board", "Transport Authority", "Heritage Trust",
         "Chamber of Commerce", "Residents Association", "Works Committee", "Civic Society")
_ROLES = ("Councillor", "Deputy Mayor", "Mayor", "Board chair", "Planning chief", "Treasurer",
          "Works director", "Trust manager")
_EXPERTS = ("an engineer", "a site manager", "an architect", "a council lawyer",
            "a safety inspector", "a surveyor", "a local historian", "an auditor")
_STREETS = ("Road", "Street", "Lane", "Avenue", "Way", "Row", "Parade", "Crescent")
_DESCRIPTORS = ("a retired teacher", "a shop owner", "a parent of three", "a bus driver",
                "a nurse", "a volunteer", "a student", "a baker", "a taxi driver",
                "a café owner", "a pensioner", "a plumber")
_FIRST = ("Nadia", "Tom", "Priya", "Owen", "Grace", "Ilya", "Fatima", "Ben", "Lucia", "Kwame",
          "Hannah", "Rafael", "Mei", "Jonas", "Aisha", "Declan", "Sofia", "Arjun", "Leah",
          "Mateo", "Ingrid", "Samir", "Chloe", "Tariq", "Elena", "Marcus", "Yuki", "Dara",
          "Felix", "Rosa", "Kofi", "Agnes", "Hugo", "Zara", "Emil", "Nora")
_STAFF = ("Maya Okafor", "Peter Lindqvist", "Rosa Delgado", "Sam Whitaker", "Aiko Tanaka",
          "Daniel Osei", "Clara Benedetti")  # the publisher's reporters
_OTHER_STAFF = ("Jo Marsh", "Kit Alvarez", "Bea Novak", "Luis Ferreira", "Ines Haddad")
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
           "September", "October", "November", "December")
_SAY = ("said", "told reporters", "argued", "noted", "added", "warned", "insisted", "explained")
_ACT = (("reopen", "reopened"), ("close", "closed"), ("rebuild", "rebuilt"),
        ("sell", "sold"), ("extend", "extended"), ("modernise", "modernised"))
_STAGE = ("cleared its first vote", "won broad support", "hit a fresh snag",
          "drawn sharp criticism", "stalled again")

# Sentence templates by role. Slots: T town, F facility, S street, P/Ps main person (full /
# surname) with role Pr, Q/Qs second person with descriptor Qd, R/Rs third person with
# descriptor Rr, O organisation, G group, W work, I issue,
# N/N2/V1/V2 numbers, M money, D day, Mo month, Yr year, say, act/acted, stage.
_TITLES = (
    "{T} to {act} {F}",
    "{T} split over {F} {W}",
    "{Ps} defends {M} {W} of {F}",
    "Why {F} matters to {T}",
    "{F} faces {I}, {Rs} warns",
    "{O} delays {F} decision",
    "Questions for {Ps} over {F}",
    "{S} traders fear {F} closure",
    "{F} {W}: what {T} needs to know",
    "{Rs} report puts {F} in doubt",
    "{T} residents pack {F} meeting",
    "{Qs} takes {F} fight to {T}",
    "{F} {W} delayed, {T} told",
    "{G} rally behind {F} in {T}",
    "{Ps} sets out plan for {F}",
    "{T} weighs {M} {W} for {F}",
    "Fresh doubts over {F} as {Ps} speaks",
    "{F}: {T} vote due in {Mo}",
    "{Qs} leads {T} campaign over {F}",
)
_LEDES = (
    "{T} will {act} {F} from {Mo}, {Pr} {P} said on {D}.",
    "Plans to {act} {F} won {T} backing on {D}, {Ps} said.",
    "{P}, a {Pr_lc} in {T}, wants {F} {acted} before {Mo}.",
    "{G} in {T} face {N} more weeks without {F}, {O} confirmed.",
    "A plan to {act} {F} in {T} has {stage}.",
    "{T} has {N} days to decide on {F}, {Pr} {P} warned.",
)
_BODY = (
    "{Ps} first proposed the {W} of {F} in {Yr}.",
    "{T} has set aside {M} for {F}, {Ps} said.",
    "Engineers hired by {T} found {I} at {F}.",
    "Under the plan, {F} would shut for {N} weeks, {Ps} said.",
    "About {N} {G} use {F} each week, according to {O}.",
    "{Q}, {Qd}, said {T} needs the {W}.",
    "Not everyone in {T} agrees, and {Qs} has started a petition.",
    "{Ps} denied that {O} had ignored {T}.",
    "Objections to the {W} of {F} will be heard in {T} on {D}.",
    "A survey for {O} found that {Ps} has wide support.",
    "{F} opened in {Yr} and, {Ps} noted, has hardly changed since.",
    "Work at {F} could begin in {Mo} if {T} agrees.",
    "{Qs} said {G} near {F} were never properly consulted by {Ps}.",
    "{Ps} wants {T} to share the bill with {O}.",
    "Critics of {Ps} want the money spent in {T} instead.",
    "{Ps} met {Qs} and other {G} at {F} on {D}.",
    "{Qs} recalled how {I} shut {F} last {Mo}.",
    "{T} was warned of {I} at {F} in {Yr}.",
    "{Qs}, a resident of {T} for {N} years, backs {Ps}.",
    "The tender for the {W} of {F} drew {V1} bids, {Ps} said.",
    "In {T}, {G} have waited since {Yr} for {F} to reopen.",
    "{Ps} conceded that {F} had been neglected in {T}.",
    "Rival proposals from {Qs} would keep {F} open during the {W}.",
    "{I} at {F} will cost {T} {M} a year, {Ps} estimates.",
    "Figures released by {Ps} show visits to {F} fell {N} percent.",
    "{Qs} plans to raise the future of {F} at a meeting in {T}.",
    "Traffic on {S} will be diverted while {F} is closed, {Ps} said.",
    "{R}, {Rr} working for {T}, inspected {F} in {Mo}.",
    "{Rs} said the {W} on {S} was the hardest part.",
    "Shops along {S} say trade has dropped since {F} closed.",
    "{Rs} estimated the {W} would take {N} months.",
    "Residents of {S} in {T} have complained to {Ps} for years.",
    "{Qs} and {Rs} disagree about what {F} needs.",
    "A report by {Rs} listed {N} defects at {F}.",
    "{T} bought the land next to {F} in {Yr}, {Rs} said.",
    "Parking near {F} on {S} will be limited, {Qs} warned.",
    "{Ps} blamed the delay at {F} on rising prices in {T}.",
    "According to {Rs}, {F} could reopen by {Mo} if {T} pays.",
    "{Ps} promised {G} on {S} a say over the {W}.",
    "The last major work on {F} cost {T} {M}, records show.",
    "{O} published the findings of {Rs} on {D}.",
    "{Qs} wants a crossing on {S} before {F} reopens.",
    "{Rs} said delays like those at {F} are common.",
    "Volunteers from {T} cleared rubbish around {F} on {D}.",
    "{Ps} has asked {Rs} to review the {W} of {F}.",
)
_QUOTES = (
    '"{F} cannot be patched up forever," {Ps} {say}.',
    '"People in {T} deserve better than {I}," {Qs} {say}.',
    '"{T} has listened to {G}," {Ps} {say}.',
    '"Nobody asked {G} at {F} what they wanted," {Qs} {say}.',
    '"{T} gets one chance to fix {F}," {Ps} {say}.',
    '"If {F} closes, {G} lose everything," {Qs} {say}.',
    '"{T} has not answered our questions," {Qs} told {Ps}.',
    '"{S} has been forgotten," {Qs} {say}.',
    '"The numbers for {F} simply do not add up," {Rs} {say}.',
    '"{Rs} has shown us what is wrong with {F}," {Ps} {say}.',
    '"Give {T} a date for {F}," {Qs} told {O}.',
    '"We will not let {F} fall apart," said {P}.',
)
_CLOSINGS = (
    "{O} will rule on {F} in {Mo}, {Ps} said.",
    "{Ps} said a public meeting about {F} would be held in {T} on {D}.",
    "A final vote in {T} is planned for {Mo}, {Ps} said.",
    "Until then, {G} at {F} should expect delays, {Qs} said.",
    "{Qs} said {G} in {T} would keep pressing {Ps} for answers.",
    "{Rs} is due to report on {F} to {T} in {Mo}.",
    "{Ps} and {Qs} are due to meet in {T} on {D}.",
)


class _Slots(dict[str, str]):
    """Slot values for one sentence: the article's fixed ones, the rest drawn when first used."""

    def __init__(self, rng: random.Random, topic: _Topic, fixed: dict[str, str]) -> None:
        super().__init__(fixed)
        self.rng = rng
        self.topic = topic

    def __missing__(self, key: str) -> str:
        if key in ("act", "acted"):
            self["act"], self["acted"] = self.rng.choice(_ACT)
        elif key == "V2":
            self[key] = str(self.rng.randint(1, int(self["V1"]) - 1))
        else:
            self[key] = _DRAW[key](self.rng, self.topic)
        return self[key]


_DRAW: dict[str, Callable[[random.Random, _Topic], str]] = {
    "I": lambda rng, topic: rng.choice(topic.issues),
    "N": lambda rng, _: str(rng.randint(3, 95)),
    "V1": lambda rng, _: str(rng.randint(4, 12)),
    "M": lambda rng, _: f"${rng.randint(1, 19)}.{rng.randint(1, 9)} million",
    "D": lambda rng, _: rng.choice(_DAYS),
    "Mo": lambda rng, _: rng.choice(_MONTHS),
    "Yr": lambda rng, _: str(rng.randint(1961, 2019)),
    "say": lambda rng, _: rng.choice(_SAY),
    "stage": lambda rng, _: rng.choice(_STAGE),
}


class _Writer:
    """Fills templates for one article and keeps the coined-name density guarantee."""

    def __init__(self, rng: random.Random, names: tuple[str, ...]) -> None:
        self.rng = rng
        town, place, street, surname, second, third = names
        self.topic = rng.choice(_TOPICS)
        role = rng.choice(_ROLES)
        self.fixed = {
            "T": town,
            "F": f"{place} {self.topic.facility}",
            "P": f"{rng.choice(_FIRST)} {surname}",
            "Ps": surname,
            "Pr": role,
            "Pr_lc": role.lower(),
            "Q": f"{rng.choice(_FIRST)} {second}",
            "Qs": second,
            "Qd": rng.choice(_DESCRIPTORS),
            "R": f"{rng.choice(_FIRST)} {third}",
            "Rs": third,
            "Rr": rng.choice(_EXPERTS),
            "S": f"{street} {rng.choice(_STREETS)}",
            "O": f"the {town} {rng.choice(_ORGS)}",
            "G": self.topic.group,
            "W": self.topic.work,
        }
        self.unique = frozenset(tokens(" ".join(names)))
        self.used: set[str] = set()
        self.tail = 0  # words since the last coined name in the text written so far
        self.last_words = 0  # words in the last sentence written

    def _slots(self) -> _Slots:
        return _Slots(self.rng, self.topic, self.fixed)

    def fits(self, sentence: str) -> bool:
        """Whether ``sentence`` keeps coined names dense; if so, note its length and tail.

        Dense: counting the words left over from the previous sentence (``self.tail``), no run of
        more than ``_MAX_GAP`` words between coined names, nor after the last one.
        """
        words = tokens(sentence)
        hits = [i for i, w in enumerate(words) if w in self.unique]
        if not hits or self.tail + hits[0] > _MAX_GAP:
            return False
        if any(b - a - 1 > _MAX_GAP for a, b in itertools.pairwise(hits)):
            return False
        tail = len(words) - 1 - hits[-1]
        if tail > _MAX_GAP:
            return False
        self.tail = tail
        self.last_words = len(words)
        return True

    def sentence(self, templates: tuple[str, ...]) -> str:
        """A filled template from ``templates``, preferring ones not used yet in this article."""
        fresh = [t for t in templates if t not in self.used]
        used = [t for t in templates if t in self.used]
        for pool in (fresh, used):
            while pool:
                template = pool.pop(self.rng.randrange(len(pool)))
                for _ in range(3):  # slot values vary in length: another fill may fit
                    text = template.format_map(self._slots())
                    text = text[0].upper() + text[1:]
                    if self.fits(text):
                        self.used.add(template)
                        return text
        raise AssertionError(f"no template keeps coined names dense after {self.tail} words")


def _rng(namespace: str, index: int, part: str) -> random.Random:
    # A string seed gives the same sequence in every process (it is hashed with SHA-512).
    seed = f"repostwatch-sandbox:{namespace}:{index}:{part}"
    return random.Random(seed)  # noqa: S311 - reproducible text, nothing secret


def _slugify(title: str) -> str:
    return "-".join(tokens(title))


def generate_headline(index: int, *, namespace: str = "publisher") -> Headline:
    """What a listing shows of article ``index`` of ``namespace``, without writing its text.

    Cheap (tens of microseconds): sitemaps and home pages of thousands of articles use it.
    """
    return _start(index, namespace)[1]


def generate_article(index: int, *, namespace: str = "publisher") -> Article:
    """Article number ``index`` of ``namespace`` (< MAX_ARTICLES, or < MAX_FILLER for filler).

    Namespaces: ``publisher`` for The Daily Planet, or a copy site's host name without ``.test``
    for that site's own filler. 5–9 paragraphs, 300–600 words; the first paragraph has 60–80
    words and at most a fifth of the article (an excerpt of it stays below a repost).
    """
    writer, head = _start(index, namespace)
    writer.rng = _rng(namespace, index, "body")
    after_title = writer.tail
    while True:
        paragraphs = _paragraphs(writer)
        total = sum(len(tokens(p)) for p in paragraphs)
        if 300 <= total <= 600 and len(tokens(paragraphs[0])) * 5 <= total:
            return Article(**dataclasses.asdict(head), paragraphs=paragraphs)
        writer.used.clear()
        writer.tail = after_title


def _start(index: int, namespace: str) -> tuple[_Writer, Headline]:
    if namespace not in (*_NAMESPACES, WIRE_NAMESPACE):
        raise ValueError(f"unknown namespace {namespace!r} "
                         f"(known: {', '.join((*_NAMESPACES, WIRE_NAMESPACE))})")
    ns = _NAMESPACES.index(namespace) if namespace in _NAMESPACES else len(_NAMESPACES)
    limit = MAX_ARTICLES if ns == 0 else MAX_FILLER
    if not 0 <= index < limit:
        raise ValueError(f"article index {index} outside 0..{limit - 1} for {namespace}")
    rng = _rng(namespace, index, "head")
    # Codes never overlap: MAX_FILLER slots per filler namespace first (short names for all),
    # then the publisher's, then the wire's (after every publisher slot, so that adding it
    # changed no publisher article).
    filler = (len(_NAMESPACES) - 1) * MAX_FILLER
    if namespace == WIRE_NAMESPACE:
        slot = filler + MAX_ARTICLES + index
    else:
        slot = filler + index if ns == 0 else (ns - 1) * MAX_FILLER + index
    codes = range(slot * _NAMES_PER_KIND, (slot + 1) * _NAMES_PER_KIND)
    names = (*(coined_name(c) for c in codes), *(coined_name(c, person=True) for c in codes))
    writer = _Writer(rng, names)
    title = writer.sentence(_TITLES)
    published = _EPOCH + index * _STEP + timedelta(minutes=rng.randint(0, 240))
    head = Headline(
        index=index, namespace=namespace, title=title, slug=_slugify(title),
        author=rng.choice(_STAFF if ns == 0 else _OTHER_STAFF), published=published, names=names,
    )
    return writer, head


def _paragraphs(writer: _Writer) -> tuple[str, ...]:
    rng = writer.rng
    count = rng.randint(5, 9)
    target = rng.randint(360, 540)
    per_paragraph = (target - 70) // (count - 1)
    lede = [writer.sentence(_LEDES)]
    words = writer.last_words
    while words < 60:
        lede.append(writer.sentence(_BODY))
        words += writer.last_words
    paragraphs = [" ".join(lede)]
    for number in range(1, count):
        last = number == count - 1
        sentences: list[str] = []
        words = 0
        while words < per_paragraph - (12 if last else 0):
            quote = sentences and rng.random() < 0.25 and not writer.used.issuperset(_QUOTES)
            pool = _QUOTES if quote else _BODY
            sentences.append(writer.sentence(pool))
            words += writer.last_words
        if last:
            sentences.append(writer.sentence(_CLOSINGS))
        paragraphs.append(" ".join(sentences))
    return tuple(paragraphs)
