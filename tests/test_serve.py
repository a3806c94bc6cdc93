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


def test_freed_memory_goes_back_when_the_last_request_is_answered():
    import threading
    from hrsn.cli import GivesMemoryBack
    trims, inside, release = [], threading.Event(), threading.Event()

    def app(environ, _start_response):
        if environ.get("slow"):
            inside.set()
            release.wait(5)
        return [b"ok"]

    wrapped = GivesMemoryBack(app, lambda: trims.append(1), every=0)
    slow = threading.Thread(target=wrapped, args=({"slow": True}, None))
    slow.start()
    inside.wait(5)
    assert wrapped({}, None) == [b"ok"] and trims == []          # another request still in flight: not yet
    release.set()
    slow.join(5)
    assert trims == [1]                                         # the last one answered: memory given back
    spaced = GivesMemoryBack(app, lambda: trims.append(2), every=3600)
    spaced.last -= 3600
    spaced({}, None)
    spaced({}, None)
    assert trims == [1, 2]                                      # at most once in `every` seconds
