"""Generate ``seeds/fx_yearly_average_rates.csv`` from the European Central Bank's reference rates.

Run from the repository root: ``python dbt_project/scripts/generate_fx_seed.py``. The CSV is
committed; re-run when a delivery needs a newer year (upgrade ``currencyconverter`` first: each
release bundles the ECB's full daily history, ``eurofxref-hist.zip``, so nothing is downloaded).

For every currency the ``currencies`` seed maps a token to, and every calendar year the ECB data
covers, the rate is the mean over the year's ECB publication days of (currency per EUR) / (USD per
EUR): units of the currency per 1 USD, the cross rate on each day, averaged. ``observation_days``
says how many days went in (a year still running has fewer; ``is_complete_year`` is false for it).
A currency the ECB does not publish, or a year it has no days for, gets no row: the amount is then
quarantined by the build (rule ``fx_rate_missing``), never guessed. This file is never edited by
hand.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from datetime import date
from pathlib import Path

from currency_converter import CurrencyConverter
from currency_converter import __version__ as converter_version

SEEDS = Path(__file__).resolve().parents[1] / "seeds"
SEED = SEEDS / "fx_yearly_average_rates.csv"
FIRST_YEAR = 2000


def wanted_currencies() -> list[str]:
    with (SEEDS / "currencies.csv").open(encoding="utf-8") as f:
        return sorted({row["currency_code"] for row in csv.DictReader(f)})


def rows(converter: CurrencyConverter, currencies: list[str]) -> list[dict[str, object]]:
    usd = converter._rates["USD"]  # date -> USD per EUR, ECB publication days only
    last = converter.bounds["USD"].last_date
    out: list[dict[str, object]] = []
    for currency in currencies:
        if currency == "EUR":
            per_eur = {day: 1.0 for day in usd}
        elif currency in converter._rates:
            per_eur = converter._rates[currency]
        else:
            print(f"skipped {currency}: not in the ECB reference rates (amounts will quarantine)")
            continue
        by_year: dict[int, list[float]] = defaultdict(list)
        for day, rate in per_eur.items():
            if day.year >= FIRST_YEAR and day in usd and rate and usd[day]:
                by_year[day.year].append(rate / usd[day])
        for year in sorted(by_year):
            values = by_year[year]
            out.append(
                {
                    "currency_code": currency,
                    "year": year,
                    "currency_per_usd": f"{sum(values) / len(values):.6f}",
                    "observation_days": len(values),
                    "is_complete_year": str(date(year, 12, 31) <= last).lower(),
                }
            )
    return out


def main() -> None:
    converter = CurrencyConverter(fallback_on_missing_rate=False, fallback_on_wrong_date=False)
    data = rows(converter, wanted_currencies())
    with SEED.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=list(data[0]))
        writer.writeheader()
        writer.writerows(data)
    last = converter.bounds["USD"].last_date
    source = f"currencyconverter {converter_version}, ECB to {last}"
    print(f"wrote {len(data)} rows to {SEED} ({source})")


if __name__ == "__main__":
    main()
