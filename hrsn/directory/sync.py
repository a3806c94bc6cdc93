"""An HSDS import compared with the directory (what is new, changed, unchanged, in error and why, row by row),
then applied in one transaction with bulk statements: the same file imported twice changes nothing."""
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from babel import Locale
from flask_babel import gettext as _

from hrsn.directory.hsds import TABLES, Bundle
from hrsn.extensions import db
from hrsn.forms import clean_text
from hrsn.models import (NEED_DOMAINS, SERVICE_STATUSES, ContactPerson, Location, Organization, Payer, Phone,
                         Schedule, Service, ServiceArea, ServiceAtLocation, ServiceLanguage, ServiceType, area_of, fold)

MODELS = {"organization": Organization, "location": Location, "service": Service,
          "service_at_location": ServiceAtLocation, "contact": ContactPerson, "phone": Phone,
          "language": ServiceLanguage, "service_area": ServiceArea, "schedule": Schedule}
LISTS = {"organization": ("payers", "hrsn_services"), "service": ("domains",)}
TIME = re.compile(r"(\d{1,2}):(\d{2})")


def text(limit):
    def convert(value):
        value = clean_text(value)
        if len(value) > limit:
            raise ValueError(_("%(n)d characters is longer than the %(max)d kept.", n=len(value), max=limit))
        return value or None
    return convert


def required(limit):
    def convert(value):
        if not clean_text(value):
            raise ValueError(_("This cell is empty; it is needed."))
        return text(limit)(value)
    return convert


def boolean(default):
    def convert(value):
        word = fold(value)
        if not word:
            return default
        if word in ("true", "yes", "1", "y", "si", "x"):
            return True
        if word in ("false", "no", "0", "n"):
            return False
        raise ValueError(_("Write true or false."))
    return convert


def day(value):
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ValueError(_("Write the date as YYYY-MM-DD."))


def listed(allowed=None):
    def convert(value):
        items = [clean_text(v) for v in value.replace(",", ";").split(";") if clean_text(v)]
        unknown = [v for v in items if allowed is not None and v not in allowed()]
        if unknown:
            raise ValueError(_("Not known here: %(values)s.", values=", ".join(unknown)))
        return sorted(set(items))
    return convert


def status(value):
    value = fold(value) or "active"
    if value not in SERVICE_STATUSES:
        raise ValueError(_("The status must be active, inactive, defunct or temporarily closed."))
    return value


def clock(value):
    found = TIME.match(value.strip())
    if not value.strip():
        return None
    if not found or int(found[1]) > 24 or int(found[2]) > 59:
        raise ValueError(_("Write times as HH:MM."))
    return f"{int(found[1]):02d}:{found[2]}"


def language_code(value):
    return clean_text(value).lower()[:10] or None


def payer_names():
    return set(db.session.scalars(sa.select(Payer.name)))


def service_codes():
    return set(db.session.scalars(sa.select(ServiceType.code)))


@dataclass(frozen=True)
class Spec:
    fields: tuple                   # (HSDS column, our column, convert)
    refs: tuple = ()                # (HSDS column, our column, parent table, required)


SPECS = {
    "organization": Spec((("name", "name", required(200)), ("alternate_name", "alternate_name", text(200)),
                          ("description", "description", text(20000)), ("email", "email", text(254)),
                          ("website", "website", text(500)),
                          ("hrsn_preferred_partner", "preferred_partner", boolean(False)),
                          ("hrsn_payers", "payers", listed(payer_names)),
                          ("hrsn_services", "hrsn_services", listed(service_codes)))),
    "location": Spec((("location_type", "location_type", lambda v: fold(v) or "physical"),
                      ("name", "name", text(200)), ("description", "description", text(20000)),
                      ("transportation", "transportation", text(500)), ("url", "url", text(500))),
                     (("organization_id", "organization_id", "organization", False),)),
    "address": Spec((("id", "address_hsds_id", required(100)), ("address_1", "address_1", text(200)),
                     ("address_2", "address_2", text(200)), ("city", "city", text(100)),
                     ("state_province", "state_province", text(60)), ("postal_code", "postal_code", text(12)),
                     ("country", "country", text(2))),
                    (("location_id", "location_id", "location", True),)),
    "service": Spec((("name", "name", required(200)), ("alternate_name", "alternate_name", text(200)),
                     ("description", "description", text(20000)), ("url", "url", text(500)),
                     ("email", "email", text(254)), ("status", "status", status),
                     ("interpretation_services", "interpretation_services", text(500)),
                     ("application_process", "application_process", text(20000)),
                     ("fees_description", "fees_description", text(500)), ("wait_time", "wait_time", text(200)),
                     ("eligibility_description", "eligibility_description", text(20000)),
                     ("assured_date", "assured_on", day), ("assurer_email", "assurer_email", text(254)),
                     ("hrsn_need_domains", "domains", listed(lambda: NEED_DOMAINS)),
                     ("hrsn_accepting_referrals", "accepting_referrals", boolean(True)),
                     ("hrsn_documents_to_bring", "documents_to_bring", text(20000)),
                     ("hrsn_referral_process", "referral_process", text(20000)),
                     ("hrsn_follow_up_process", "follow_up_process", text(20000)),
                     ("hrsn_staff_tips", "staff_tips", text(20000))),
                    (("organization_id", "organization_id", "organization", True),)),
    "service_at_location": Spec((("description", "description", text(20000)),),
                                (("service_id", "service_id", "service", True),
                                 ("location_id", "location_id", "location", True))),
    "contact": Spec((("name", "name", text(200)), ("title", "title", text(200)),
                     ("department", "department", text(200)), ("email", "email", text(254))),
                    (("organization_id", "organization_id", "organization", False),
                     ("service_id", "service_id", "service", False))),
    "phone": Spec((("number", "number", required(40)), ("extension", "extension", text(10)),
                   ("type", "type", text(20)), ("description", "description", text(300))),
                  (("organization_id", "organization_id", "organization", False),
                   ("service_id", "service_id", "service", False), ("location_id", "location_id", "location", False),
                   ("contact_id", "contact_id", "contact", False))),
    "language": Spec((("code", "code", language_code), ("name", "name", text(100)), ("note", "note", text(300))),
                     (("service_id", "service_id", "service", True),)),
    "service_area": Spec((("name", "name", required(200)), ("description", "description", text(500))),
                         (("service_id", "service_id", "service", True),)),
    "schedule": Spec((("byday", "byday", text(40)), ("opens_at", "opens_at", clock), ("closes_at", "closes_at", clock),
                      ("description", "description", text(500))),
                     (("service_id", "service_id", "service", False),
                      ("location_id", "location_id", "location", False))),
}


@dataclass
class Plan:
    incoming: dict = field(default_factory=lambda: defaultdict(dict))   # table -> {hsds id: (line, record)}
    new: dict = field(default_factory=lambda: defaultdict(list))        # table -> [(line, hsds id)]
    changed: dict = field(default_factory=lambda: defaultdict(list))    # table -> [(line, hsds id, diff)]
    unchanged: Counter = field(default_factory=Counter)
    errors: list = field(default_factory=list)                          # (file, line, message)
    skipped: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    existing: dict = field(default_factory=dict)                        # table -> {hsds id: row}
    ids: dict = field(default_factory=dict)                             # table -> {hsds id: id}

    @property
    def applicable(self) -> bool:
        return not self.errors and bool(sum(map(len, self.new.values())) + sum(map(len, self.changed.values())))


def plan(bundle: Bundle) -> Plan:
    """Everything the import would do, without changing anything."""
    result = Plan(errors=[(f, line, message) for f, line, message in bundle.problems], notes=list(bundle.notes))
    if result.errors:
        return result
    from hrsn.directory.sync_apply import load_existing
    load_existing(result)
    for table in TABLES:
        for line, values in bundle.rows.get(table.name, ()):
            _take(result, table.name, line, values, bundle.columns[table.name])
    for table in MODELS:
        _compare(result, table)
    return result


def _take(result: Plan, table: str, line: int, values: dict, present: set) -> None:
    spec, where = SPECS[table], f"{table}.csv"
    hsds_id = clean_text(values.get("id"))
    if not hsds_id or len(hsds_id) > 100:
        result.errors.append((where, line, _("The id is empty or longer than 100 characters.")))
        return
    record, problems = {}, []
    for column, ours, convert in spec.fields:
        if column in present:
            try:
                record[ours] = convert(values[column])
            except ValueError as error:
                problems.append(f"{column}: {error}")
    for column, ours, parent, needed in spec.refs:
        ref = clean_text(values.get(column)) if column in present else ""
        if ref and ref not in result.incoming[parent] and ref not in result.ids[parent]:
            problems.append(_("%(column)s: “%(ref)s” is neither in the file nor in the directory.",
                              column=column, ref=ref))
        elif needed and not ref:
            problems.append(_("%(column)s is empty; it is needed.", column=column))
        if column in present:
            record[ours] = ref or None
    problems += _row_rules(table, record, values, present)
    if problems:
        result.errors.append((where, line, "; ".join(problems)))
    elif table == "address":
        _merge_address(result, line, values, record)
    elif hsds_id in result.incoming[table]:
        first = result.incoming[table][hsds_id][0]
        result.errors.append((where, line, _("The id “%(id)s” is used again (first on line %(first)d).",
                                             id=hsds_id, first=first)))
    else:
        result.incoming[table][hsds_id] = (line, record)


def _row_rules(table: str, record: dict, values: dict, present: set) -> list:
    if table == "phone" and not any(record.get(c) for c in ("organization_id", "service_id", "location_id",
                                                            "contact_id")):
        return [_("The phone belongs to no organization, service, location or contact.")]
    if table == "schedule":
        if not (record.get("service_id") or record.get("location_id")):
            return [_("The hours belong to no service or location.")]
        if fold(values.get("freq", "")) not in ("", "weekly"):
            return [_("Only weekly hours (freq WEEKLY) are read.")]
        record["days"] = Schedule.mask(record.get("byday"))
    if table == "language" and not record.get("code"):
        english = {fold(name): code for code, name in Locale("en").languages.items()}
        record["code"] = english.get(fold(values.get("name", "")))
        if not record["code"]:
            return [_("Give the language's ISO code, or a language name in English.")]
    if table == "service_area":
        record["kind"], record["key"] = area_of(record["name"])
    return []


def _merge_address(result: Plan, line: int, values: dict, record: dict) -> None:
    """HSDS keeps a location's address in its own file; the directory keeps one address on the location."""
    location = record.pop("location_id")
    if location in result.incoming["location"] and "address_1" in result.incoming["location"][location][1]:
        result.skipped.append(("address.csv", line, _("The location already has an address; this one was left out.")))
        return
    if location not in result.incoming["location"]:
        result.incoming["location"][location] = (line, {})
    result.incoming["location"][location][1].update(record)


def _compare(result: Plan, table: str) -> None:
    existing = result.existing.get(table, {})
    for hsds_id, (line, record) in result.incoming[table].items():
        before = existing.get(hsds_id)
        if before is None:
            result.new[table].append((line, hsds_id))
            continue
        diff = {key: [before.get(key), value] for key, value in record.items()
                if key not in ("days", "kind", "key") and before.get(key) != value}
        if diff:
            result.changed[table].append((line, hsds_id, diff))
        else:
            result.unchanged[table] += 1
