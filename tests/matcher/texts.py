"""Invented article texts for matcher tests (written for the project; no real articles)."""

from __future__ import annotations

ORIGINAL_PARAGRAPHS = [
    "The harbour authority of Port Elmsworth voted on Tuesday to close the old grain pier "
    "after engineers found that three of its oak pilings had rotted through at the waterline.",
    "Councillor Marta Vinsky, who chairs the transport committee, said the closure would last "
    "at least eighteen months while a steel replacement is designed, tendered and installed.",
    "Fishing crews who moor at the pier were offered berths at the northern marina, although "
    "several skippers complained that the new spots are too shallow for boats at low tide.",
    "The repair bill is estimated at four million crowns, to be shared between the city and "
    "the regional development fund, which approved an emergency grant last month.",
    "Local historians have asked that the carved lamp posts on the pier be kept and reused, "
    "noting that they were cast in the town foundry during the winter of 1911.",
    "A public meeting about the works will be held at the library on the first Monday of "
    "March, and residents can send written questions to the harbour office beforehand.",
]
ORIGINAL_TEXT = "\n".join(ORIGINAL_PARAGRAPHS)

OTHER_TEXT = (
    "Volunteers planted two hundred birch saplings along the ring road on Saturday morning, "
    "part of a scheme to shade the cycle lanes and reduce summer heat on the asphalt. The "
    "parks department supplied spades and mulch, and a bakery donated rolls for the crews. "
    "Organisers hope to repeat the planting every spring until the whole loop is lined."
)


def page_html(body: str, *, head: str = "", title: str = "Some page") -> str:
    """A page of another site with chrome around ``body``."""
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title>{head}</head><body>"
        "<header class='site-header'><nav><a href='/'>Home</a> <a href='/sport'>Sport</a>"
        "</nav></header><main><article>"
        f"{body}"
        "</article></main><aside class='sidebar'><h3>Popular</h3><ul><li>Weather for the week"
        "</li><li>Traffic update</li></ul></aside>"
        "<footer class='site-footer'><p>© 2026 Elsewhere Media. All rights reserved.</p>"
        "</footer></body></html>"
    )


def paragraphs_html(paragraphs: list[str]) -> str:
    return "".join(f"<p>{p}</p>" for p in paragraphs)
