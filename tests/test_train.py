"""`amx link train`: training on the mentions a build left in the database writes a model the
linkage stage can load; labels that name mentions the data lacks are refused, naming the label."""

from __future__ import annotations

import json

import pytest

from dedupe.model import MODEL_PATH
from dedupe.train import train_on_database


def test_training_on_the_built_mentions_writes_a_model(built_db, tmp_path):
    out = tmp_path / "model.json"
    rows, labelled = train_on_database(built_db, out=out)
    model = json.loads(out.read_text(encoding="utf-8"))
    shipped = json.loads(MODEL_PATH.read_text(encoding="utf-8"))
    assert rows > 100 and labelled == 0
    assert [c["output_column_name"] for c in model["comparisons"]] == [
        c["output_column_name"] for c in shipped["comparisons"]
    ]
    assert 0 < model["probability_two_random_records_match"] < 1


def test_labels_naming_a_mention_the_data_lacks_are_refused(built_db, tmp_path):
    labels = tmp_path / "labels"
    labels.mkdir()
    (labels / "pairs.csv").write_text(
        "pair_id,left_row,right_row,label\nP9,0,999999,match\n", encoding="utf-8"
    )
    (labels / "mentions.csv").write_text(
        "mention_id,sheet,sheet_row,candidate_row,label\n", encoding="utf-8"
    )
    with pytest.raises(ValueError, match=r"pairs\.csv P9: .*999999.* not among the mentions"):
        train_on_database(built_db, labels, out=tmp_path / "model.json")
    assert not (tmp_path / "model.json").exists()
