"""A production database as the AM Explorer app built it, before the vendor migration.

Follows ``../shared/existing_production/README.md``: the app's schema comes from the contract
(``tests/app_contract.py``: every contract table with its columns, ids defaulting to random UUIDs,
timestamps to now(), foreign keys from equipment to companies / technologies / materials), filled
from ``detailed_companies.csv`` the way the app's import did it — one company per distinct name
(random UUID, website, country and state as written, an approximate point per state or province
or the centre of the US, ``company_type`` ``service``, a generated description), one equipment row
per printer row, technologies and materials created by name. Beside them the app's own tables
(``profiles``, ``user_preferences``, ``saved_searches``) with a user and a saved search, and a
view the app owns over them (``saved_search_owners``). ``create_app_view_over_companies`` adds the
app's view over a published table (``companies_by_state``).
"""

from __future__ import annotations

import csv
import random
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from psycopg import sql

from loaders.db import Database
from tests.app_contract import Contract, parse

DETAILED = Path(__file__).resolve().parents[1].parent / "shared" / "existing_production"
DETAILED_CSV = DETAILED / "detailed_companies.csv"

# approximate centre of each state / province the file names (the app's own lookup)
CENTRES = {
    "AK": (64.7, -152.0), "AL": (32.8, -86.8), "AR": (34.9, -92.4), "AZ": (34.3, -111.7),
    "CA": (37.2, -119.5), "CO": (39.0, -105.5), "CT": (41.6, -72.7), "DE": (39.0, -75.5),
    "FL": (28.6, -82.4), "GA": (32.7, -83.4), "HI": (20.3, -156.4), "ID": (44.4, -114.6),
    "IL": (40.0, -89.2), "IN": (39.9, -86.3), "KS": (38.5, -98.4), "KY": (37.5, -85.3),
    "MA": (42.3, -71.8), "MD": (39.0, -76.8), "MI": (44.3, -85.4), "MN": (46.3, -94.3),
    "MO": (38.4, -92.5), "NC": (35.6, -79.4), "ND": (47.5, -100.5), "NH": (43.7, -71.6),
    "NJ": (40.2, -74.7), "NV": (39.3, -116.6), "NY": (42.9, -75.5), "OH": (40.3, -82.8),
    "OK": (35.6, -97.5), "OR": (43.9, -120.6), "PA": (40.9, -77.8), "RI": (41.7, -71.5),
    "SD": (44.4, -100.2), "TN": (35.9, -86.4), "TX": (31.5, -99.3), "UT": (39.3, -111.7),
    "VA": (37.5, -78.9), "WA": (47.4, -120.5), "WI": (44.6, -89.9), "AB": (55.0, -115.0),
    "BC": (53.7, -127.6), "MB": (55.0, -97.0), "ON": (50.0, -85.0), "QC": (52.9, -73.5),
}  # fmt: skip
US_CENTRE = (39.83, -98.58)
WHOLE_NUMBER_COLUMNS = {"year", "count", "quantity", "founded_year", "investment_year"}
APP_USER = uuid.UUID("5a0c1d2e-3f40-4b5c-8d6e-7f8091a2b3c4")
SAVED_SEARCH = uuid.UUID("0c9b8a7d-6e5f-4a3b-9c2d-1e0f9a8b7c6d")
APP_CATEGORY = uuid.UUID("1b2c3d4e-5f60-4718-8293-a4b5c6d7e8f9")
APP_INVESTMENT = uuid.UUID("2c3d4e5f-6071-4829-93a4-b5c6d7e8f901")


def _sql_type(name: str, app_type: str) -> str:
    if app_type == "string[]":
        return "text[]"
    if app_type == "boolean":
        return "boolean"
    if app_type == "number":
        return "integer" if name in WHOLE_NUMBER_COLUMNS else "numeric"
    if name == "id" or name.endswith("_id"):
        return "uuid"
    if name in ("created_at", "updated_at"):
        return "timestamptz"
    if name.endswith("_date"):
        return "date"
    return "text"


def create_app_schema(conn, contract: Contract) -> None:
    """The app's tables as its migrations made them (columns and types from the contract)."""
    for table in contract.relations(views=False):
        cols = []
        for c in contract.of(table):
            ddl = f"{c.name} {_sql_type(c.name, c.app_type)}"
            if c.name == "id":
                ddl += " primary key default gen_random_uuid()"
            elif c.name in ("created_at", "updated_at"):
                ddl += " default now()"
            if not c.nullable and c.name != "id":
                ddl += " not null"
            cols.append(ddl)
        conn.execute(f"create table public.{table} ({', '.join(cols)})")
    conn.execute(
        "alter table public.equipment"
        " add foreign key (company_id) references public.companies (id),"
        " add foreign key (technology_id) references public.technologies (id),"
        " add foreign key (material_id) references public.materials (id)"
    )
    # the app's own tables, never touched by the migration
    conn.execute(
        "create table public.profiles (user_id uuid primary key, email text, full_name text,"
        " avatar_url text, role text, created_at timestamptz default now(),"
        " updated_at timestamptz default now());"
        "create table public.user_preferences (user_id uuid primary key"
        " references public.profiles (user_id), theme text, default_filters jsonb,"
        " export_preferences jsonb, created_at timestamptz default now(),"
        " updated_at timestamptz default now());"
        "create table public.saved_searches (id uuid primary key default gen_random_uuid(),"
        " user_id uuid references public.profiles (user_id), name text, query jsonb,"
        " created_at timestamptz default now());"
        "create view public.saved_search_owners as select s.id, s.name, p.email"
        " from public.saved_searches s join public.profiles p using (user_id);"
    )


def read_detailed(path: Path = DETAILED_CSV) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [
            {k.strip(): (v or "").strip() for k, v in row.items() if k and k.strip()}
            for row in csv.DictReader(f, delimiter=";")
        ]


def build(db: Database, *, seed: int = 42) -> dict[str, list]:
    """Create and fill the app's production in ``db`` (empty); returns the ids it created."""
    rng = random.Random(seed)

    def new_id() -> uuid.UUID:
        return uuid.UUID(int=rng.getrandbits(128), version=4)

    rows = read_detailed()
    created = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    companies: dict[str, dict] = {}
    technologies: dict[str, uuid.UUID] = {}
    materials: dict[str, uuid.UUID] = {}
    for row in rows:
        name = row["Company"]
        if name not in companies:
            state = row["State / province"] or None
            lat, lon = CENTRES.get((state or "").upper(), US_CENTRE)
            where = ", ".join(x for x in (state, row["Country"]) if x)
            companies[name] = {
                "id": new_id(),
                "name": name,
                "website": row["Website"] or None,
                "country": row["Country"] or None,
                "state": state,
                "latitude": lat,
                "longitude": lon,
                "company_type": "service",
                "description": f"{name} is an additive manufacturing service provider"
                + (f" in {where}." if where else "."),
                "created_at": created + timedelta(minutes=len(companies)),
            }
        for kind, table in (("Process", technologies), ("Material", materials)):
            value = row[kind]
            if value and value.lower() not in {k.lower() for k in table}:
                table[value] = new_id()
    lookup_t = {k.lower(): v for k, v in technologies.items()}
    lookup_m = {k.lower(): v for k, v in materials.items()}
    contract = parse()
    with db.connect() as conn, conn.transaction():
        create_app_schema(conn, contract)
        for table, values in (("technologies", technologies), ("materials", materials)):
            for value, id_ in values.items():
                conn.execute(
                    sql.SQL("insert into public.{} (id, name, category, created_at)"
                            " values (%s, %s, %s, %s)").format(sql.Identifier(table)),
                    (id_, value, value if table == "materials" else None, created),
                )  # fmt: skip
        for c in companies.values():
            conn.execute(
                "insert into public.companies (id, name, website, country, state, latitude,"
                " longitude, company_type, description, created_at, updated_at) values"
                " (%(id)s, %(name)s, %(website)s, %(country)s, %(state)s, %(latitude)s,"
                " %(longitude)s, %(company_type)s, %(description)s, %(created_at)s,"
                " %(created_at)s)",
                c,
            )
        equipment = []
        for row in rows:
            id_ = new_id()
            equipment.append(id_)
            count = row["Number of printers"]
            conn.execute(
                "insert into public.equipment (id, company_id, manufacturer, model, count,"
                " count_type, technology_id, material_id, created_at, updated_at)"
                " values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                (
                    id_, companies[row["Company"]]["id"], row["Printer manufacturer"] or None,
                    row["Printer model"] or None, int(count) if count else None,
                    row["Count type"] or None, lookup_t.get(row["Process"].lower()),
                    lookup_m.get(row["Material"].lower()), created, created,
                ),
            )  # fmt: skip
        # rows the app's users added through the app (RLS lets `authenticated` insert)
        first = next(iter(companies.values()))["id"]
        conn.execute(
            "insert into public.company_categories (id, company_id, category, is_primary)"
            " values (%s, %s, 'Metal printing service', true)",
            (APP_CATEGORY, first),
        )
        conn.execute(
            "insert into public.investments (id, company_id, investment_year, investment_month,"
            " amount_millions, funding_round) values (%s, %s, 2024, 'March', 2.5, 'Seed')",
            (APP_INVESTMENT, first),
        )
        conn.execute(
            "insert into public.profiles (user_id, email, full_name, role)"
            " values (%s, 'analyst@example.com', 'An Analyst', 'analyst')",
            (APP_USER,),
        )
        conn.execute(
            "insert into public.user_preferences (user_id, theme, default_filters)"
            " values (%s, 'dark', '{\"country\": \"United States\"}')",
            (APP_USER,),
        )
        conn.execute(
            "insert into public.saved_searches (id, user_id, name, query) values"
            ' (%s, %s, \'Metal bureaus in Ohio\', \'{"state": "OH", "material": "Metal"}\')',
            (SAVED_SEARCH, APP_USER),
        )
    return {
        "companies": [c["id"] for c in companies.values()],
        "equipment": equipment,
        "technologies": list(technologies.values()),
        "materials": list(materials.values()),
    }


def create_app_view_over_companies(db: Database) -> None:
    """A view the app owns over a table the migration publishes."""
    with db.connect() as conn:
        conn.execute(
            "create view public.companies_by_state as select state, count(*) as companies"
            " from public.companies group by state"
        )
