"""originals' sources (wire stories), copies kept apart, pages' own dates

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 18:00:00

A newspaper's archive mixes its own stories with wire stories (AP, Reuters, AFP...); copies of
a wire story elsewhere are usually other licensees of the same wire, not copies of the
publisher. Each original now carries its source as decided from its own marks (``matcher.
detect_source``) or set by a person, and each finding says whether it is kept out of "lacking
credit" and why, so that lists and counts stay plain indexed queries.

- ``originals.source``: the effective source (a wire's name; NULL: the publisher's own);
  ``source_detected``, ``source_reason``, ``source_evidence``: what detection said (NULL
  reason: not decided yet, decided at the next import); ``source_set_by``: ``detected`` or
  ``person`` (an override, kept through re-imports).
- ``publications.report_syndicated``: the config's rule, kept to notice when it changes.
- ``findings.kept_apart``: ``syndicated`` / ``earlier`` / NULL (``matcher.kept_apart``);
  ``findings.page_published``: the date the copying page gives for itself.
- ``ix_findings_review_list`` gains ``kept_apart`` (last), so that "lacking credit" counts
  per site still come from the covering index (0004), not the fat rows.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0005'
down_revision: Union[str, Sequence[str], None] = '0004'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

_REVIEW_LIST = ['verdict', 'credit_status', 'review_state', 'site', 'original_id',
                'last_checked', 'first_seen', 'coverage']  # 0004's covering index


def upgrade() -> None:
    with op.batch_alter_table('originals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('source_detected', sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column('source_reason', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('source_evidence', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('source_set_by', sa.String(length=16), nullable=False,
                                      server_default='detected'))
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('report_syndicated', sa.Boolean(), nullable=False,
                                      server_default='0'))  # a literal: SQLite adds the column
        # in place (an expression made Alembic copy the table, and dropping the old one cascaded)
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kept_apart', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('page_published', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_findings_kept_apart', ['kept_apart'], unique=False)
        batch_op.drop_index('ix_findings_review_list')
        batch_op.create_index('ix_findings_review_list', [*_REVIEW_LIST, 'kept_apart'],
                              unique=False)


def downgrade() -> None:
    with op.batch_alter_table('findings', schema=None) as batch_op:
        batch_op.drop_index('ix_findings_review_list')
        batch_op.create_index('ix_findings_review_list', _REVIEW_LIST, unique=False)
        batch_op.drop_index('ix_findings_kept_apart')
        batch_op.drop_column('page_published')
        batch_op.drop_column('kept_apart')
    with op.batch_alter_table('publications', schema=None) as batch_op:
        batch_op.drop_column('report_syndicated')
    with op.batch_alter_table('originals', schema=None) as batch_op:
        batch_op.drop_column('source_set_by')
        batch_op.drop_column('source_evidence')
        batch_op.drop_column('source_reason')
        batch_op.drop_column('source_detected')
        batch_op.drop_column('source')
