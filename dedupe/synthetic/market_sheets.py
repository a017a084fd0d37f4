"""The market sheets and the figure directory: tables of figures with the spreadsheet's legends
and notes in ``__EMPTY_n`` keys. Beyond their natural size the tables repeat (the same countries /
years again), which keeps the row proportions of the full export for load tests."""

from __future__ import annotations

from .layout import BASE_ROWS, INDUSTRY, K_PAST_REVENUE, K_REVENUE, MARKET_REVENUE, TOTAL
from .master import Add
from .names import Namer
from .words import (
    COUNTRIES,
    FIGURE_DIMS,
    FIGURE_TOPICS,
    INDUSTRIES,
    INDUSTRY_VARIANTS,
    MARKET_EXTRA_COUNTRIES,
    MARKET_SEGMENTS,
    TOTAL_SEGMENTS,
)


def _with_note(row: dict, i: int, file: str, notes: tuple[dict, ...]) -> dict:
    """``row`` with the legend cells of its position in the sheet's (repeated) table."""
    block_pos = i % BASE_ROWS[file]
    if block_pos < len(notes):
        row.update(notes[block_pos])
    return row


def write_market_revenue(g: Namer, add: Add, target: int) -> None:
    r = g.rng
    countries = [c[2] for c in COUNTRIES] + list(MARKET_EXTRA_COUNTRIES)
    legend = (
        {"__EMPTY_2": "- pie chart of 2024 AM market revenue \r\n- filters: segment, country"},
        {
            "__EMPTY_1": "Filters",
            "__EMPTY_2": "Segment",
            "__EMPTY_3": "Country",
            "__EMPTY_4": "Region",
        },
        {"__EMPTY_2": "Material sales", "__EMPTY_3": "Albania", "__EMPTY_4": "APAC"},
        {"__EMPTY_2": "Printers sales and servicing", "__EMPTY_3": "Belarus", "__EMPTY_4": "EMEA"},
        {"__EMPTY_2": "Printing services", "__EMPTY_3": "…"},
        {"__EMPTY_2": "Software sales"},
    )
    i = 0
    while i < target:
        for seg in MARKET_SEGMENTS:
            for j, country in enumerate(countries):
                if i >= target:
                    return
                row: dict = {
                    K_REVENUE: r.choice((1.0, 2.0, 4.0, 11.0))
                    * 6181818.181818182
                    * (1 + j % 7)
                    / 3,
                    "Country": country,
                    "Segment": seg,
                }
                add(_with_note(row, i, MARKET_REVENUE, legend), ())
                i += 1


def write_industry(g: Namer, add: Add, target: int) -> None:
    r = g.rng
    notes = (
        {"__EMPTY_1": "Data viz"},
        {
            "__EMPTY_1": "Filters",
            "__EMPTY_2": "by region",
            "__EMPTY_3": "by Material",
            "__EMPTY_4": "by industry",
        },
        {"__EMPTY_2": "Americas", "__EMPTY_3": "Metal"},
        {"__EMPTY_2": "APAC", "__EMPTY_3": "Polymer"},
        {"__EMPTY_2": "EMEA"},
    )
    total = 21_900_000_000
    i = 0
    while i < target:
        for material in ("All", "Polymer", "Metal"):
            for industry in INDUSTRIES:
                if i >= target:
                    return
                share = round(r.uniform(1.0, 12.0), 1)
                name = industry
                if material != "All" and industry in INDUSTRY_VARIANTS and r.random() < 0.5:
                    name = INDUSTRY_VARIANTS[industry]
                row: dict = {"Industry": name, "Share of revenue (%)": share}
                if material == "All":
                    rev = total * share / 100
                    row["Revenue (USD)"] = rev if r.random() < 0.3 else round(rev)
                row["Region"] = "Global"
                row["Material"] = material
                add(_with_note(row, i, INDUSTRY, notes), ())
                i += 1


def write_total(g: Namer, add: Add, target: int) -> None:
    r = g.rng
    notes = (
        {
            "__EMPTY_2": "- segmented (stacked) bar plot from 2024 to 2034 with low/avh/high "
            "forecasts broken down by segment\r\n- filters: segment"
        },
        {"__EMPTY_1": "Filters", "__EMPTY_2": "Segment"},
        {"__EMPTY_2": "Material sales", "__EMPTY_3": "AM material market size'!A1"},
        {
            "__EMPTY_2": "Printers sales and servicing",
            "__EMPTY_3": "Printer sales servicing size'!A1",
        },
        {"__EMPTY_2": "Printing services", "__EMPTY_3": "Printing services market'!A1"},
        {"__EMPTY_2": "Software sales", "__EMPTY_3": "AM software market size'!A1"},
    )
    base = {
        "Total": 4_102_000_000,
        "Materials": 1_100_000_000,
        "Software": 400_000_000,
        "Printer sales": 1_500_000_000,
        "Printing services": 1_100_000_000,
    }
    i = 0
    while i < target:
        for seg in TOTAL_SEGMENTS:
            for typ, years in (
                ("Past revenue", range(2014, 2025)),
                ("Low end forecast", range(2025, 2035)),
                ("Average forecast", range(2025, 2035)),
                ("High end forecast", range(2025, 2035)),
            ):
                growth = {
                    "Past revenue": 1.17,
                    "Low end forecast": 1.12,
                    "Average forecast": 1.17,
                    "High end forecast": 1.22,
                }[typ]
                for year in years:
                    if i >= target:
                        return
                    value = int(base[seg] * growth ** (year - 2014) * r.uniform(0.97, 1.03))
                    row: dict = {"Year": year, "Type": typ, "Segment": seg, K_PAST_REVENUE: value}
                    add(_with_note(row, i, TOTAL, notes), ())
                    i += 1


def write_directory(g: Namer, add: Add, target: int) -> None:
    r = g.rng
    names = [f"{t}{d}" for t in FIGURE_TOPICS for d in FIGURE_DIMS]
    for i in range(target):
        name = names[i % len(names)]
        if i >= len(names):
            name = f"{name} ({i // len(names) + 1})"  # names stay unique
        sheet = name.replace(" - ", " ")[:28]
        link = f"{sheet}'!A1"
        row: dict = {"Figure name": name, "Sheet name and link": link}
        x = r.random()
        if x < 0.78:
            row["V1"] = r.choice((1, 1, 1, 1, 2, 2, 3, 4, 5))
        else:
            row["V1"] = r.choice(
                (
                    "Used elsewhere",
                    "Used elsewhere",
                    "^",
                    "Yes",
                    "Better not",
                    link,
                    "to be explored (breakdown by region/deal type)?",
                )
            )
        if r.random() < 0.12:
            row["__EMPTY"] = r.choice(("v1", "v1", "v1?", "Maybe too narrow interest for v1"))
        if r.random() < 0.08:
            row["Needs further work?"] = r.choice(
                (
                    "Yes",
                    "No",
                    "Yes (country breakdown)",
                    "To be consolidated into Total AM market yearly growth rate",
                )
            )
        if r.random() < 0.07:
            row["Notes"] = r.choice(
                (
                    "Use together with revenues by material type?",
                    "Combine with region and material filters?",
                    "Add previoius years' data",
                )
            )
        add(row, ())
