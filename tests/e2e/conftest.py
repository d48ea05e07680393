"""Real-browser tests: the app under uvicorn in a thread, driven by Playwright in Debian's Chromium.

No browser is downloaded (``playwright install`` does not work offline): the tests use the system Chromium at
``$CHROMIUM`` or ``/usr/bin/chromium`` and are skipped, with the reason, when it is absent. Screenshots and PDFs go
to ``<repo>/test-artifacts/`` (git-ignored).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
ARTIFACTS = REPO / "test-artifacts"
CHROMIUM = os.environ.get("CHROMIUM") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]


def _skip_reason() -> str | None:
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        return (f"no Chromium at {CHROMIUM} (install Debian's: apt-get install -y chromium, or set $CHROMIUM); "
                "`playwright install` cannot download browsers here")
    try:
        import playwright  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as e:
        return f"browser tests need the dev extra ({e.name} is not installed)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    reason = _skip_reason()
    if reason is None:
        return
    mark = pytest.mark.skip(reason=reason)
    for item in items:
        if HERE in Path(item.path).resolve().parents:
            item.add_marker(mark)


def serve(app: Any, name: str = "live-server") -> Iterator[str]:
    """``app`` on 127.0.0.1 at a free port, served by uvicorn in a daemon thread; yields its base URL, stops it after."""
    import uvicorn

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))  # bound here and handed to uvicorn: no race for the port
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    failure: list[BaseException] = []

    def run() -> None:
        try:
            server.run(sockets=[sock])
        except BaseException as e:  # uvicorn calls sys.exit() on startup errors
            failure.append(e)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if failure or not thread.is_alive():
            sock.close()
            pytest.fail(f"{name} did not start on 127.0.0.1:{port}: {failure[0]!r}" if failure
                        else f"{name} thread on 127.0.0.1:{port} exited before starting (see the log above)",
                        pytrace=False)
        if time.monotonic() > deadline:
            server.should_exit = True
            pytest.fail(f"{name} did not start on 127.0.0.1:{port} within 15 s", pytrace=False)
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """The app on 127.0.0.1 at a free port, served by uvicorn in a daemon thread; yields its base URL."""
    from myoclass.web.app import create_app

    yield from serve(create_app())


@pytest.fixture(scope="session")
def base_url(live_server: str) -> str:
    """pytest-base-url: every page's relative ``goto("/...")`` goes to the live server."""
    return live_server


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    """pytest-playwright: the system Chromium, offline-friendly flags."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture
def shot(artifacts: Path) -> Callable[..., Path]:
    """``shot(page, "name")`` saves ``test-artifacts/name.png`` (``full_page=True`` for the whole page)."""

    def save(page: Any, name: str, *, full_page: bool = False) -> Path:
        path = artifacts / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


def _axe_source() -> str | None:
    try:
        import axe_playwright_python
    except ImportError:
        return None
    path = Path(axe_playwright_python.__file__).with_name("axe.min.js")
    return path.read_text(encoding="utf-8") if path.is_file() else None


def axe_violations(page: Any) -> list[Any]:
    """axe-core's violations on the page as it stands ((id, impact, first three targets) each); skips the test
    when axe-core is not installed. The script is evaluated by the browser's debugger protocol, so the page's
    CSP does not apply."""
    source = _axe_source()
    if source is None:
        pytest.skip("axe-core is not installed (pip install axe-playwright-python, part of the dev extra)")
    page.evaluate(source)
    result: dict[str, Any] = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in result["violations"]]
