"""Throttling scopes: wrong exam access codes counted beside failed sign-ins

Revision ID: eabe8600a46f
Revises: 38d670c08acf
Create Date: 2026-12-04 18:50:00.000000

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'eabe8600a46f'
down_revision = '38d670c08acf'
branch_labels = None
depends_on = None


def upgrade():
    # Existing rows are failed sign-ins and their releases: the server default says so.
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=20), server_default='login', nullable=False))
    with op.batch_alter_table('login_release', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scope', sa.String(length=20), server_default='login', nullable=False))


def downgrade():
    # The other scopes' rows would read as sign-ins once the column is gone.
    op.execute("DELETE FROM login_failure WHERE scope <> 'login'")
    op.execute("DELETE FROM login_release WHERE scope <> 'login'")
    with op.batch_alter_table('login_release', schema=None) as batch_op:
        batch_op.drop_column('scope')
    with op.batch_alter_table('login_failure', schema=None) as batch_op:
        batch_op.drop_column('scope')
