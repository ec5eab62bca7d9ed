"""Reports over time: exam attempts indexed by their start

Revision ID: c41e7a9d2b10
Revises: 8bb3f24c63a0
Create Date: 2026-12-03 08:00:00
"""
from alembic import op

revision = 'c41e7a9d2b10'
down_revision = '8bb3f24c63a0'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_exam_attempt_started_at', ['started_at'], unique=False)


def downgrade():
    with op.batch_alter_table('exam_attempt', schema=None) as batch_op:
        batch_op.drop_index('ix_exam_attempt_started_at')
