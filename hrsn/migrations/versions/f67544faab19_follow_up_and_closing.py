"""follow-up and closing: program templates, check-ins, member episodes, payer deadlines and outcome words

Revision ID: f67544faab19
Revises: eca3a11d541b
Create Date: 2026-12-02 00:45:36.429636

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'f67544faab19'
down_revision = 'eca3a11d541b'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('followup_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('service_type_id', sa.Integer(), nullable=False),
    sa.Column('style', sa.String(length=10), nullable=False),
    sa.Column('check_in_months', sa.String(length=100), nullable=True),
    sa.Column('closing_month', sa.Integer(), nullable=True),
    sa.Column('count_from', sa.String(length=15), nullable=False),
    sa.Column('active', sa.Boolean(), server_default=sa.true(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['service_type_id'], ['service_type.id'], name=op.f('fk_followup_template_service_type_id_service_type')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_followup_template')),
    sa.UniqueConstraint('service_type_id', name=op.f('uq_followup_template_service_type_id'))
    )
    op.create_table('payer_deadline',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('first_contact_days', sa.Integer(), nullable=False),
    sa.Column('outreach_days', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['payer_id'], ['payer.id'], name=op.f('fk_payer_deadline_payer_id_payer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payer_deadline')),
    sa.UniqueConstraint('payer_id', name=op.f('uq_payer_deadline_payer_id'))
    )
    op.create_table('payer_outcome_word',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('payer_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=30), nullable=False),
    sa.Column('words', sa.String(length=200), nullable=False),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['payer_id'], ['payer.id'], name=op.f('fk_payer_outcome_word_payer_id_payer')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_payer_outcome_word')),
    sa.UniqueConstraint('payer_id', 'reason', name='payer_outcome_reason')
    )
    with op.batch_alter_table('payer_outcome_word', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_payer_outcome_word_payer_id'), ['payer_id'], unique=False)

    op.create_table('member_episode',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('open_reason', sa.String(length=1000), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.Column('closed_on', sa.Date(), nullable=True),
    sa.Column('close_reason', sa.String(length=30), nullable=True),
    sa.Column('summary', sa.String(length=2000), nullable=True),
    sa.Column('closed_by_id', sa.Integer(), nullable=True),
    sa.Column('carried', sa.JSON(), nullable=True),
    sa.Column('reported_on', sa.Date(), nullable=True),
    sa.Column('reported_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['closed_by_id'], ['user.id'], name=op.f('fk_member_episode_closed_by_id_user')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_member_episode_member_id_member')),
    sa.ForeignKeyConstraint(['opened_by_id'], ['user.id'], name=op.f('fk_member_episode_opened_by_id_user')),
    sa.ForeignKeyConstraint(['reported_by_id'], ['user.id'], name=op.f('fk_member_episode_reported_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_member_episode')),
    sa.UniqueConstraint('member_id', 'number', name='member_episode_number')
    )
    with op.batch_alter_table('member_episode', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_member_episode_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_member_episode_reported', ['reported_on', 'closed_on'], unique=False)

    op.create_table('check_in',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('case_id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Integer(), nullable=False),
    sa.Column('template_id', sa.Integer(), nullable=True),
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('planned_on', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('done_on', sa.Date(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('changed_by_id', sa.Integer(), nullable=True),
    sa.Column('changed_at', sa.DateTime(), nullable=True),
    sa.Column('version', sa.Integer(), server_default='1', nullable=False),
    sa.ForeignKeyConstraint(['case_id'], ['service_case.id'], name=op.f('fk_check_in_case_id_service_case')),
    sa.ForeignKeyConstraint(['changed_by_id'], ['user.id'], name=op.f('fk_check_in_changed_by_id_user')),
    sa.ForeignKeyConstraint(['contact_id'], ['contact_attempt.id'], name=op.f('fk_check_in_contact_id_contact_attempt')),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], name=op.f('fk_check_in_member_id_member')),
    sa.ForeignKeyConstraint(['template_id'], ['followup_template.id'], name=op.f('fk_check_in_template_id_followup_template')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_check_in'))
    )
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_check_in_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_check_in_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_check_in_status_due', ['status', 'due_on'], unique=False)



def downgrade():
    with op.batch_alter_table('check_in', schema=None) as batch_op:
        batch_op.drop_index('ix_check_in_status_due')
        batch_op.drop_index(batch_op.f('ix_check_in_member_id'))
        batch_op.drop_index(batch_op.f('ix_check_in_case_id'))

    op.drop_table('check_in')
    with op.batch_alter_table('member_episode', schema=None) as batch_op:
        batch_op.drop_index('ix_member_episode_reported')
        batch_op.drop_index(batch_op.f('ix_member_episode_member_id'))

    op.drop_table('member_episode')
    with op.batch_alter_table('payer_outcome_word', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_payer_outcome_word_payer_id'))

    op.drop_table('payer_outcome_word')
    op.drop_table('payer_deadline')
    op.drop_table('followup_template')
