"""Wire services (news agencies) whose stories newspapers syndicate: the built-in list.

A ``Wire`` says how a wire signs its stories: its ``name`` (what ``Original.source`` holds),
other spellings matched in any letter case (``aliases``), short signs matched exactly as written
(``tags``: "AP", "dpa", "ТАСС"; in any case they would be ordinary words or other initials), its
sites (``domains``: a link there credits it) and closing lines of its own (``signatures``:
regular expressions, matched case-insensitively at the start of a line, such as Reuters'
"Reporting by …; Editing by …").

The config extends the list: ``WIRES + (Wire("Nordic News Agency", aliases=("NNA",)),)`` goes
into each ``CreditRule.wires`` (and so into ``detect_source``). ``find_wire`` looks a stored
source name up again.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["WIRES", "Wire", "find_wire"]


@dataclass(frozen=True, slots=True)
class Wire:
    """A wire service. See the module docstring for what each field is matched against."""

    name: str
    aliases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    signatures: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """The spellings matched in any letter case: the name and the aliases."""
        return (self.name, *self.aliases)

    def spells(self, text: str, *, any_case: bool = False) -> bool:
        """Whether ``text`` (a name or tag as found on a page) is one of this wire's; tags
        only as written unless ``any_case`` (an author field: "Ap Sports Writer")."""
        key = _key(text)
        tags = (_key(t) for t in self.tags) if any_case else ()
        return text.strip() in self.tags or any(_key(n) == key for n in (*self.names, *tags))


def _key(name: str) -> str:
    """A name compared loosely: case, spaces, hyphens and a leading "the" ignored."""
    words = name.casefold().replace("-", " ").replace("‑", " ").split()
    if words and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def find_wire(name: str, wires: Sequence[Wire]) -> Wire:
    """The wire in ``wires`` that ``name`` spells (a stored ``Original.source``); a wire known
    only by that name when none does (an override naming a partner the list lacks)."""
    for wire in wires:
        if wire.spells(name):
            return wire
    return Wire(name.strip())


# Reuters closes each story with its journalists: "(Reporting by A in B; Editing by C)".
_REUTERS_CREDITS = (r"\(?\s*(?:additional\s+)?(?:reporting|writing)\s+by\b[^\n]*"
                    r"\b(?:editing|writing)\s+by\b")
# Bloomberg: "--With assistance from A." and "To contact the reporter on this story: …".
_BLOOMBERG_CREDITS = (r"(?:--|—|–)\s*with assistance from\b",
                      r"to contact the (?:reporters?|editors?) (?:on|responsible for) this story")

# The Canadian Press: "This report by The Canadian Press was first published Dec. 5, 2026."
_CP_CREDITS = r"this (?:report|story|article) by the canadian press was first published\b"

WIRES: tuple[Wire, ...] = (
    Wire("Associated Press", aliases=("The Associated Press", "Ассошиэйтед Пресс"),
         tags=("AP",), domains=("apnews.com", "ap.org")),
    Wire("Reuters", aliases=("Thomson Reuters", "Рейтер", "Рейтерс"),
         domains=("reuters.com",), signatures=(_REUTERS_CREDITS,)),
    Wire("AFP", aliases=("Agence France-Presse", "Agence France Presse", "Франс Пресс",
                         "Франс-Пресс"),
         tags=("AFP",), domains=("afp.com",)),
    Wire("dpa", aliases=("Deutsche Presse-Agentur",), tags=("dpa", "DPA"),
         domains=("dpa.com", "dpa-international.com")),
    Wire("UPI", aliases=("United Press International",), tags=("UPI",), domains=("upi.com",)),
    Wire("PA Media", aliases=("Press Association", "PA Wire", "PA Media Group"), tags=("PA",),
         domains=("pamediagroup.com",)),
    Wire("Bloomberg", aliases=("Bloomberg News", "Bloomberg L.P.", "Блумберг"),
         domains=("bloomberg.com",), signatures=_BLOOMBERG_CREDITS),
    Wire("TASS", aliases=("ИТАР-ТАСС", "ITAR-TASS", "ТАСС"), tags=("TASS",),
         domains=("tass.ru", "tass.com")),
    Wire("RIA Novosti", aliases=("РИА Новости", "РИА \"Новости\"", "РИА «Новости»"),
         domains=("ria.ru",)),
    Wire("Interfax", aliases=("Интерфакс", "INTERFAX.RU", "Интерфакс-Украина",
                              "Interfax-Ukraine"),
         domains=("interfax.ru", "interfax.com", "interfax.com.ua")),
    Wire("Xinhua", aliases=("Xinhua News Agency", "Синьхуа", "Agencia Xinhua"),
         domains=("xinhuanet.com", "news.cn")),
    Wire("EFE", aliases=("Agencia EFE",), tags=("EFE",), domains=("efe.com",)),
    Wire("Europa Press", domains=("europapress.es",)),
    Wire("The Canadian Press", aliases=("Canadian Press", "La Presse Canadienne"), tags=("CP",),
         domains=("thecanadianpress.com",), signatures=(_CP_CREDITS,)),
    Wire("ANSA", aliases=("Agenzia ANSA",), tags=("ANSA",), domains=("ansa.it",)),
    Wire("APA", aliases=("Austria Presse Agentur",), tags=("APA",), domains=("apa.at",)),
    Wire("Keystone-SDA", aliases=("Keystone SDA", "Schweizerische Depeschenagentur"),
         tags=("SDA", "sda", "ATS", "ats"), domains=("keystone-sda.ch",)),
    Wire("KNA", aliases=("Katholische Nachrichten-Agentur",), tags=("KNA",),
         domains=("kna.de",)),
    Wire("epd", aliases=("Evangelischer Pressedienst",), tags=("epd",), domains=("epd.de",)),
    Wire("Belga", domains=("belga.be",)),
    Wire("ANP", aliases=("Algemeen Nederlands Persbureau",), tags=("ANP",), domains=("anp.nl",)),
    Wire("Kyodo", aliases=("Kyodo News", "Киодо"), domains=("kyodonews.net",)),
    Wire("Yonhap", aliases=("Yonhap News Agency", "Ренхап", "Рёнхап"), domains=("yna.co.kr",)),
    Wire("Anadolu", aliases=("Anadolu Agency", "Anadolu Ajansı", "Анадолу"), tags=("AA",),
         domains=("aa.com.tr",)),
    Wire("PTI", aliases=("Press Trust of India",), tags=("PTI",), domains=("ptinews.com",)),
    Wire("IANS", aliases=("Indo-Asian News Service",), tags=("IANS",), domains=("ianslive.in",)),
    Wire("ANI", aliases=("Asian News International",), tags=("ANI",), domains=("aninews.in",)),
    Wire("UNIAN", aliases=("УНИАН",), domains=("unian.net", "unian.ua")),
    Wire("BelTA", aliases=("БелТА",), domains=("belta.by",)),
)
"""The built-in wires (English, Russian, German, French and Spanish spellings)."""
