"""Command line: `hrsn serve`, and the flask commands create-user and seed-demo."""
import ctypes
import ctypes.util
import gc
import sys
import threading
import time
import webbrowser

import click
import sqlalchemy as sa
from flask import Flask
from flask.cli import with_appcontext
from werkzeug.wsgi import ClosingIterator

from hrsn import passwords
from hrsn.extensions import db
from hrsn.models import LANGUAGES, ROLES, User


@click.command("create-user")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.option("--role", required=True, type=click.Choice([role.value for role in ROLES]))
@click.option("--languages", default="en", show_default=True, help="Comma-separated: en,es")
@click.option("--password", help="Prompted for when not given.")
@with_appcontext
def create_user(email, name, role, languages, password):
    """Create a staff account."""
    email = email.strip().casefold()
    if len(email) > 254 or "@" not in email:
        raise click.UsageError("the email address is not valid")
    if not name.strip() or len(name) > 120:
        raise click.UsageError("the name must have 1 to 120 characters")
    codes = [c.strip() for c in languages.split(",") if c.strip()]
    if any(c not in LANGUAGES for c in codes):
        raise click.UsageError(f"languages must be among: {', '.join(LANGUAGES)}")
    if db.session.scalar(db.select(User.id).where(db.func.lower(User.email) == email)):
        raise click.UsageError("an account with this email already exists")
    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if problem := passwords.problem(password):
        raise click.UsageError(problem)
    from hrsn import audit
    from hrsn.steps import ensure_defaults
    user = User(email=email, name=name.strip(), role=role, languages=",".join(codes),
                password_hash=passwords.hash_password(password))
    db.session.add(user)
    ensure_defaults()          # an install started from the command line gets its day-one data too
    audit.record("create", obj=user, changes={"role": [None, role], "email": [None, email]},
                 email="command line")
    db.session.commit()
    click.echo(f"created {role} {email}")


@click.command("seed-demo")
@click.option("--members", default=40, show_default=True, type=click.IntRange(0, 100_000))
@click.option("--years", default=3, show_default=True, type=click.IntRange(1, 30),
              help="How many years of history the members' referrals spread over.")
@click.option("--password", default="demo-desk-2026", show_default=True)
@click.option("--seed", "rng_seed", default=2026, show_default=True, type=int,
              help="The same seed gives the same data.")
@with_appcontext
def seed_demo(members, years, password, rng_seed):
    """Fill the database with demo staff and members at every step of the workflow."""
    if problem := passwords.problem(password):
        raise click.UsageError(problem)
    from hrsn.seed import run
    started = time.perf_counter()
    summary = run(members=members, password=password, rng_seed=rng_seed, years=years, progress=_progress_bar)
    click.echo(f"{summary} in {time.perf_counter() - started:.0f} s")
    click.echo(f"staff sign in with password: {password}")


def _progress_bar(label, items):
    """The step being seeded and how far it is, on stderr (counts only: no member's data is shown)."""
    items = list(items)
    with click.progressbar(items, label=f"{label:38}", file=sys.stderr, show_pos=True, show_eta=False) as bar:
        yield from bar


def init_app(app: Flask) -> None:
    app.cli.add_command(create_user)
    app.cli.add_command(seed_demo)
    from hrsn.durable.commands import COMMANDS
    for command in COMMANDS:
        app.cli.add_command(command)


def prepare() -> None:
    """Work done once at start rather than in a request, for an install upgraded from an earlier version: the
    day-one data of a step it did not have yet (each step fills only its empty tables, so an install set up
    before the follow-up step gets its check-in templates), and the outreach state of referrals written before
    it was kept."""
    from hrsn.models import OPEN_STATUSES, Referral, User, store_all_outreach
    from hrsn.steps import ensure_defaults
    if db.session.scalar(db.select(User.id).limit(1)) is not None:     # set up already: a new one gets them then
        ensure_defaults()
        db.session.commit()
    # Only a member's latest referral holds the state: an older one still open is rightly without it.
    later = sa.orm.aliased(Referral)
    newer = sa.exists().where(later.member_id == Referral.member_id,
                              sa.or_(later.received_on > Referral.received_on,
                                     sa.and_(later.received_on == Referral.received_on, later.id > Referral.id)))
    missing = db.session.scalar(db.select(Referral.id).where(Referral.status.in_(OPEN_STATUSES),
                                                             Referral.outreach_state.is_(None), ~newer).limit(1))
    if missing is not None:
        store_all_outreach()
        db.session.commit()


@click.group()
def main():
    """The HRSN case desk."""


M_ARENA_MAX = -8       # glibc's mallopt parameter
IDLE_EVERY = 10.0      # seconds: the least time between two tidy-ups of an idle server
SETTLE_AT = 20_000     # objects the collector's oldest generation may hold before they are settled again


def settle(app: Flask) -> None:
    """What start-up made lives for the whole run: the garbage collector need not walk it again and again
    (gc.freeze). And the server's threads share two of glibc's malloc arenas instead of taking one each (up to
    eight per core), which keep the memory one thread freed from the others. Then, whenever the server falls idle
    (`WhenIdle`), what its first pages made to last (compiled statements and templates, translations) is settled
    the same way, and the memory the arenas hold free goes back to the system."""
    gc.collect()
    gc.freeze()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c"))
        libc.mallopt(M_ARENA_MAX, 2)
        trim = libc.malloc_trim
    except (OSError, AttributeError, TypeError):      # not glibc: nothing to give back
        trim = None

    def tidy() -> None:
        settle_collector()
        if trim is not None:
            trim(0)
    app.wsgi_app = WhenIdle(app.wsgi_app, tidy)


def settle_collector(most: int = SETTLE_AT) -> bool:
    """When the collector's oldest generation holds more than `most` objects, collect, then freeze what is left:
    a full collection walks every object of that generation (about 70 ms for the caches of a warmed-up server),
    and one ran in about one request in eighty. Called only when no request is in flight, so nothing a request
    holds is frozen."""
    if len(gc.get_objects(generation=2)) <= most:
        return False
    gc.collect()
    gc.freeze()
    return True


class WhenIdle:
    """WSGI: once no request has been in flight for `quiet` seconds (the last answer sent), and at most every
    `every` seconds, `task` runs in a thread of its own: never in a request's time, and seldom while one waits
    (a request that arrives meanwhile waits for the collector's lock, a few milliseconds once the caches are
    settled). A server that falls silent soon after its last tidy-up still gets the next one when `every` is up."""

    def __init__(self, wsgi_app, task, every: float = IDLE_EVERY, quiet: float = 0.25):
        self.wsgi_app, self.task, self.every, self.quiet = wsgi_app, task, every, quiet
        self.busy, self.ended, self.last = 0, 0.0, time.monotonic()
        self.lock, self.idle, self.thread = threading.Lock(), threading.Event(), None

    def __call__(self, environ, start_response):
        with self.lock:
            self.busy += 1
            if self.thread is None:
                self.thread = threading.Thread(target=self._watch, name="hrsn-idle", daemon=True)
                self.thread.start()
        try:
            answer = self.wsgi_app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return ClosingIterator(answer, self._done)      # done once the server has sent the answer

    def _done(self) -> None:
        with self.lock:
            self.busy -= 1
            if self.busy == 0:
                self.ended = time.monotonic()
                self.idle.set()

    def _watch(self) -> None:
        while True:
            self.idle.wait()
            while True:
                with self.lock:
                    now = time.monotonic()
                    if self.busy:                   # a request came in: wait for the next quiet moment
                        self.idle.clear()
                        break
                    wait = max(self.quiet - (now - self.ended), self.every - (now - self.last))
                    if wait <= 0:
                        self.last = now
                        self.idle.clear()
                if wait <= 0:
                    self.task()
                    break
                time.sleep(wait)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8080, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 64))
@click.option("--open", "open_browser", is_flag=True, help="Open the app in the browser.")
def serve(host, port, threads, open_browser):
    """Apply pending migrations, then serve the app with waitress."""
    from flask_migrate import upgrade
    from waitress import serve as waitress_serve

    from hrsn import create_app
    app = create_app()
    with app.app_context():
        upgrade()
        prepare()
    settle(app)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}/"
    click.echo(f"HRSN case desk on {url} (Ctrl+C to stop)")
    if open_browser:
        threading.Timer(1.0, webbrowser.open, args=(url,)).start()
    from hrsn.durable import nightly
    nightly.start(app)          # the daily backup, once a passphrase is set (Admin, Backups and verification)
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="hrsn")
    except OSError as error:
        click.echo(f"cannot listen on {host}:{port}: {error.strerror}", err=True)
        sys.exit(1)


if __name__ == "__main__":
    main()
