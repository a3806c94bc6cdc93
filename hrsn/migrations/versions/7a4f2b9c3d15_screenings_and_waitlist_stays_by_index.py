"""screenings completed in a range, and waitlist stays, found by indexes

Revision ID: 7a4f2b9c3d15
Revises: 5c8d1e7f2a90
Create Date: 2026-12-07 18:00:00

The needs report counts the screenings completed in its range and lists them to find the needs they found: both
read every screening with its answers (3 ms of the report's 19 at ten years of an agency). An index of the status
and the moment of completion serves both alone.

The waitlist report reads each move to the waitlist and then its referral's next decision; the moves were found
by an index of the status and the referral, their moments in the table (12 ms of the report at ten years, 9 with
the moment in the index).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '7a4f2b9c3d15'
down_revision = '5c8d1e7f2a90'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_screening_status_completed', 'screening', ['status', 'completed_at'], unique=False)
    op.create_index('ix_triage_decision_to_referral_at', 'triage_decision', ['to_status', 'referral_id', 'decided_at'],
                    unique=False)
    op.drop_index('ix_triage_decision_to_referral', table_name='triage_decision')


def downgrade():
    op.create_index('ix_triage_decision_to_referral', 'triage_decision', ['to_status', 'referral_id'], unique=False)
    op.drop_index('ix_triage_decision_to_referral_at', table_name='triage_decision')
    op.drop_index('ix_screening_status_completed', table_name='screening')
