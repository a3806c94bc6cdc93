"""`hrsn serve` brings the app up on loopback on a fresh instance folder."""
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_migrates_and_answers(tmp_path):
    port = free_port()
    script = Path(sys.executable).with_name("hrsn")
    env = {**os.environ, "HRSN_INSTANCE": str(tmp_path / "instance")}
    proc = subprocess.Popen([str(script), "serve", "--port", str(port)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login", timeout=2) as response:
                    final_url, body = response.geturl(), response.read().decode()
                break
            except OSError:
                assert proc.poll() is None, proc.stdout.read()
                assert time.monotonic() < deadline, "server did not start"
                time.sleep(0.3)
        assert final_url.endswith("/setup") and "First-time setup" in body
        assert (tmp_path / "instance" / "hrsn.sqlite").exists()
        assert oct((tmp_path / "instance" / "secret_key").stat().st_mode & 0o777) == "0o600"
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_the_server_tidies_up_once_it_has_been_quiet_a_moment():
    import threading
    from hrsn.cli import WhenIdle
    tidied, inside, release = threading.Event(), threading.Event(), threading.Event()

    def app(environ, _start_response):
        if environ.get("slow"):
            inside.set()
            release.wait(5)
        return [b"ok"]

    def answer(wrapped, environ=None):
        body = wrapped(environ or {}, None)
        sent = b"".join(body)
        body.close()                                   # as the server does once the answer is sent
        return sent

    wrapped = WhenIdle(app, tidied.set, every=0, quiet=0.05)
    slow = threading.Thread(target=answer, args=(wrapped, {"slow": True}))
    slow.start()
    inside.wait(5)
    assert answer(wrapped) == b"ok"
    assert not tidied.wait(0.3)                        # another request still in flight: not yet
    release.set()
    slow.join(5)
    assert tidied.wait(5)                              # the last one answered, then a quiet moment: tidied
    tidied.clear()
    busy = WhenIdle(app, tidied.set, every=0, quiet=1.0)
    for _ in range(10):                                # one request after another, never quiet that long
        answer(busy)
        time.sleep(0.05)
    assert not tidied.is_set()
    assert tidied.wait(5)
    tidied.clear()
    spaced = WhenIdle(app, tidied.set, every=3600, quiet=0.01)
    answer(spaced)
    assert not tidied.wait(0.3)                        # at most once in `every` seconds (none yet since start)
    times = []
    silent = WhenIdle(app, lambda: times.append(time.monotonic()), every=0.5, quiet=0.01)
    answer(silent)
    deadline = time.monotonic() + 5
    while not times and time.monotonic() < deadline:
        time.sleep(0.01)
    answer(silent)                                     # soon after that tidy-up, then silence
    while len(times) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(times) == 2 and times[1] - times[0] >= 0.5   # the next one still comes, when `every` is up


def test_what_lasts_is_settled_out_of_the_collectors_way_once_it_grows():
    import gc
    from hrsn.cli import settle_collector
    lasting = [[n] for n in range(5000)]          # containers: tracked by the collector
    gc.collect()                                  # ... and now in its oldest generation
    frozen = gc.get_freeze_count()
    try:
        assert not settle_collector(most=10 ** 9)                   # few enough: left alone
        assert gc.get_freeze_count() == frozen
        assert settle_collector(most=len(lasting) // 2)
        assert gc.get_freeze_count() >= frozen + len(lasting)
        assert len(gc.get_objects(generation=2)) < len(lasting)   # a full collection no longer walks them
    finally:
        gc.unfreeze()
