"""the funnel, the deadlines and the referral evaluation read from indexes alone

Revision ID: 9d2e6b1f4c70
Revises: 7a4f2b9c3d15
Create Date: 2026-12-07 23:30:00

The funnel and the deadlines report found the referrals received in their range by an index of the day, then read
each from the table for its payer, source, status and milestones; the referral evaluation did the same with the
referrals out made in its range for when the service started, was still received and ended. Over ten years of an
agency that is every referral, each a read of its own. The indexes now hold those columns, and replace the
narrower ones they begin with.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '9d2e6b1f4c70'
down_revision = '7a4f2b9c3d15'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_referral_received_figures', 'referral',
                    ['received_on', 'payer_id', 'source', 'status', 'member_id', 'first_reached_at',
                     'first_contact_at', 'first_paid_on'], unique=False)
    op.drop_index('ix_referral_received', table_name='referral')
    op.create_index('ix_referral_out_made_figures', 'referral_out',
                    ['made_on', 'organization_id', 'member_id', 'status', 'started_on', 'receiving_on', 'ended_on'],
                    unique=False)
    op.drop_index('ix_referral_out_made_org', table_name='referral_out')


def downgrade():
    op.create_index('ix_referral_out_made_org', 'referral_out', ['made_on', 'organization_id', 'member_id', 'status'],
                    unique=False)
    op.drop_index('ix_referral_out_made_figures', table_name='referral_out')
    op.create_index('ix_referral_received', 'referral', ['received_on'], unique=False)
    op.drop_index('ix_referral_received_figures', table_name='referral')
