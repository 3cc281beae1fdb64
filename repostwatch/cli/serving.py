"""``repostwatch serve``: the review web UI, with "re-check now" wired to the crawler's fetch.

The UI (``reports.web``) never fetches a page: this module hands it ``recheck``, the same
fetch, judgement and recording as ``repostwatch check --save`` (``crawler.lookup``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import click

from .state import State

if TYPE_CHECKING:
    from reports.web.service import Recheck
    from repostwatch.config import Config
    from repostwatch.store import Store

__all__ = ["recheck_with", "serve"]


def recheck_with(config: Config) -> Callable[[Store], Recheck]:
    """The review UI's "re-check now" over a store: fetch, judge, record (``check --save``)."""
    from crawler.items import GONE_STATUSES
    from crawler.lookup import recheck_page
    from reports.web.service import Rechecked

    def over(store: Store) -> Recheck:
        def recheck(url: str) -> Rechecked:
            outcome = recheck_page(store, config, url)
            if outcome.result is None and outcome.target.status in GONE_STATUSES:
                return Rechecked(gone_status=outcome.target.status)
            return Rechecked(assessment=outcome.result, error=outcome.error)

        return recheck

    return over


@click.command()
@click.option("--host", metavar="ADDRESS", help="Address to listen on (default: [review] host, "
              "127.0.0.1). Any other than loopback needs a token.")
@click.option("--port", type=click.IntRange(1, 65535), help="Port (default: [review] port, 8080).")
@click.option("--token", envvar="REPOSTWATCH_REVIEW_TOKEN", metavar="TOKEN",
              help="Sign-in token (env REPOSTWATCH_REVIEW_TOKEN; prefer it: options show in ps).")
@click.pass_obj
def serve(state: State, host: str | None, port: int | None, token: str | None) -> None:
    """Serve the review web UI: triage findings in the browser (docs/review.md).

    Binds 127.0.0.1 by default; any other address refuses to start (exit 2) without a token
    or [review] users.

    Example: REPOSTWATCH_REVIEW_TOKEN=$(openssl rand -hex 16) repostwatch serve --host 0.0.0.0
    """
    from reports.web import serve as serve_ui

    config = state.config
    state.require_publications()
    review = config.review
    serve_ui(config, host=host or review.host, port=port or review.port, token=token or "",
             recheck=recheck_with(config))
