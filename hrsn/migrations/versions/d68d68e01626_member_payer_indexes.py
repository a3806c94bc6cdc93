"""a member's cases and referrals by payer

Revision ID: d68d68e01626
Revises: 1715a85367c5
Create Date: 2026-12-07 03:35:00

The billing export looks up, for each member billed, the latest authorization of their case with the payer and
the latest referral the payer sent; without these the database searched every case and referral of the payer.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'd68d68e01626'
down_revision = '1715a85367c5'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_service_case_member_payer", "service_case", ["member_id", "payer_id"])
    op.create_index("ix_referral_member_payer", "referral", ["member_id", "payer_id"])


def downgrade():
    op.drop_index("ix_referral_member_payer", table_name="referral")
    op.drop_index("ix_service_case_member_payer", table_name="service_case")
