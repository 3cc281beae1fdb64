"""The publisher's article as the matcher sees it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

import numpy as np
import numpy.typing as npt

from .quotes import own_mask
from .text import Tokens, tokenize

__all__ = ["Original"]


@dataclass(frozen=True)
class Original:
    """An article of a publication: clean article text (no site chrome) plus its metadata.

    ``id`` is the store's key; ``publication`` names the publication whose credit rule applies.
    ``source``: the wire service the story comes from (``matcher.detect_source`` decides it at
    import; a person may override it), None for the publisher's own story.
    """

    id: int
    publication: str
    url: str
    title: str
    text: str
    published: datetime | None = None
    author: str | None = field(default=None, compare=False)
    source: str | None = field(default=None, compare=False)

    @cached_property
    def tokens(self) -> Tokens:
        """The tokenised text (computed once per object)."""
        return tokenize(self.text)

    @cached_property
    def own(self) -> npt.NDArray[np.bool_]:
        """For each token: whether it is the article's own writing, not a quotation or a
        statement it attributes to someone else (``matcher.quotes``; computed once)."""
        return own_mask(self.tokens)
