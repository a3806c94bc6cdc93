"""The data's keeping: its settings, the admin's Today line about the last backup, and the sentences that say
why an archive was refused."""
from datetime import timedelta

from flask import url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

from hrsn.models import Role, utcnow
from hrsn.settings import Spec

SETTINGS = (
    Spec("backup_keep_daily", 7, _l("Daily backups kept"), minimum=1, maximum=365),
    Spec("backup_keep_weekly", 4, _l("Weekly backups kept"), minimum=0, maximum=520),
    Spec("backup_folder", "", _l("Backup folder (empty: the instance's backups folder)"), "text"),
)
LATE_AFTER = timedelta(days=2)


def refusal_text(error) -> str:
    """Why an archive could not be made or used, in the reader's language (no member data in it)."""
    texts = {
        "not-archive": _("This file is not a backup archive of the case desk."),
        "truncated": _("The archive is incomplete (it was cut off, perhaps while it was being copied)."),
        "damaged": _("The archive is damaged: part of it does not decrypt or does not check."),
        "passphrase": _("The passphrase is not the one this archive was made with."),
        "newer": _("The archive was made by a newer version of the case desk: upgrade this one first."),
        "manifest": _("The archive's contents do not match its manifest."),
        "database": _("The archive was made from another kind of database than this instance uses."),
        "not-empty": _("This instance already holds data: confirm that it may be replaced."),
        "disk": _("The disk is full or cannot be written to: nothing was changed."),
        "no-key": _("Set a backup passphrase first."),
        "folder": _("The backup folder cannot be used (check the setting, and that the drive is plugged in)."),
        "unreadable": _("The archive cannot be read."),
    }
    return str(texts.get(error.code, error.code))


def today_backup(user):
    """For administrators: how old the last backup is, late after two days (and when there is none)."""
    if user.role != Role.ADMIN:
        return None
    from hrsn.durable.archive import last_backup
    from hrsn.today import Item, Section
    last = last_backup()
    url = url_for("durable.index")
    if last is None:
        text, late = _("No backup has been made yet."), True
    else:
        age = utcnow() - last.at
        days = age.days
        text = (_("Last backup less than a day ago.") if days < 1 else
                ngettext("Last backup %(num)d day ago.", "Last backup %(num)d days ago.", days))
        late = age > LATE_AFTER
    # The count says whether something is due: 1 when a backup is late, 0 when the last one is recent.
    return Section("backup", _("Backups"), [Item(member=None, text=text, url=url, late=late)], total=int(late))
