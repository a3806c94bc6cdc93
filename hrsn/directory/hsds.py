"""Open Referral HSDS 3.0 tabular files: which files and columns the directory reads and writes, reading a zip
or CSV files whatever their encoding and delimiter, and writing the directory back as the same files.

A file or column missing from an import leaves what it would describe untouched; extra columns are ignored.
Columns starting with `hrsn_` are this desk's own additions (HSDS lets a publisher add fields)."""
import csv
import io
import zipfile
from dataclasses import dataclass, field

from flask_babel import gettext as _

MB = 1024 * 1024
MAX_UNPACKED = 200 * MB          # a zip that unpacks to more is refused (a "zip bomb")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
DELIMITERS = (",", ";", "\t", "|")


@dataclass(frozen=True)
class Table:
    name: str                 # the HSDS table, and its file name.csv
    required: tuple           # columns the file must have
    columns: tuple            # what is read and written, in the order written


TABLES = (
    Table("organization", ("id", "name"),
          ("id", "name", "alternate_name", "description", "email", "website", "hrsn_preferred_partner",
           "hrsn_payers", "hrsn_services")),
    Table("location", ("id",),
          ("id", "organization_id", "location_type", "name", "description", "transportation", "url")),
    Table("address", ("id", "location_id", "address_1"),
          ("id", "location_id", "address_1", "address_2", "city", "state_province", "postal_code", "country",
           "address_type")),
    Table("service", ("id", "organization_id", "name"),
          ("id", "organization_id", "name", "alternate_name", "description", "url", "email", "status",
           "interpretation_services", "application_process", "fees_description", "wait_time",
           "eligibility_description", "assured_date", "assurer_email", "hrsn_need_domains",
           "hrsn_accepting_referrals", "hrsn_documents_to_bring", "hrsn_referral_process",
           "hrsn_follow_up_process", "hrsn_staff_tips")),
    Table("service_at_location", ("id", "service_id", "location_id"),
          ("id", "service_id", "location_id", "description")),
    Table("contact", ("id",), ("id", "organization_id", "service_id", "name", "title", "department", "email")),
    Table("phone", ("id", "number"),
          ("id", "organization_id", "service_id", "location_id", "contact_id", "number", "extension", "type",
           "description")),
    Table("language", ("id", "service_id"), ("id", "service_id", "name", "code", "note")),
    Table("service_area", ("id", "service_id", "name"), ("id", "service_id", "name", "description")),
    Table("schedule", ("id",),
          ("id", "service_id", "location_id", "freq", "byday", "opens_at", "closes_at", "description")),
)
BY_NAME = {table.name: table for table in TABLES}
REQUIRED_FILES = ("organization", "service")


@dataclass
class Bundle:
    """What was read: rows per table as (line, {column: text}); problems refuse the whole import."""
    rows: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)      # table -> the columns its file has
    problems: list = field(default_factory=list)     # (file, line or None, message)
    notes: list = field(default_factory=list)


def table_of(filename: str) -> str | None:
    """The HSDS table a file holds: organization.csv, or the plural organizations.csv some publishers write."""
    base = filename.replace("\\", "/").rsplit("/", 1)[-1].lower()
    if not base.endswith(".csv"):
        return None
    stem = base[:-4]
    return stem if stem in BY_NAME else stem[:-1] if stem.endswith("s") and stem[:-1] in BY_NAME else None


def climbs_out(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def read_upload(files) -> Bundle:
    """Read uploaded (file name, bytes) pairs: a zip of CSV files, or the CSV files themselves."""
    bundle = Bundle()
    for filename, content in files:
        if content[:4] == b"PK\x03\x04" or filename.lower().endswith(".zip"):
            _read_zip(bundle, filename, content)
        else:
            _read_csv(bundle, filename, content)
    for name in REQUIRED_FILES:
        if name not in bundle.rows and not bundle.problems:
            bundle.problems.append((f"{name}.csv", None, _("This file is missing; an import needs it.")))
    return bundle


def _read_zip(bundle: Bundle, filename: str, content: bytes) -> None:
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        entries = [info for info in archive.infolist() if not info.is_dir()]
    except (zipfile.BadZipFile, ValueError):
        bundle.problems.append((filename, None, _("This is not a zip file that can be opened.")))
        return
    climbing = [info.filename for info in entries if climbs_out(info.filename)]
    if climbing:
        bundle.problems.append((filename, None, _("The zip holds files outside its folder (%(names)s); nothing was "
                                                   "read from it.", names=", ".join(climbing[:3]))))
        return
    if sum(info.file_size for info in entries) > MAX_UNPACKED:
        bundle.problems.append((filename, None, _("The zip unpacks to more than %(n)d MB.", n=MAX_UNPACKED // MB)))
        return
    for info in entries:
        if table_of(info.filename):
            _read_csv(bundle, info.filename, archive.read(info))
        elif not info.filename.lower().endswith((".json", ".md", ".txt")):
            bundle.notes.append(_("%(file)s was ignored: it is not one of the files read.", file=info.filename))


def decode(content: bytes) -> tuple[str, str]:
    """Text and the encoding it was read in: UTF-8 (with or without its BOM), else Windows Latin-1."""
    try:
        return content.decode("utf-8-sig"), "UTF-8"
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace"), "Latin-1"


def _read_csv(bundle: Bundle, filename: str, content: bytes) -> None:
    table = table_of(filename)
    if table is None:
        bundle.notes.append(_("%(file)s was ignored: it is not one of the files read.", file=filename))
        return
    if table in bundle.rows:
        bundle.problems.append((filename, None, _("Two files hold the same table.")))
        return
    text, encoding = decode(content)
    if encoding != "UTF-8":
        bundle.notes.append(_("%(file)s is not UTF-8; it was read as Latin-1 (Windows).", file=filename))
    header = text.split("\n", 1)[0]
    delimiter = max(DELIMITERS, key=header.count)
    if delimiter != "," and header.count(delimiter) > header.count(","):
        bundle.notes.append(_("%(file)s separates its columns with “%(mark)s” instead of commas; it was read that way.",
                              file=filename, mark="Tab" if delimiter == "\t" else delimiter))
    else:
        delimiter = ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    names = [name.strip().lower() for name in next(reader, [])]
    missing = [c for c in BY_NAME[table].required if c not in names]
    if missing:
        bundle.problems.append((filename, 1, _("The file lacks the column(s) %(names)s (found: %(found)s).",
                                               names=", ".join(missing), found=", ".join(names[:8]) or "—")))
        return
    wanted = [(i, name) for i, name in enumerate(names) if name in BY_NAME[table].columns]
    bundle.columns[table] = {name for _i, name in wanted}
    rows = []
    for cells in reader:
        if not any(cell.strip() for cell in cells):
            continue
        rows.append((reader.line_num, {name: undefuse(cells[i].strip()) if i < len(cells) else ""
                                       for i, name in wanted}))
    bundle.rows[table] = rows


# Writing ----------------------------------------------------------------------------------------------

def defuse(value) -> str:
    """A cell a spreadsheet would run as a formula (= + - @) starts with an apostrophe: it shows as text."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def undefuse(text: str) -> str:
    """Our own export's apostrophe comes off again, so that export then import gives the same directory."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_STARTS) else text


def write_zip(tables: dict) -> bytes:
    """{table: [row dicts]} as a zip of HSDS CSV files (UTF-8, comma-separated, every cell defused)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            out = io.StringIO(newline="")
            writer = csv.writer(out, lineterminator="\r\n")
            writer.writerow(table.columns)
            for row in tables.get(table.name, ()):
                writer.writerow([defuse(row.get(column)) for column in table.columns])
            archive.writestr(f"{table.name}.csv", out.getvalue().encode("utf-8"))
    return buffer.getvalue()
