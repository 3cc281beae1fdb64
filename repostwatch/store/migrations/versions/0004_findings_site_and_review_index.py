"""findings.site and a covering index for the review list

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28 12:00:00

The review UI counts findings per verdict, credit status, review state, site and original
under any combination of filters, and sorts them by check time, first sighting or coverage.
Findings rows are fat (evidence and passages: ~5 KB), so every such count must come from an
index, never the table: measured on 100,000 findings (benchmarks/review.py), counting by
review state with a credit-status filter took 150 ms reading rows, 12 ms from this index.

- ``findings.site``: the page's host, copied from ``pages.site`` (a page's site never changes)
  so the site facet and filter need no join (backfilled here).
- ``ix_findings_review_list``: (verdict, credit_status, review_state, site, original_id,
  last_checked, first_seen, coverage), covering every filter and sort of the list.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0004'
down_revision: Union[str, Sequence[str], None] = '0003'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_COLUMNS = ['verdict', 'credit_status', 'review_state', 'site', 'original_id', 'last_checked',
            'first_seen', 'coverage']


def upgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('site', sa.String(length=255), nullable=False,
                                      server_default=''))
    op.execute("UPDATE findings SET site = (SELECT pages.site FROM pages "
               "WHERE pages.id = findings.page_id)")
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.create_index('ix_findings_review_list', _COLUMNS, unique=False)


def downgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_review_list')
        batch_op.drop_column('site')
