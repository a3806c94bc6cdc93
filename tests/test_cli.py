"""The flask commands: create-user and seed-demo."""
import pytest

from hrsn.extensions import db
from hrsn.models import Member, Referral, User


def test_create_user(runner, app):
    result = runner.invoke(args=["create-user", "--email", "Ana@Org.example", "--name", "Ana",
                                 "--role", "coordinator", "--languages", "en,es", "--password", "una frase larga"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = db.session.scalar(db.select(User))
        assert (user.email, user.role, user.language_list) == ("ana@org.example", "coordinator", ["en", "es"])


def test_create_user_prompts_for_password(runner, app):
    result = runner.invoke(args=["create-user", "--email", "p@org.example", "--name", "P", "--role", "finance"],
                           input="prompted phrase ok\nprompted phrase ok\n")
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("args, reason", [
    (["--role", "boss"], "'boss' is not one of"),
    (["--email", "x" * 10_000 + "@a.b"], "email address is not valid"),
    (["--password", "short"], "at least 8"),
    (["--languages", "fr"], "languages must be among"),
])
def test_create_user_refuses_bad_input(runner, app, args, reason):
    base = {"--email": "a@org.example", "--name": "A", "--role": "admin", "--password": "long enough ok"}
    for key, value in zip(args[::2], args[1::2]):
        base[key] = value
    flat = [item for pair in base.items() for item in pair]
    if "--languages" in args:
        flat += ["--languages", args[args.index("--languages") + 1]]
    result = runner.invoke(args=["create-user", *flat])
    assert result.exit_code != 0 and reason in result.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(User.id))) == 0


def test_create_user_refuses_duplicate(runner, app):
    args = ["create-user", "--email", "a@org.example", "--name", "A", "--role", "admin", "--password", "long enough ok"]
    assert runner.invoke(args=args).exit_code == 0
    again = runner.invoke(args=args)
    assert again.exit_code != 0 and "already exists" in again.output


def test_seed_demo(runner, app):
    result = runner.invoke(args=["seed-demo", "--members", "20", "--password", "demo pass phrase"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        emails = set(db.session.scalars(db.select(User.email)))
        assert {"admin@demo.local", "coordinator@demo.local", "casemanager1@demo.local",
                "casemanager2@demo.local", "finance@demo.local"} <= emails
        members = db.session.scalars(db.select(Member)).all()
        assert len(members) == 20
        assert sum(m.preferred_language == "es" for m in members) == 10
        assignees = {m.assignee.email for m in members if m.assignee}
        assert assignees == {"casemanager1@demo.local", "casemanager2@demo.local"}
        statuses = set(db.session.scalars(db.select(Referral.status)))
        assert {"new", "waitlist", "enrolled", "declined", "redirected", "closed"} <= statuses
    again = runner.invoke(args=["seed-demo", "--members", "5"])
    assert again.exit_code != 0


def test_start_up_works_the_outreach_rule_out_only_when_a_latest_referral_lacks_it(app, monkeypatch):
    """`hrsn serve` starts with prepare(): it fills the outreach state an upgraded install lacks, and is otherwise
    one query, even when a member's older referral is still open (only the latest holds the state)."""
    from datetime import date
    from conftest import make_member
    from hrsn import cli, models
    runs = []
    monkeypatch.setattr(models, "store_all_outreach", lambda: runs.append(1) or 0)
    with app.app_context():
        member = make_member("Two", "Open", status="enrolled", received_on=date(2026, 1, 5))
        db.session.add(Referral(member=member, received_on=date(2026, 3, 1), source="phone", status="new"))
        db.session.commit()
        older, latest = sorted(member.referrals, key=lambda r: r.received_on)
        db.session.execute(db.update(Referral).values(outreach_state=None).where(Referral.id == older.id))
        db.session.execute(db.update(Referral).values(outreach_state="trying").where(Referral.id == latest.id))
        db.session.commit()
        cli.prepare()
        assert runs == []
        db.session.execute(db.update(Referral).values(outreach_state=None).where(Referral.id == latest.id))
        db.session.commit()
        cli.prepare()
        assert runs == [1]


def test_an_upgraded_install_gets_the_day_one_data_of_a_step_it_did_not_have(app):
    """An agency set up before the follow-up step: its tables are empty after the upgrade; the next start fills
    them (and only empty ones: an admin's own words stay)."""
    from conftest import make_user
    from hrsn import cli
    from hrsn.models import FollowupTemplate, MessageTemplate
    with app.app_context():
        make_user("admin")
        db.session.execute(db.delete(FollowupTemplate))
        template = db.session.scalars(db.select(MessageTemplate)).first()
        template.body = "Our own words"
        db.session.commit()
        cli.prepare()
        assert db.session.scalar(db.select(db.func.count(FollowupTemplate.id))) > 0
        assert db.session.get(MessageTemplate, template.id).body == "Our own words"
