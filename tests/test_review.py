"""The steward review page: the decision store's undo and skip, and the app against the sample.

The app runs on the real database built from the sample (``built_db``) through Flask's test
client; decisions go to a temporary CSV, so the repository's seed is never touched.
"""

from __future__ import annotations

import re
import threading

import pytest

from dedupe import decisions as steward
from dedupe.review import create_app

A, B, C = (f"Company_information.json:{i}:company_name" for i in range(3))


def _decision(left, right, decision, at, reviewer="ana", note=""):
    return steward.Decision(left, right, decision, reviewer, at, note)


# ---------------------------------------------------------------------------------------------
# The decision store: skip and undo


def test_skip_is_history_and_never_replaces_a_decision(tmp_path):
    path = tmp_path / "d.csv"
    steward.append(_decision(A, B, "no_match", "2026-11-24T10:00:00+00:00"), path)
    steward.append(_decision(A, B, "skip", "2026-11-24T10:01:00+00:00", note="ask sales"), path)
    assert [d.decision for d in steward.current(path).values()] == ["no_match"]
    assert steward.read_history(path)[-1].note == "ask sales"


def test_undo_restores_the_previous_decision_of_the_pair(tmp_path):
    path = tmp_path / "d.csv"
    steward.append(_decision(A, B, "match", "2026-11-24T10:00:00+00:00", reviewer="bo"), path)
    steward.append(_decision(A, B, "no_match", "2026-11-24T10:01:00+00:00"), path)
    row = steward.undo("ana", path)
    assert row.decision == "match" and row.reviewer == "ana" and steward.is_undo(row)
    assert [d.decision for d in steward.current(path).values()] == ["match"]


def test_undo_of_a_first_decision_retracts_it(tmp_path):
    path = tmp_path / "d.csv"
    steward.append(_decision(A, B, "no_match", "2026-11-24T10:00:00+00:00"), path)
    steward.undo("ana", path)
    assert steward.current(path) == {}
    assert len(steward.read_history(path)) == 2  # the undo is history too


def test_undo_twice_takes_back_two_decisions_in_reverse_order(tmp_path):
    path = tmp_path / "d.csv"
    steward.append(_decision(A, B, "match", "2026-11-24T10:00:00+00:00"), path)
    steward.append(_decision(A, C, "no_match", "2026-11-24T10:01:00+00:00"), path)
    first, second = steward.undo("ana", path), steward.undo("ana", path)
    assert (first.pair, second.pair) == (tuple(sorted((A, C))), tuple(sorted((A, B))))
    assert steward.current(path) == {}
    with pytest.raises(steward.DecisionError, match="no decision to undo"):
        steward.undo("ana", path)


def test_undo_never_overwrites_a_colleagues_later_decision(tmp_path):
    path = tmp_path / "d.csv"
    steward.append(_decision(A, B, "match", "2026-11-24T10:00:00+00:00"), path)
    steward.append(_decision(A, B, "no_match", "2026-11-24T10:05:00+00:00", reviewer="bo"), path)
    with pytest.raises(steward.DecisionError, match="bo decided .* after you"):
        steward.undo("ana", path)
    assert [d.decision for d in steward.current(path).values()] == ["no_match"]


def test_undo_of_a_skip_keeps_the_pairs_decision(tmp_path):
    path = tmp_path / "d.csv"
    steward.append(_decision(A, B, "match", "2026-11-24T10:00:00+00:00", reviewer="bo"), path)
    steward.append(_decision(A, B, "skip", "2026-11-24T10:01:00+00:00"), path)
    steward.undo("ana", path)
    assert [d.decision for d in steward.current(path).values()] == ["match"]


def test_store_path_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("AMX_DECISIONS_PATH", str(tmp_path / "elsewhere.csv"))
    steward.append(_decision(A, B, "match", "2026-11-24T10:00:00+00:00"))
    assert (tmp_path / "elsewhere.csv").exists()
    assert len(steward.current()) == 1


# ---------------------------------------------------------------------------------------------
# The app on the sample


@pytest.fixture
def store(tmp_path):
    return tmp_path / "steward_decisions.csv"


@pytest.fixture
def client(built_db, store):
    app = create_app(built_db, reviewer="ana", decisions_path=store)
    app.config["TESTING"] = True
    return app.test_client()


def _token(client) -> str:
    page = client.get("/").get_data(as_text=True)
    return re.search(r'name="token" value="([^"]+)"', page).group(1)


def _queue(db) -> list[dict]:
    with db.connect() as conn:
        cols = ("rank", "mention_key_l", "mention_key_r", "feature_id_l", "feature_id_r", "impact")
        rows = conn.execute(f"select {', '.join(cols)} from linkage.review_queue order by rank")
        return [dict(zip(cols, r, strict=True)) for r in rows]


def test_queue_is_listed_by_priority_with_progress(built_db, client):
    queue = _queue(built_db)
    assert queue, "the sample should leave something for a steward"
    page = client.get("/").get_data(as_text=True)
    ranks = [int(r) for r in re.findall(r'<tr class="open" data-rank="(\d+)"', page)]
    assert ranks == [q["rank"] for q in queue]
    with built_db.connect() as conn:
        priorities = [
            r[0] for r in conn.execute("select priority from linkage.review_queue order by rank")
        ]
    assert priorities == sorted(priorities, reverse=True)
    assert f"<b>0</b> reviewed · <b>{len(queue)}</b> remaining" in page


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("band=huge", "band 'huge' is not one of"),
        ("sheet=passwords.json", "is not a sheet of the export"),
        ("country=Narnia", "is not a two-letter ISO code"),
        ("kind=%27%3B+drop+table+x", "is not one of uncertain_pair"),
    ],
)
def test_invalid_filter_is_refused_with_a_clear_message(client, query, message):
    response = client.get(f"/?{query}")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")


def test_filters_narrow_the_queue_to_matching_items(built_db, client):
    with built_db.connect() as conn:
        sheet, country = conn.execute(
            """select m.source_file, m.country_code
               from linkage.review_queue q join linkage.clusters c on c.feature_id = q.feature_id_l
               join intermediate.int_company_mentions m using (mention_key)
               where m.country_code is not null order by q.rank limit 1"""
        ).fetchone()
    everything = _rows(client.get("/").get_data(as_text=True))
    by_sheet = _rows(client.get(f"/?sheet={sheet}").get_data(as_text=True))
    by_country = _rows(client.get(f"/?country={country.lower()}").get_data(as_text=True))
    weak = _rows(client.get("/?kind=weak_link").get_data(as_text=True))
    low = _rows(client.get("/?band=low").get_data(as_text=True))
    assert by_sheet and all(sheet in row for row in by_sheet)
    assert by_country and all(re.search(rf"\b{country}\b", row) for row in by_country)
    assert all("merged?" in row for row in weak)
    assert all(float(re.search(r'class="num">(0\.\d+)<', row).group(1)) < 0.5 for row in low)
    others = [
        _rows(client.get(f"/?kind={kind}").get_data(as_text=True))
        for kind in ("uncertain_pair", "shared_site")
    ]
    assert len(weak) + sum(len(rows) for rows in others) == len(everything)


def _rows(page: str) -> list[str]:
    return re.findall(r"<tr class=\"\w+\" data-rank=.*?</tr>", page, flags=re.S)


def test_item_shows_every_source_row_behind_both_sides(built_db, client):
    item = _queue(built_db)[0]
    with built_db.connect() as conn:
        behind = {
            r[0]
            for r in conn.execute(
                "select mention_key from linkage.clusters where feature_id in (%s, %s)",
                (item["feature_id_l"], item["feature_id_r"]),
            )
        }
        raw_fields = conn.execute(
            "select count(*) from information_schema.columns where table_schema = 'raw'"
        ).fetchone()[0]
    page = client.get(f"/item/{item['rank']}").get_data(as_text=True)
    shown = set(re.findall(r'data-mention="([^"]+)"', page))
    assert behind <= shown
    assert raw_fields and '<dl class="raw"><dt>' in page  # the landed rows themselves
    assert 'id="waterfall"' in page and "match weight" in page
    assert "if same company" in page and "if different companies" in page


def test_golden_preview_is_what_the_mart_builds_for_the_same_mentions(built_db):
    """The page's "if ..." records come from the database's own survivorship rule: for every
    company the export alone makes, the preview of exactly its mentions is the published row."""
    from dedupe.review import queries

    columns = ("name", "website", "domain", "country_code", "parent_company")
    with built_db.connect() as conn:
        companies = conn.execute(
            f"""
            select {", ".join(f"co.{c}" for c in columns)}, co.public_stock_ticker,
                   co.source_count, array_agg(csr.mention_key order by csr.mention_key)
            from public.companies co
            join public.company_source_records csr on csr.company_id = co.id
            where co.data_source like 'vendor:%%'
            group by co.id order by co.id
            """
        ).fetchall()
        previews = queries.golden_preview(conn, [row[-1] for row in companies])
    assert len(companies) > 20 and len(previews) == len(companies)
    assert any(row[2] for row in companies) and any(row[4] for row in companies)
    shown = [(*(p[c] for c in columns), p["ticker"], p["sheets"]) for p in previews]
    assert shown == [tuple(row[:-1]) for row in companies]
    assert [p["mentions"] for p in previews] == [len(row[-1]) for row in companies]


def test_unknown_item_is_a_404(client):
    assert client.get("/item/999999").status_code == 404


def test_different_companies_is_appended_with_reviewer_and_note(built_db, client, store):
    item = _queue(built_db)[0]
    response = client.post(
        f"/item/{item['rank']}/decide",
        data={"token": _token(client), "choice": "different", "note": "two  firms\nsame city"},
    )
    assert response.status_code == 302
    [row] = steward.read_history(store)
    assert (row.mention_key_l, row.mention_key_r) == (item["mention_key_l"], item["mention_key_r"])
    assert (row.decision, row.reviewer, row.note) == ("no_match", "ana", "two firms same city")
    page = client.get("/").get_data(as_text=True)
    assert "<b>1</b> reviewed" in page and "different companies (ana)" in page
    assert "Recorded since this run" in page and item["mention_key_l"] in page


def test_decision_without_the_pages_token_is_refused(built_db, client, store):
    item = _queue(built_db)[0]
    response = client.post(f"/item/{item['rank']}/decide", data={"choice": "same"})
    assert response.status_code == 400
    assert not store.exists()


@pytest.mark.parametrize(
    ("form", "message"),
    [
        ({"choice": "maybe"}, "choice 'maybe' is not one of"),
        ({"choice": "same", "note": "x" * 501}, "at most 500 characters"),
        # NUL would reach the CSV and fail every `dbt seed`; bidi overrides disguise text
        ({"choice": "same", "note": "looks fine\x00"}, "control or bidi character U+0000"),
        ({"choice": "same", "note": "abc\u202edef"}, "control or bidi character U+202E"),
    ],
)
def test_invalid_decision_input_is_refused(built_db, client, store, form, message):
    item = _queue(built_db)[0]
    response = client.post(f"/item/{item['rank']}/decide", data={"token": _token(client), **form})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True).replace("&#39;", "'")
    assert not store.exists()


def test_undo_from_the_page_reopens_the_item(built_db, client, store):
    item = _queue(built_db)[0]
    token = _token(client)
    client.post(f"/item/{item['rank']}/decide", data={"token": token, "choice": "same"})
    response = client.post("/undo", data={"token": token})
    assert response.status_code == 302 and f"/item/{item['rank']}" in response.location
    assert steward.current(store) == {}
    assert "<b>0</b> reviewed" in client.get("/").get_data(as_text=True)


def test_reviewer_name_is_validated(client):
    response = client.post("/reviewer", data={"token": _token(client), "reviewer": "<script>"})
    assert response.status_code == 400
    response = client.post("/reviewer", data={"token": _token(client), "reviewer": "ana\u202e"})
    assert response.status_code == 400


def test_a_note_starting_like_a_formula_is_stored_as_text(built_db, client, store):
    item = _queue(built_db)[0]
    note = '=HYPERLINK("http://attacker.example","open")'
    client.post(
        f"/item/{item['rank']}/decide",
        data={"token": _token(client), "choice": "skip", "note": note},
    )
    [row] = steward.read_history(store)
    assert row.note == "'" + note
    assert (
        store.read_text(encoding="utf-8")
        .splitlines()[1]
        .endswith(",\"'" + note.replace('"', '""') + '"')
    )


def test_only_local_host_names_are_served_and_pages_cannot_be_framed(client):
    assert client.get("/", headers={"Host": "rebound.attacker.example"}).status_code == 400
    assert client.get("/", headers={"Host": "127.0.0.1:8765"}).status_code == 200
    response = client.get("/")
    assert response.headers["Content-Security-Policy"] == "frame-ancestors 'none'"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_two_stewards_at_once_lose_nothing(built_db, store):
    queue = _queue(built_db)[:4]
    apps = [create_app(built_db, reviewer=name, decisions_path=store) for name in ("ana", "bo")]

    def review(app) -> None:
        client = app.test_client()
        token = _token(client)
        for item in queue:
            client.post(f"/item/{item['rank']}/decide", data={"token": token, "choice": "skip"})

    threads = [threading.Thread(target=review, args=(app,)) for app in apps]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    history = steward.read_history(store)
    assert len(history) == 2 * len(queue)
    assert {d.reviewer for d in history} == {"ana", "bo"}


def test_applied_and_stale_decisions_are_reported_after_a_run(built_db, client, store, monkeypatch):
    from dedupe.linkage.run import link

    item = _queue(built_db)[0]
    steward.append(
        _decision(item["mention_key_l"], item["mention_key_r"], "match", steward.now()), store
    )
    gone = "Company_roles.json:999999:company_name"
    steward.append(_decision(item["mention_key_l"], gone, "no_match", steward.now()), store)
    monkeypatch.setenv("AMX_DECISIONS_PATH", str(store))
    try:
        link(built_db, dashboards=False)
        page = client.get("/").get_data(as_text=True)
        changed = page.split('id="changed"')[1].split('id="not-applying"')[0]
        not_applying = page.split('id="not-applying"')[1].split('id="pending"')[0]
        assert item["mention_key_l"] in changed and "must-link" in changed
        assert gone in not_applying and "stale" in not_applying
    finally:
        monkeypatch.delenv("AMX_DECISIONS_PATH")
        link(built_db, dashboards=False)  # back to the clusters the other tests expect
