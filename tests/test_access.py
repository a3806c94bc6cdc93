"""The access rule on member records, by role."""
import pytest

from conftest import make_member, make_user
from hrsn.access import may_see, visible_members
from hrsn.extensions import db
from hrsn.models import AuditEvent, Member


@pytest.fixture
def people(app):
    with app.app_context():
        mine_cm = make_user("case_manager", email="mine@test.local")
        other_cm = make_user("case_manager", email="other@test.local")
        ids = {
            "mine": make_member("Ana", "Mía", assignee=mine_cm, status="enrolled").id,
            "theirs": make_member("Beto", "Ajeno", assignee=other_cm, status="enrolled").id,
            "unassigned_new": make_member("Cata", "Nueva", status="new").id,
            "unassigned_waitlist": make_member("Dani", "Espera", status="waitlist").id,
        }
        return ids


def test_visible_members_per_role(app, people):
    with app.app_context():
        for role, expected in [
            ("admin", set(people.values())),
            ("coordinator", set(people.values())),
        ]:
            user = make_user(role)
            assert {m.id for m in db.session.scalars(visible_members(user))} == expected
        from hrsn.models import User
        cm = db.session.scalar(db.select(User).where(User.email == "mine@test.local"))
        seen = {m.id for m in db.session.scalars(visible_members(cm))}
        assert seen == {people["mine"], people["unassigned_new"]}


def test_one_members_rule_agrees_with_the_lists(app, people):
    """A page of one member asks the rule of that row (may_see); a list asks it of every id (visible_members):
    both answer the same for every kind of member, a care-team member and every role included."""
    from hrsn.models import Member, MemberStaff, User
    with app.app_context():
        cm = db.session.scalar(db.select(User).where(User.email == "mine@test.local"))
        team = make_member("Eva", "Equipo", assignee=db.session.scalar(
            db.select(User).where(User.email == "other@test.local")), status="enrolled")
        db.session.add(MemberStaff(member_id=team.id, user_id=cm.id))
        db.session.commit()
        everyone = list(db.session.scalars(db.select(Member.id)))
        users = [cm, make_user("coordinator"), make_user("admin"), make_user("finance")]
        for user in users:
            listed = {m.id for m in db.session.scalars(visible_members(user))}
            assert {m for m in everyone if may_see(m, user)} == listed, user.role
        assert {m for m in everyone if may_see(m, cm)} == {people["mine"], people["unassigned_new"], team.id}


def test_case_manager_gets_404_for_someone_elses_member(client, app, people):
    from conftest import PASSWORD
    client.post("/login", data={"email": "mine@test.local", "password": PASSWORD})
    assert client.get(f"/members/{people['mine']}").status_code == 200
    assert client.get(f"/members/{people['unassigned_new']}").status_code == 200
    assert client.get(f"/members/{people['theirs']}").status_code == 404
    assert client.get(f"/members/{people['unassigned_waitlist']}").status_code == 404
    assert client.get("/members/999999").status_code == 404


def test_finance_is_refused_member_notes(auth, people):
    auth.login("finance")
    for tab in ("", "/contact", "/documents"):
        assert auth.client.get(f"/members/{people['mine']}{tab}").status_code == 403, tab
    assert auth.client.get("/members/").status_code == 403
    assert auth.client.get("/referrals/").status_code == 403


def test_views_are_written_to_the_audit_trail(app, auth, people):
    user = auth.login("coordinator")
    auth.client.get(f"/members/{people['theirs']}")
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent).where(AuditEvent.action == "view"))
        assert (event.user_id, event.member_id, event.record_type) == (user.id, people["theirs"], "intake")


def test_audit_trail_cannot_be_changed_or_deleted(app, auth, people):
    auth.login("coordinator")
    auth.client.get(f"/members/{people['mine']}")
    with app.app_context():
        event = db.session.scalar(db.select(AuditEvent))
        event.action = "create"
        with pytest.raises(PermissionError):
            db.session.commit()
        db.session.rollback()
        db.session.delete(db.session.scalar(db.select(AuditEvent)))
        with pytest.raises(PermissionError):
            db.session.commit()


def test_a_case_managers_list_is_the_same_whether_walked_in_name_order_or_gathered_first(app, auth, monkeypatch):
    """The first pages of the members list walk the members by name asking each the rule, the later ones gather
    the caseload first (members._listed): page after page, the same members in the same order, each once, and
    the same total, with the unassigned new referral and the care-team member among them and no one else's."""
    import re

    from hrsn import members
    from hrsn.models import MemberStaff, User
    monkeypatch.setattr(members, "PER_PAGE", 2)
    monkeypatch.setattr(members, "WALKED_PAGES", 2)
    cm = auth.login("case_manager")
    with app.app_context():
        other = make_user("case_manager", email="other@test.local")
        me = db.session.get(User, cm.id)
        expected = [make_member("Ana", f"Apellido{n}", assignee=me, status="enrolled") for n in (5, 1, 4)]
        expected.append(make_member("Cata", "Apellido2", status="new"))             # unassigned, to triage
        team = make_member("Eva", "Apellido3", assignee=other, status="enrolled")   # on my care team
        db.session.add(MemberStaff(member_id=team.id, user_id=me.id))
        make_member("Beto", "Apellido0", assignee=other, status="enrolled")        # not mine
        make_member("Dani", "Apellido6", status="waitlist")                         # unassigned, not new
        db.session.commit()
        expected = sorted([m.id for m in expected] + [team.id], key=lambda i: db.session.get(Member, i).last_name)
    seen = []
    for number in (1, 2, 3):
        page = auth.client.post("/members/", data={"page": str(number)}).get_data(as_text=True)
        assert f"Page {number} of 3" in page
        seen += [int(i) for i in re.findall(r'<tr><td><a href="/members/(\d+)">', page)]
    assert seen == expected
