"""A live `capsched serve` on a temporary SQLite database, and Debian's Chromium driven by Playwright.

The server runs once per session (the seed portfolio, an admin token parsed from its output); each test
gets a fresh browser context. Screenshots of every test land in test-artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 60


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in item.nodeid.replace("\\", "/"):
            item.add_marker(pytest.mark.browser)


@dataclass
class Server:
    """The running service: where it listens, its database and the admin (finance) token it printed."""

    base_url: str
    db_url: str
    token: str
    output: list[str] = field(default_factory=list)

    def client(self, token: str | None = None) -> httpx.Client:
        """An API client signed in with `token` (default: the admin's)."""
        headers = {"Authorization": f"Bearer {token or self.token}"}
        return httpx.Client(base_url=self.base_url, headers=headers, timeout=30)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _capsched() -> list[str]:
    """The `capsched` console script of this Python (or the same entry point through it)."""
    script = Path(sys.executable).with_name("capsched")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from app.cli.main import run; run()"]


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    db_url = f"sqlite:///{tmp_path_factory.mktemp('capsched') / 't.db'}"
    port = _free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "CAPSCHED_SOLVER_THREADS": "2"}
    proc = subprocess.Popen(
        [*_capsched(), "serve", "--port", str(port), "--db", db_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        env=env,
    )
    output: list[str] = []
    token_seen = threading.Event()
    found: dict[str, str] = {}

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            output.append(line.rstrip())
            match = re.search(r"\?token=(\S+)", line)
            if match and not token_seen.is_set():
                found["token"] = match.group(1)
                token_seen.set()

    threading.Thread(target=read, daemon=True).start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        if not token_seen.wait(STARTUP_SECONDS):
            pytest.fail("capsched serve printed no login URL:\n" + "\n".join(output))
        _wait_until_up(proc, base_url, output)
        yield Server(base_url=base_url, db_url=db_url, token=found["token"], output=output)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


def _wait_until_up(proc: subprocess.Popen[str], base_url: str, output: list[str]) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"capsched serve exited with {proc.returncode}:\n" + "\n".join(output))
        try:
            if httpx.get(base_url + "/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    pytest.fail("capsched serve did not answer:\n" + "\n".join(output))


def add_user(server: Server, name: str, role: str, unit: str | None = None) -> str:
    """`capsched user add`; returns the token it prints on its last line."""
    args = [*_capsched(), "user", "add", name, "--role", role, "--db", server.db_url]
    if unit:
        args += ["--unit", unit]
    done = subprocess.run(args, capture_output=True, text=True, encoding="utf-8", check=True, timeout=60)
    return done.stdout.strip().splitlines()[-1].strip()


@pytest.fixture(scope="session")
def viewer_token(server: Server) -> str:
    return add_user(server, "王查看", "viewer")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    executable = os.environ.get("CAPSCHED_CHROMIUM", "/usr/bin/chromium")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab at 1280×800; fails the test on any JavaScript error; screenshots it at the end."""
    context = browser.new_context(
        viewport={"width": 1280, "height": 800}, accept_downloads=True, locale="zh-CN"
    )
    context.set_default_timeout(20_000)
    # assertions wait as long as actions: on a loaded 2-core machine a filtered page of 2,000 rows can
    # take more than expect's default 5 s to come back (seen once in a full run beside other suites)
    expect.set_options(timeout=20_000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    ARTIFACTS.mkdir(exist_ok=True)
    name = re.sub(r"[^\w.-]+", "_", request.node.name)
    tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def sign_in(page: Page, server: Server, token: str | None = None, view: str = "") -> Page:
    """Open the page with `?token=…` like the link `capsched serve` prints, then go to `view`."""
    page.goto(f"{server.base_url}/?token={token or server.token}")
    page.wait_for_selector("#who")
    if view:
        page.goto(f"{server.base_url}/#/{view}")
        page.wait_for_selector(f'main[data-view="{view.split("/")[0]}"]')
    return page


def snap(page: Page, name: str) -> None:
    """Save a screenshot of the page now as test-artifacts/<name>.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
