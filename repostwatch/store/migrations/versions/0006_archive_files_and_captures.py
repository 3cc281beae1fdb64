"""archive files and captures: what a WARC scan read and where each finding came from

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 12:00:00

- ``archive_files``: each WARC / ARC file a scan read (unique on the SHA-256 of its location),
  its status (scanning, done, failed), attempts, the worker scanning it and its heartbeat,
  and what it counted; a ``done`` file is skipped by the next scan.
- ``archive_captures``: the archive record a finding was judged from (file, offset, record
  id, capture date, the page version kept); unique per (finding, file, offset), so a file
  scanned again adds nothing.
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa


revision: str = '0006'
down_revision: Union[str, Sequence[str], None] = '0005'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('archive_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('location_key', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('worker', sa.String(length=200), nullable=False),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('records', sa.Integer(), nullable=False),
    sa.Column('copies', sa.Integer(), nullable=False),
    sa.Column('stats', sa.JSON(), nullable=False),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_archive_files_run_id_crawl_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_files')),
    sa.UniqueConstraint('location_key', name=op.f('uq_archive_files_location_key'))
    )
    op.create_table('archive_captures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finding_id', sa.Integer(), nullable=False),
    sa.Column('location', sa.Text(), nullable=False),
    sa.Column('location_key', sa.String(length=64), nullable=False),
    sa.Column('offset', sa.BigInteger(), nullable=False),
    sa.Column('record_id', sa.String(length=200), nullable=False),
    sa.Column('captured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('page_version_id', sa.Integer(), nullable=True),
    sa.Column('run_id', sa.Integer(), nullable=True),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['finding_id'], ['findings.id'], name=op.f('fk_archive_captures_finding_id_findings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['page_version_id'], ['page_versions.id'], name=op.f('fk_archive_captures_page_version_id_page_versions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['run_id'], ['crawl_runs.id'], name=op.f('fk_archive_captures_run_id_crawl_runs'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_archive_captures')),
    sa.UniqueConstraint('finding_id', 'location_key', 'offset', name=op.f('uq_archive_captures_finding_id'))
    )
    with op.batch_alter_table('archive_captures', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_archive_captures_finding_id'), ['finding_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('archive_captures', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_archive_captures_finding_id'))
    op.drop_table('archive_captures')
    op.drop_table('archive_files')
