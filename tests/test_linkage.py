"""Company linkage on the sample: every mention clustered once, ids stable across reruns."""

from __future__ import annotations

import json
import shutil

from dedupe.linkage.clustering import stable_cluster_keys
from dedupe.linkage.run import link
from tests.conftest import SAMPLE


def _clusters(db) -> dict[str, str]:
    with db.connect() as conn:
        return dict(conn.execute("select mention_key, cluster_id from linkage.clusters"))


def test_every_mention_is_in_exactly_one_cluster(built_db):
    with built_db.connect() as conn:
        mentions = conn.execute(
            "select count(*) from intermediate.int_company_mentions where normalised_name <> ''"
        ).fetchone()[0]
        clustered, distinct = conn.execute(
            "select count(*), count(distinct mention_key) from linkage.clusters"
        ).fetchone()
    assert mentions == clustered == distinct > 0


def test_rerun_gives_identical_cluster_ids(built_db):
    before = _clusters(built_db)
    link(built_db)
    assert _clusters(built_db) == before


def test_appending_a_row_keeps_existing_cluster_ids(built_db, tmp_path):
    from loaders import pipeline

    before = _clusters(built_db)
    delivery = tmp_path / "delivery"
    shutil.copytree(SAMPLE, delivery)
    roles = json.loads((delivery / "Company_roles.json").read_text(encoding="utf-8"))
    roles.append({"Company name": "Zyxwvut Newcomer Additive GmbH", "Category": "End user"})
    target = delivery / "Company_roles.json"
    target.chmod(0o644)
    target.write_text(json.dumps(roles, ensure_ascii=False), encoding="utf-8")
    relink = ("load", "mentions", "link")  # the marts are not needed to compare cluster ids
    try:
        pipeline.run(built_db, delivery, stages=relink)
        after = _clusters(built_db)
        assert {k: after[k] for k in before} == before
        assert len(after) == len(before) + 1
    finally:
        pipeline.run(built_db, SAMPLE, stages=relink)


def test_cluster_key_prefers_the_master_spelling_and_ignores_order():
    import pyarrow as pa

    features = pa.table(
        {
            "feature_id": ["f1", "f2", "f3"],
            "name_norm": ["acmeadditive", "acme", "zeta"],
            "country_code": ["DE", "DE", None],
            "in_master": [False, True, False],
        }
    )
    one = stable_cluster_keys(features, [{"f1", "f2"}, {"f3"}])
    two = stable_cluster_keys(features, [{"f3"}, {"f2", "f1"}])
    assert one == two
    assert one["f1"] == one["f2"] == "acme|DE"
    assert one["f3"] == "zeta|"
