"""`python -m capsched serve` as an office runs it: one log format with the request id on every line of a
request (uvicorn's access log included), and no sign-in token in any log line."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import httpx

LINK = re.compile(r"http://127\.0\.0\.1:(\d+)/\?token=(\S+)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_python_m_capsched_serve_logs_request_ids_and_no_token(tmp_path):
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CAPSCHED_SEED": "false"}
    command = [
        sys.executable,
        "-m",
        "capsched",
        "serve",
        "--port",
        str(port),
        "--db",
        f"sqlite:///{tmp_path / 'd.db'}",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    try:
        token = None
        deadline = time.monotonic() + 60
        while token is None and time.monotonic() < deadline:
            line = proc.stdout.readline()
            found = LINK.search(line)
            token = found.group(2) if found else None
        assert token, "serve printed no sign-in link"
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        me = httpx.get(f"{base}/api/me?token={token}", headers={"X-Request-ID": "office-7"}, timeout=10)
        assert me.status_code == 200 and me.headers["x-request-id"] == "office-7"
        page = httpx.get(f"{base}/?token={token}", timeout=10)  # the sign-in link itself
        wrong = httpx.get(f"{base}/api/portfolios?lang=en&token=Wr0ngT0ken-typed-by-hand", timeout=10)
        assert page.status_code == 200 and wrong.status_code == 401
    finally:
        proc.terminate()
        _, stderr = proc.communicate(timeout=30)

    access = [line for line in stderr.splitlines() if "/api/me" in line]
    assert access and all("[office-7]" in line for line in access), stderr
    assert "token=[redacted]" in access[0]
    assert token not in stderr and "Wr0ngT0ken" not in stderr
    assert any("GET /?token=[redacted]" in line for line in stderr.splitlines()), stderr
    assert any("/api/portfolios?lang=en&token=[redacted]" in line for line in stderr.splitlines()), stderr
    assert all(
        re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ [A-Z]+ +\[", line)
        for line in stderr.splitlines()
        if line
    ), stderr
