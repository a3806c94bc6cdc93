"""`flask --app app verify`, `backup` and `restore`: the same work as the admin's data page, from a terminal.

The backup passphrase is read from HRSN_BACKUP_PASSPHRASE when set, otherwise asked for (never an option on the
command line, where other users of the machine could read it)."""
import os
import sys

import click
from flask import current_app
from flask.cli import with_appcontext

from hrsn.extensions import db

PASSPHRASE_ENV = "HRSN_BACKUP_PASSPHRASE"


def _passphrase(confirm: bool) -> str:
    given = os.environ.get(PASSPHRASE_ENV)
    if given:
        return given
    return click.prompt("Backup passphrase", hide_input=True, confirmation_prompt=confirm)


def _refusal(error) -> str:
    from hrsn.durable.rules import refusal_text
    return refusal_text(error) + (f" ({error.detail})" if error.detail else "")


@click.command("verify")
@click.option("--no-sweep", is_flag=True, help="Report orphaned files without moving them aside.")
@with_appcontext
def verify_command(no_sweep):
    """Check the database, every stored file's hash, orphans and the audit trail's hash chain."""
    from hrsn.durable import verify
    result = verify.run(sweep=not no_sweep)
    verify.record(result, how="command line")
    db.session.commit()
    for line in verify.lines(result):
        click.echo(line)
    click.echo(f"{'ok' if result['ok'] else 'PROBLEMS FOUND'}: database {'ok' if not result['integrity'] else 'damaged'}"
               f", {result['files']} files, {result['chain']['events']} audit events checked")
    sys.exit(0 if result["ok"] else 1)


@click.command("backup")
@click.option("--to", "folder", type=click.Path(file_okay=False), help="Folder for the archive (an external drive).")
@with_appcontext
def backup_command(folder):
    """Write an encrypted archive of the database and every uploaded file."""
    from hrsn.durable import archive, sealed
    key = archive.stored_key()
    if key is None or os.environ.get(PASSPHRASE_ENV):
        passphrase = _passphrase(confirm=True)
        if key is None or not sealed.matches(passphrase, key):
            key = sealed.new_key(passphrase, n=current_app.config.get("BACKUP_SCRYPT_N"))
            if archive.stored_key() is None:
                archive.store_key(key)          # the automatic backups use it from now on
    try:
        path = archive.backup(folder, key=key, how="command line")
    except sealed.Refused as error:
        db.session.rollback()
        raise click.ClickException(_refusal(error)) from None
    db.session.commit()
    click.echo(f"backup written: {path}")


@click.command("restore")
@click.argument("archive_path", metavar="ARCHIVE", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", "confirmed", is_flag=True,
              help="Replace the data this instance already holds (it is first kept as an archive).")
@with_appcontext
def restore_command(archive_path, confirmed):
    """Restore an archive: checked whole before anything is replaced, then upgraded and verified."""
    from hrsn.durable import archive, sealed
    passphrase = _passphrase(confirm=False)
    try:
        opened = archive.open_archive(archive_path, passphrase)
    except sealed.Refused as error:
        raise click.ClickException(_refusal(error)) from None
    try:
        manifest = opened.manifest
        click.echo(f"archive checked: made {manifest['created_at']} by version {manifest['app_version']}, "
                   f"{sum(manifest['tables'].values())} rows, {len(manifest['files'])} files")
        current = archive.in_use()
        if any(current.values()) and not confirmed:
            names = ", ".join(f"{count} {label}" for label, count in current.items())
            if not sys.stdin.isatty() or not click.confirm(f"This instance holds {names}: replace all of it?"):
                raise click.ClickException(_refusal(sealed.Refused("not-empty")) + f" ({names}; use --yes)")
            confirmed = True
        summary = archive.restore(opened, confirmed=confirmed, how="command line")
    except sealed.Refused as error:
        raise click.ClickException(_refusal(error)) from None
    finally:
        opened.close()
    click.echo(f"restored {summary['rows']} rows and {summary['files']} files; "
               f"verify {'ok' if summary['verified'] else 'found problems: run flask verify'}")
    if summary["kept_as"]:
        click.echo(f"the data it replaced is kept as {summary['kept_as']}")


COMMANDS = (verify_command, backup_command, restore_command)
