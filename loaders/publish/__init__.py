"""Safe publish of the production marts: shadow build -> swap -> rollback, and the run log.

``amx run`` builds every mart into the shadow schema ``public__shadow`` (dbt var
``marts_schema``) and runs every dbt test there. Only when no error-severity test failed does
:func:`publish` replace the live marts in ``public`` with the shadow ones, in one transaction,
keeping the replaced ones in ``public__previous`` as the rollback target.

Why table by table (``ALTER TABLE … SET SCHEMA``) and not ``ALTER SCHEMA public RENAME``:

- ``public`` is not only the marts. Extensions live there (``pg_trgm``, which the trigram index
  needs), and on Supabase the schema carries the API's grants and default privileges and is
  exposed by name. Renaming it would carry all of that away into ``public__previous`` (and
  dropping an old previous schema would drop the extension). Moving only the relations dbt built
  leaves everything else in ``public`` untouched, and the schema-level grants never change.
- Consistency for readers. Renaming a schema takes no lock on its tables, so a reader's
  statement or transaction that resolved ``public.companies`` before the commit and
  ``public.equipment`` after it would mix two runs. Moving tables takes ``ACCESS EXCLUSIVE`` on
  every live and shadow relation first (one ``LOCK TABLE`` statement): a reader that already
  touched a live table keeps the old state until its transaction ends (publish waits for it), and
  a reader that arrives during the swap waits, then re-resolves the names after the commit and
  sees only the new tables. Old or new, never a mix; ``tests/test_publish.py`` reads in a loop
  while publishing.
- Deadlocks with readers. A reader holding one live table and waiting for another that publish
  already locked would deadlock. Publish therefore locks with a ``lock_timeout`` shorter than
  Postgres' ``deadlock_timeout`` (1 s), releases everything and retries: readers never get the
  deadlock error, publish just waits its turn (and gives up, saying so, after ~2 minutes).
- What moves with a table: its indexes, constraints (primary and foreign keys, which refer by
  OID), RLS policies, grants and column defaults. Views bind to table OIDs, not names, so
  ``company_summaries`` / ``pricing_benchmarks`` move together with the tables they were built
  on, and afterwards read the tables now live (tested).
- What publish trusts: only a build whose dbt tests all passed is recorded (:func:`record_build`,
  ``audit.builds``: every relation of the shadow by oid, its RLS, policies and grants; refused
  when a mart of the dbt manifest is missing or the access rules are not met). The swap checks
  the shadow against that record and refuses anything changed since.
- What publish moves: only relations amx built, registered by oid in ``audit.owned_relations``
  (an oid survives ``SET SCHEMA``). A table in ``public`` that amx did not create stays where it
  is, even under a mart's name (publish refuses, naming it) — except the app's own tables of a
  production the load landed as a source (``loaders/production.py``): the build carries their
  rows, so the first publish adopts them into ``public__previous`` if they are unchanged since the
  load. Views and foreign keys someone else
  made over the marts are captured (definition, options, owner, grants, comment, indexes),
  dropped and made again on the new marts in the same transaction, so the app's objects keep
  working across publish, rollback and restore and never pin an old mart in ``public__previous``.
- Shrink guard: a publish that would leave a mart or a vendor sheet with more than
  ``AMX_MAX_SHRINK`` (default 0.2) fewer rows than live is refused unless ``allow_shrink``.
- Access after a swap back: rollback and restore give the marts coming back the grants, RLS and
  policies of the ones they replace, so an older build's grants never return.

What publish / rollback cover: only the marts schema, the state the app reads. The other schemas
are per-build working state, rebuilt in place by each run: ``raw`` (replaced in one transaction
by the load stage), ``staging``/``intermediate``/``reference``, ``linkage.*`` and the audit
*models* (``audit.reconciliation``, ``quality_scorecard``, ``validation_warnings``, …), which
describe the last build, published or not. Each run's report (``$AMX_HOME/runs/<run_id>/``)
keeps a copy of them, so the report of the live run id is its record. The append-only logs
``audit.migration_log``, ``audit.publications`` and ``audit.data_health_log`` are written here.

Rollback vs backup: ``amx rollback`` swaps ``public__previous`` back (one step, instant, inside
the database; a second rollback undoes the first). ``amx backup`` writes a ``pg_dump`` of the live
marts to ``$AMX_HOME/backups/`` with the client programs of the server's major version (a newer
pg_dump writes what an older server or pg_restore refuses); ``amx restore FILE`` restores the dump
into the shadow schema (its statements re-pointed there) and puts it live through the same swap,
so the replaced marts become the rollback target. A backup survives the loss of the database and
reaches further back than one step.

Test hook: ``AMX_TEST_PAUSE_AT=<point>`` makes a run print ``amx: paused at <point>`` and sleep
(``AMX_TEST_PAUSE_SECONDS``, default 600) so a test can kill it at a known place. Points: the
stage names (at the start of the stage) and ``publish-commit`` (inside the swap transaction, after
every table moved, before the commit). Unset, it costs one environment lookup.
"""

from __future__ import annotations

from loaders.publish.backups import backup, client_tool, load_backup_into_shadow, restore
from loaders.publish.catalog import APP_ROLES, Relation, relations, row_counts
from loaders.publish.journal import (
    DDL,
    LIVE,
    LOCK_ATTEMPTS,
    LOCK_KEY,
    LOCK_TIMEOUT_MS,
    PREVIOUS,
    SHADOW,
    LockedError,
    PublishError,
    ensure_tables,
    log,
    log_event,
    new_run_id,
    pause_point,
    production_lock,
)
from loaders.publish.ownership import max_shrink, record_build
from loaders.publish.swap import (
    PublishResult,
    ShrinkError,
    prepare_shadow,
    publish,
    rollback,
    status,
)

__all__ = [
    "APP_ROLES",
    "DDL",
    "LIVE",
    "LOCK_ATTEMPTS",
    "LOCK_KEY",
    "LOCK_TIMEOUT_MS",
    "LockedError",
    "PREVIOUS",
    "PublishError",
    "PublishResult",
    "Relation",
    "SHADOW",
    "ShrinkError",
    "backup",
    "client_tool",
    "ensure_tables",
    "load_backup_into_shadow",
    "log",
    "log_event",
    "max_shrink",
    "new_run_id",
    "pause_point",
    "prepare_shadow",
    "production_lock",
    "publish",
    "record_build",
    "relations",
    "restore",
    "rollback",
    "row_counts",
    "status",
]
