"""each staff member's time by month

Revision ID: 79604a925007
Revises: d68d68e01626
Create Date: 2026-12-07 06:10:00

The time report over years summed every time row of the range (175,000 over ten years of an agency); it now adds
up the months wholly in the range from this table, kept in step by the application, and only the days of a
partial first or last month from the rows.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '79604a925007'
down_revision = 'd68d68e01626'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'time_month',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('month', sa.Date(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('activity', sa.String(length=20), nullable=False),
        sa.Column('payer_key', sa.Integer(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['staff_id'], ['user.id'], name=op.f('fk_time_month_staff_id_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_time_month')),
        sa.UniqueConstraint('month', 'staff_id', 'activity', 'payer_key', name='uq_time_month_key'))
    month = ("CAST(date_trunc('month', day) AS DATE)" if op.get_bind().dialect.name == "postgresql"
             else "date(day, 'start of month')")
    op.execute(f"INSERT INTO time_month (month, staff_id, activity, payer_key, minutes, entries) "
               f"SELECT {month}, staff_id, activity, COALESCE(payer_id, 0), SUM(minutes), COUNT(*) FROM time_entry "
               f"GROUP BY {month}, staff_id, activity, COALESCE(payer_id, 0)")


def downgrade():
    op.drop_table('time_month')
