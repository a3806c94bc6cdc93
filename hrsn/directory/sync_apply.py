"""The directory as an import compares it (every row by its HSDS id), and a checked import applied with bulk
statements: new rows inserted, changed rows updated (their version moves on, so an edit form open meanwhile is
told), each change written to the audit trail. The caller commits once."""
from collections import Counter
from functools import lru_cache

import sqlalchemy as sa

from hrsn.directory.sync import LISTS, MODELS, SPECS, Plan
from hrsn.extensions import db
from hrsn.models import (AuditEvent, Payer, Service, ServiceCategory, ServiceType, area_of, fold,
                         organization_payer, organization_service_type, rank_text, search_text, utcnow)

ORDER = ("organization", "location", "service", "service_at_location", "contact", "phone", "language",
         "service_area", "schedule")
DERIVED = ("name_key", "search_key", "rank_key", "kind", "key", "days", "updated_at")
DEFAULTS = {"version": 1, "preferred_partner": False, "accepting_referrals": True, "status": "active",
            "location_type": "physical", "search_key": "", "days": 0}
VERSIONED = {"organization", "location", "service"}


def columns(table: str) -> list[str]:
    """Our columns an import compares for a table (a location also holds its address)."""
    names = [ours for _c, ours, _f in SPECS[table].fields] + [ours for _c, ours, _p, _r in SPECS[table].refs]
    if table == "location":
        names += [ours for _c, ours, _f in SPECS["address"].fields]
    return [name for name in dict.fromkeys(names) if name not in LISTS.get(table, ())]


def _lists() -> dict:
    """The organizations' payers and HRSN services and the services' needs, as sorted lists by row id."""
    found = {"payers": {}, "hrsn_services": {}, "domains": {}}
    queries = {"payers": sa.select(organization_payer.c.organization_id, Payer.name).join(Payer),
               "hrsn_services": sa.select(organization_service_type.c.organization_id, ServiceType.code)
               .join(ServiceType),
               "domains": sa.select(ServiceCategory.service_id, ServiceCategory.domain)}
    for key, query in queries.items():
        for owner, value in db.session.execute(query):
            found[key].setdefault(owner, []).append(value)
    return {key: {owner: sorted(values) for owner, values in by_owner.items()} for key, by_owner in found.items()}


def load_existing(result: Plan) -> None:
    """Every row of the directory by HSDS id, its references written as HSDS ids too (a handful of queries)."""
    rows, at = {}, {}
    for table, model in MODELS.items():
        ordered = [model.__table__.c.id, *(c for c in model.__table__.c if c.name != "id")]    # the id first
        rows[table] = db.session.execute(sa.select(*ordered)).all()
        at[table] = {column.name: i for i, column in enumerate(ordered)}
    result.ids = {table: {row[at[table]["hsds_id"]]: row[0] for row in found} for table, found in rows.items()}
    back = {table: {row[0]: row[at[table]["hsds_id"]] for row in found} for table, found in rows.items()}
    lists = _lists()
    for table, found in rows.items():
        refs = [(at[table][c], c, back[parent]) for _h, c, parent, _r in SPECS[table].refs]
        plain = [(at[table][c], c) for c in columns(table) if c not in {ref[1] for ref in refs}]
        version = at[table].get("version")
        listed = [(key, lists[key]) for key in LISTS.get(table, ())]
        result.existing[table] = {
            row[at[table]["hsds_id"]]: {**{c: row[i] for i, c in plain},
                                        **{c: names.get(row[i]) for i, c, names in refs},
                                        **{key: values.get(row[0], []) for key, values in listed},
                                        "_id": row[0], "_version": row[version] if version is not None else None}
            for row in found}


def _values(result: Plan, table: str, hsds_id: str, record: dict, before: dict | None, now, names: dict) -> dict:
    """A full row for the table: what it was, with the file's values over it, references as row ids."""
    merged = {**(before or {}), **record}
    row = {name: merged.get(name, DEFAULTS.get(name)) for name in _names(table)}
    for _c, ours, parent, _r in SPECS[table].refs:
        if ours in row:
            row[ours] = result.ids[parent].get(merged.get(ours)) if merged.get(ours) else None
    row["hsds_id"] = hsds_id
    if "updated_at" in row:
        row["updated_at"] = now
    if table == "organization":
        row["name_key"] = fold(row["name"])
    elif table == "service":
        preferred, organization = names.get(merged.get("organization_id"), (False, ""))
        row["search_key"] = search_text(row["name"], row["alternate_name"], organization,
                                        row["eligibility_description"], row["description"],
                                        domains=merged.get("domains", ()))
        row["rank_key"] = rank_text(preferred, organization, row["name"])
    elif table == "service_area":
        row["kind"], row["key"] = area_of(row["name"])
    return row


@lru_cache(maxsize=None)
def _names(table: str) -> tuple:
    return tuple(column.name for column in MODELS[table].__table__.c if column.name != "id")


def apply(result: Plan, user) -> Counter:
    """Write what the plan found; nothing is deleted (a row missing from the file stays as it is)."""
    now, counts = utcnow(), Counter()
    names = {hsds: (row["preferred_partner"], row["name"]) for hsds, row in result.existing["organization"].items()}
    for hsds, (_l, record) in result.incoming["organization"].items():
        before = names.get(hsds, (False, ""))
        names[hsds] = (record.get("preferred_partner", before[0]), record.get("name", before[1]))
    for table in ORDER:
        t = MODELS[table].__table__
        existing = result.existing.get(table, {})
        new = [_values(result, table, h, result.incoming[table][h][1], None, now, names) for _l, h in result.new[table]]
        if new:
            db.session.execute(sa.insert(t), new)
        changed, kept = [], [c for c in (*columns(table), *DERIVED) if c in t.c]
        for _line, hsds_id, _diff in result.changed[table]:
            row = _values(result, table, hsds_id, result.incoming[table][hsds_id][1], existing[hsds_id], now, names)
            changed.append({"row_id": existing[hsds_id]["_id"], **{f"v_{k}": row[k] for k in kept}})
        if changed:
            sets = {k[2:]: sa.bindparam(k) for k in changed[0] if k != "row_id"}
            if "version" in t.c:
                sets["version"] = t.c.version + 1
            db.session.execute(sa.update(t).where(t.c.id == sa.bindparam("row_id")).values(sets), changed)
        result.ids[table] = dict(db.session.execute(sa.select(t.c.hsds_id, t.c.id)).all())
        counts["new"] += len(new)
        counts["changed"] += len(changed)
        _apply_lists(result, table)
    _refresh_names(result)
    _trail(result, user, now)
    return counts


def _apply_lists(result: Plan, table: str) -> None:
    keys = LISTS.get(table, ())
    targets = {"payers": (organization_payer, "organization_id", "payer_id", sa.select(Payer.name, Payer.id)),
               "hrsn_services": (organization_service_type, "organization_id", "service_type_id",
                                 sa.select(ServiceType.code, ServiceType.id)),
               "domains": (ServiceCategory.__table__, "service_id", "domain", None)}
    for key in keys:
        assoc, owner_col, value_col, lookup = targets[key]
        ids = dict(db.session.execute(lookup).all()) if lookup is not None else None
        touched = {result.ids[table][h]: rec[key] for h, (_l, rec) in result.incoming[table].items() if key in rec
                   and (h not in result.existing[table] or result.existing[table][h][key] != rec[key])}
        if not touched:
            continue
        db.session.execute(sa.delete(assoc).where(assoc.c[owner_col].in_(list(touched))))
        pairs = [{owner_col: owner, value_col: ids[v] if ids is not None else v}
                 for owner, values in touched.items() for v in values]
        if pairs:
            db.session.execute(sa.insert(assoc), pairs)


def _refresh_names(result: Plan) -> None:
    """An organization renamed (or made a preferred partner) by the file: its services follow."""
    renamed = [result.ids["organization"][h] for _l, h, diff in result.changed["organization"]
               if {"name", "preferred_partner"} & set(diff)]
    for service in db.session.scalars(sa.select(Service).where(Service.organization_id.in_(renamed))):
        service.refresh_search()


def _trail(result: Plan, user, now) -> None:
    who = {"user_id": user.id, "email": user.email, "at": now, "action": "update", "ip": None}
    rows = [{**who, "record_type": MODELS[table].__name__, "record_id": result.existing[table][h]["_id"],
             "record_version": (result.existing[table][h]["_version"] or 0) + 1, "member_id": None,
             "changes": {k: [_plain(v[0]), _plain(v[1])] for k, v in diff.items()}}
            for table in VERSIONED for _l, h, diff in result.changed[table]]
    rows.append({**who, "record_type": "DirectoryImport", "record_id": None, "record_version": None,
                 "member_id": None, "changes": {"new": [None, sum(map(len, result.new.values()))],
                                                "changed": [None, sum(map(len, result.changed.values()))]}})
    db.session.execute(sa.insert(AuditEvent.__table__), rows)


def _plain(value):
    from hrsn.audit import plain
    return plain(value)
