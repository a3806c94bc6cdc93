"""audit hash chain, care runs

Revision ID: 1715a85367c5
Revises: 8650ed46d551
Create Date: 2026-12-02 00:45:51.358532

"""
import hashlib
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '1715a85367c5'
down_revision = '8650ed46d551'
branch_labels = None
depends_on = None

# The events already in the trail are hashed here, in order, as hrsn.audit.event_hash hashes new ones (the same
# written form, kept here as it was when this migration was written). The append-only triggers are lifted for
# the backfill only, in the same transaction on PostgreSQL.
CHAINED = ("at", "user_id", "email", "action", "member_id", "record_type", "record_id", "record_version", "changes",
           "ip")
GENESIS = "0" * 64
BATCH = 5000

TRIGGERS_OFF = {
    "sqlite": ["DROP TRIGGER IF EXISTS audit_event_no_update", "DROP TRIGGER IF EXISTS audit_event_no_delete"],
    "postgresql": ["DROP TRIGGER IF EXISTS audit_event_no_change ON audit_event"],
}
TRIGGERS_ON = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail can only be appended to'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'the audit trail can only be appended to'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger AS $$ "
        "BEGIN RAISE EXCEPTION 'the audit trail can only be appended to'; END $$ LANGUAGE plpgsql",
        "CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
}

audit_event = sa.table(
    "audit_event", sa.column("id", sa.Integer), sa.column("at", sa.DateTime), sa.column("user_id", sa.Integer),
    sa.column("email", sa.String), sa.column("action", sa.String), sa.column("member_id", sa.Integer),
    sa.column("record_type", sa.String), sa.column("record_id", sa.Integer),
    sa.column("record_version", sa.Integer), sa.column("changes", sa.JSON), sa.column("ip", sa.String),
    sa.column("prev_hash", sa.String), sa.column("row_hash", sa.String))


def event_hash(prev_hash, row):
    fields = {key: row[key] for key in CHAINED}
    if fields["at"] is not None:
        fields["at"] = fields["at"].isoformat(sep=" ", timespec="microseconds")
    text = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(f"{prev_hash}|{text}".encode()).hexdigest()


def backfill(bind):
    head, last = GENESIS, 0
    columns = [audit_event.c.id, *(audit_event.c[key] for key in CHAINED)]
    while True:
        rows = bind.execute(sa.select(*columns).where(audit_event.c.id > last).order_by(audit_event.c.id)
                            .limit(BATCH)).mappings().all()
        if not rows:
            return
        updates = []
        for row in rows:
            digest = event_hash(head, row)
            updates.append({"key": row["id"], "prev": head, "digest": digest})
            head, last = digest, row["id"]
        bind.execute(sa.update(audit_event).where(audit_event.c.id == sa.bindparam("key"))
                     .values(prev_hash=sa.bindparam("prev"), row_hash=sa.bindparam("digest")), updates)


def upgrade():
    op.create_table('care_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('ok', sa.Boolean(), nullable=False),
    sa.Column('summary', sa.JSON(), nullable=True),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('how', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['by_id'], ['user.id'], name=op.f('fk_care_run_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_care_run'))
    )
    op.create_index('ix_care_run_kind_at', 'care_run', ['kind', 'at'], unique=False)
    # Plain ADD COLUMN on both databases (no table rebuild, so the triggers stay until lifted below).
    op.add_column('audit_event', sa.Column('prev_hash', sa.String(length=64), nullable=True))
    op.add_column('audit_event', sa.Column('row_hash', sa.String(length=64), nullable=True))
    bind = op.get_bind()
    dialect = bind.dialect.name
    for statement in TRIGGERS_OFF.get(dialect, []):
        op.execute(statement)
    backfill(bind)
    for statement in TRIGGERS_ON.get(dialect, []):
        op.execute(statement)


def downgrade():
    dialect = op.get_bind().dialect.name
    for statement in TRIGGERS_OFF.get(dialect, []):
        op.execute(statement)
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_column('row_hash')
        batch_op.drop_column('prev_hash')
    for statement in TRIGGERS_ON.get(dialect, []):
        op.execute(statement)
    op.drop_index('ix_care_run_kind_at', table_name='care_run')
    op.drop_table('care_run')
