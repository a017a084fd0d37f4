"""Score company mentions with the trained Splink model, cluster them, write ``linkage.*``.

Flow (``run.link``): read the dbt model ``int_company_mentions`` from Postgres (``mentions``) ->
collapse identical feature rows, so that repeats of one normalised mention are scored once
(``features``) -> Splink predict on DuckDB, each pair explained (``prediction``) -> edges at or
above the match threshold, plus steward must-links, minus steward cannot-links -> anchored
components -> a stable key per cluster (``clustering``) -> the steward review queue (``queue``)
-> ``linkage.clusters`` (every mention), ``linkage.match_pairs`` (every stored pair, with each
comparison's level and Bayes factor), ``linkage.review_queue``, ``linkage.decision_report`` and
``linkage.runs`` (``storage``). Thresholds come from ``dedupe/linkage.toml`` (``config``).
Splink's comparison viewer and cluster studio go to ``$AMX_HOME/runs/<run_id>/``.
"""
