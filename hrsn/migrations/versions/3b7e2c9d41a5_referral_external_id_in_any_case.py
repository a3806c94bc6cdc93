"""a referral's ID on the payer's platform found in any letters' case by an index

Revision ID: 3b7e2c9d41a5
Revises: 1d1370d5b8f9
Create Date: 2026-12-07 12:00:00

A search that is exactly one referral's external ID opens it; the ID was compared in lower case, which no index
served: every referral the user may see was read (2 ms of each search at ten years of an agency).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '3b7e2c9d41a5'
down_revision = '1d1370d5b8f9'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_referral_external_id_lower', 'referral', [sa.text('lower(external_id)')], unique=False)


def downgrade():
    op.drop_index('ix_referral_external_id_lower', table_name='referral')
