"""evidence (page_versions), originals' HTTP validators, checks naming their version

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 10:00:00

- ``page_versions``: every distinct body of a page that held a copy (or had a finding),
  zlib-compressed, with headers, final URL, status and fetch times; unique (page, hash).
- ``originals``: ``etag``, ``last_modified`` (sent back for conditional GET) and ``lastmod``
  (the sitemap's, at the last fetch).
- ``finding_checks``: ``http_status`` and ``page_version_id`` (the evidence judged).
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0002'
down_revision: Union[str, Sequence[str], None] = '0001'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('page_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('page_id', sa.Integer(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('body', sa.LargeBinary(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('encoding', sa.String(length=40), nullable=False),
    sa.Column('final_url', sa.Text(), nullable=False),
    sa.Column('status', sa.Integer(), nullable=True),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('fetched_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['page_id'], ['pages.id'], name=op.f('fk_page_versions_page_id_pages'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_page_versions')),
    sa.UniqueConstraint('page_id', 'content_hash', name=op.f('uq_page_versions_page_id'))
    )
    with op.batch_alter_table('originals', schema=None) as batch_op:
        batch_op.add_column(sa.Column('etag', sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column('last_modified', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('lastmod', sa.DateTime(timezone=True), nullable=True))

    with op.batch_alter_table('finding_checks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('http_status', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('page_version_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_finding_checks_page_version_id'), ['page_version_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_finding_checks_page_version_id_page_versions'), 'page_versions', ['page_version_id'], ['id'], ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('finding_checks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_finding_checks_page_version_id_page_versions'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_finding_checks_page_version_id'))
        batch_op.drop_column('page_version_id')
        batch_op.drop_column('http_status')

    with op.batch_alter_table('originals', schema=None) as batch_op:
        batch_op.drop_column('lastmod')
        batch_op.drop_column('last_modified')
        batch_op.drop_column('etag')

    op.drop_table('page_versions')
