"""End to end in a real browser: a steward splits a weakly linked company on the review page, the
pipeline reruns, and the two mentions are two companies.

Debian's Chromium (``make browser``) driven by Playwright; Playwright's own browser download is
never used. Decisions go to a temporary copy of the seed (``AMX_DECISIONS_PATH``), so the
repository's CSV is untouched. The screenshots are kept as test artefacts under ``$AMX_HOME``.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from dedupe import decisions as steward
from dedupe.review import create_app

CHROMIUM = Path("/usr/bin/chromium")
# Flags this machine needs: no sandbox as root, and no background calls to Google's services
# (the network is closed; Chromium would retry them for the whole test).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="Debian chromium is not installed: run `make browser`"
)


def _rebuild(db) -> None:
    """What `amx link apply` does: link, build and test in the shadow schema, publish."""
    from loaders import pipeline
    from loaders.settings import DEFAULT_SOURCE

    pipeline.run(db, DEFAULT_SOURCE, stages=("link", "build", "publish"), write_report=False)


def _company_and_cluster(db, mention_key: str) -> tuple[str, str]:
    with db.connect() as conn:
        return conn.execute(
            "select csr.company_id::text, c.cluster_id from linkage.clusters c"
            " join public.company_source_records csr using (mention_key) where mention_key = %s",
            (mention_key,),
        ).fetchone()


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A copy of the decision seed that the app and the rerun both use."""
    copy = tmp_path / "steward_decisions.csv"
    if steward.DECISIONS_PATH.exists():
        shutil.copyfile(steward.DECISIONS_PATH, copy)
    monkeypatch.setenv("AMX_DECISIONS_PATH", str(copy))
    return copy


@pytest.fixture
def server(built_db, store):
    from werkzeug.serving import make_server

    app = create_app(built_db, reviewer="e2e-steward", decisions_path=store)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{srv.server_port}"
    srv.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            tab = browser.new_page(viewport={"width": 1400, "height": 1000})
            tab.set_default_timeout(15_000)
            yield tab
        finally:
            browser.close()


def test_different_companies_recorded_in_the_browser_splits_the_company_on_rerun(
    built_db, server, store, page, monkeypatch, capsys
):
    seed_before = steward.DECISIONS_PATH.read_bytes() if steward.DECISIONS_PATH.exists() else b""
    artefacts = Path(os.environ["AMX_HOME"]) / "review_e2e"
    artefacts.mkdir(parents=True, exist_ok=True)

    # The steward narrows the queue to weak links (two mentions one company hangs on) and opens
    # the first open one.
    page.goto(server + "/")
    page.select_option("select[name=kind]", "weak_link")
    page.click("button[type=submit]")
    page.click("#start")
    rank = int(re.search(r"/item/(\d+)", page.url).group(1))
    with built_db.connect() as conn:
        left, right = conn.execute(
            "select mention_key_l, mention_key_r from linkage.review_queue where rank = %s",
            (rank,),
        ).fetchone()
    before_l, before_r = _company_and_cluster(built_db, left), _company_and_cluster(built_db, right)
    assert before_l == before_r, "a weak link joins two mentions into one company"
    assert page.locator("#waterfall").is_visible()
    assert page.locator(f'#side-left tr[data-mention="{left}"]').count() == 1
    assert page.locator(f'#side-right tr[data-mention="{right}"]').count() == 1

    # Keyboard only: "/" to write a note, Esc, then "d" for different companies.
    page.keyboard.press("/")
    page.keyboard.type("different firms, checked their websites")
    page.keyboard.press("Escape")
    page.screenshot(path=str(artefacts / "item_before_decision.png"), full_page=True)
    page.keyboard.press("d")
    page.wait_for_selector(".flash.ok")
    assert "different companies" in page.locator(".flash.ok").inner_text()

    [row] = [d for d in steward.read_history(store) if d.reviewer == "e2e-steward"]
    assert (row.mention_key_l, row.mention_key_r, row.decision) == (left, right, "no_match")
    assert row.note == "different firms, checked their websites"

    try:
        _rebuild(built_db)
        after_l = _company_and_cluster(built_db, left)
        after_r = _company_and_cluster(built_db, right)
        assert after_l[0] != after_r[0], "company ids should differ after the rerun"
        assert after_l[1] != after_r[1], "cluster ids should differ after the rerun"

        page.goto(server + "/")
        changed = page.locator("#changed")
        assert left in changed.inner_text() and "cannot-link" in changed.inner_text()
        shot = artefacts / "queue_after_rerun.png"
        page.screenshot(path=str(shot), full_page=True)
        with capsys.disabled():
            print(f"\nreview page screenshots: {shot} and {artefacts / 'item_before_decision.png'}")
    finally:
        # Back to the seed's decisions, so later tests see the sample's own companies.
        monkeypatch.delenv("AMX_DECISIONS_PATH")
        _rebuild(built_db)
    assert (steward.DECISIONS_PATH.read_bytes() if steward.DECISIONS_PATH.exists() else b"") == (
        seed_before
    ), "the repository's decision seed must not change"
