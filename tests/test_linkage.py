"""Company linkage on the sample: every mention clustered once, ids stable across reruns."""

from __future__ import annotations

import json
import shutil

from dedupe.linkage.clustering import stable_cluster_keys
from dedupe.linkage.run import link
from tests.conftest import SAMPLE, scratch_database


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


# Spellings a scan or a keyboard confuses, added to the sample as role rows (name only, no
# country or website: the name is all the evidence). (spelling, spelling, one firm?)
LOOK_ALIKES = [
    # two l/i/1 swaps in a long name: a scanned spelling of the same firm
    ("Quorvex Bui1dlng", "Quorvex Building", True),
    # too few letters for a look-alike to be rare: unrelated acronyms
    ("QJ1X", "QJIX", False),
    # a look-alike written with other word breaks differs twice
    ("ZQ Varol", "ZQVaroI", False),
    # a short name's words run together as another name's word: a chance string of letters
    ("Q-VEX", "QVEX Laser Works", False),
    # ... and a long one: the same firm
    ("Zorb-Quant", "ZORBQUANT Laser Works", True),
]


def test_look_alike_spellings_link_only_when_long_enough_to_tell(database, tmp_path):
    from loaders import pipeline

    db = scratch_database(database, "amx_look_alikes")
    delivery = tmp_path / "delivery"
    shutil.copytree(SAMPLE, delivery)
    target = delivery / "Company_roles.json"
    roles = json.loads(target.read_text(encoding="utf-8"))
    first = len(roles)
    for left, right, _ in LOOK_ALIKES:
        roles += [{"Company name": left, "Category": "End user"}]
        roles += [{"Company name": right, "Category": "End user"}]
    target.chmod(0o644)
    target.write_text(json.dumps(roles, ensure_ascii=False), encoding="utf-8")
    pipeline.run(db, delivery, stages=("load", "mentions", "link"))
    clusters = _clusters(db)
    cluster = [
        clusters[f"Company_roles.json:{first + i}:company_name"]
        for i in range(2 * len(LOOK_ALIKES))
    ]
    linked = {
        (left, right): cluster[2 * i] == cluster[2 * i + 1]
        for i, (left, right, _) in enumerate(LOOK_ALIKES)
    }
    assert linked == {(left, right): same for left, right, same in LOOK_ALIKES}
