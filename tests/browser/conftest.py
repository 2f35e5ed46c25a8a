"""Real-browser fixtures: the application served on a free local port with a fresh database and
the demo data, driven by Playwright through Debian's Chromium (/usr/bin/chromium).

Playwright cannot download its own browser here; without Debian's chromium these tests skip,
saying so. `.ci/run` installs it, so CI always runs them.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from urllib.parse import urlparse

import pytest

from conftest import drop_database, free_port, fresh_database

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
DEMO_PASSWORD = "Demo2019pass"
SCREENSHOT_DIR = os.environ.get("SCREENSHOT_DIR", os.path.join(ROOT, "test-artifacts", "screenshots"))
VIEWPORT = {"width": 1366, "height": 768}

HERE = os.path.dirname(os.path.abspath(__file__))


def pytest_collection_modifyitems(config, items):
    """Mark every test of this folder ``browser`` (a ``pytestmark`` in a conftest is ignored),
    so that ``pytest -m browser`` / ``-m "not browser"`` select them."""
    for item in items:
        if str(item.path).startswith(HERE + os.sep):
            item.add_marker(pytest.mark.browser)



@pytest.fixture(scope="session")
def chromium_path():
    if not (os.path.exists(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip(f"Không có Chromium tại {CHROMIUM} (apt-get install chromium): bỏ qua kiểm thử trình duyệt.")
    try:
        import playwright  # noqa: F401
    except ImportError:
        pytest.skip("Chưa cài Playwright (pip install -r requirements.txt): bỏ qua kiểm thử trình duyệt.")
    return CHROMIUM


# Demo accounts without the demo reports: the letter's worked example on an empty desk.
ACCOUNTS_ONLY = (
    "from app import create_app\n"
    "from app.services.demo import DEMO_ACCOUNTS, ensure_account\n"
    "app = create_app()\n"
    "with app.app_context():\n"
    "    for account in DEMO_ACCOUNTS:\n"
    "        ensure_account(*account, app.config['DEMO_PASSWORD'])\n"
)


def _serve(name: str, setup: list[list[str]]):
    """Start the application on a free port over a fresh database prepared by ``setup`` (each a
    command line run with this Python); yields its base URL, stops it afterwards."""
    tmp = tempfile.mkdtemp(prefix="phananh-browser-")
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database(tmp, name),
        "UPLOAD_FOLDER": os.path.join(tmp, "uploads"),
        "DEMO_PASSWORD": DEMO_PASSWORD,
        "SECRET_KEY": "browser-tests-secret-key-0123456789abcdef",
        "RATELIMIT_ENABLED": "0",  # every sign-in comes from 127.0.0.1
        "PORT": str(port),
        "FLASK_APP": "app",
    }
    env.pop("TEST_DATABASE_URL", None)
    for args in setup:
        done = subprocess.run([sys.executable, *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    log = open(os.path.join(tmp, "server.log"), "w")
    server = subprocess.Popen([sys.executable, "run.py"], cwd=ROOT, env=env, stdout=log,
                              stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/login/", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                raise RuntimeError("the application did not start: " + open(log.name).read()[-3000:])
            time.sleep(0.3)
    yield base
    server.terminate()
    try:
        server.wait(timeout=10)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()
    drop_database(env["DATABASE_URL"])
    shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server(chromium_path):
    """Base URL of a freshly set-up application (SQLite, demo accounts and demo reports)."""
    yield from _serve("browser", [["-m", "flask", "db", "upgrade"], ["-m", "flask", "demo"]])


@pytest.fixture(scope="session")
def empty_server(chromium_path):
    """Base URL of a second application with the catalogues and the demo accounts but no report
    at all: the letter's worked example (test_worked_example.py) starts from an empty desk, so
    its badges are exact ("Phê duyệt (1/1)" as in the letter)."""
    yield from _serve("browser_empty", [["-m", "flask", "db", "upgrade"], ["-m", "flask", "seed"],
                       ["-c", ACCOUNTS_ONLY]])


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class PageWatch:
    """Console errors and requests that leave the machine, collected while a page is used."""

    def __init__(self, page, base: str):
        self.errors: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        host = urlparse(base).hostname
        page.on("console", lambda m: m.type == "error" and self.errors.append(m.text))
        page.on("pageerror", lambda e: self.errors.append(str(e)))

        def on_request(request):
            url = urlparse(request.url)
            if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in (host, "localhost"):
                self.outside.append(request.url)

        page.on("request", on_request)
        page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))


def _pages(browser, base: str):
    """A factory of fresh browser contexts (one per person), each checked for console errors
    and outside requests when the test ends."""
    contexts, watches = [], []

    def make():
        context = browser.new_context(viewport=VIEWPORT, locale="vi-VN",
                                      timezone_id="Asia/Ho_Chi_Minh", accept_downloads=True)
        page = context.new_page()
        page.set_default_timeout(15000)
        contexts.append(context)
        watch = PageWatch(page, base)
        watches.append(watch)
        page.watch = watch
        return page

    yield make
    for context in contexts:
        context.close()
    for watch in watches:
        assert not watch.outside, f"resources loaded from outside the machine: {watch.outside}"
        assert not watch.errors, f"JavaScript console errors: {watch.errors} {watch.failed}"


@pytest.fixture
def new_page(browser, live_server):
    """Pages on the demo application (``live_server``)."""
    yield from _pages(browser, live_server)


@pytest.fixture
def new_empty_page(browser, empty_server):
    """Pages on the application without demo reports (``empty_server``)."""
    yield from _pages(browser, empty_server)


def sign_in(page, base: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(base + "/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("input[type=submit], button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/login" not in page.url, f"{username} could not sign in"


def screenshot(page, name: str) -> str:
    os.makedirs(SCREENSHOT_DIR, exist_ok=True)
    path = os.path.join(SCREENSHOT_DIR, f"{name}.png")
    page.screenshot(path=path, full_page=False)
    return path
