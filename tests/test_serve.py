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
