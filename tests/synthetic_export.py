"""The synthetic export a test generates, read back: its files, its truth and the names each
entity is mentioned under."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

PAD = "\u202f\u00a0"  # U+202F U+00A0, the M&A padding
FILES = (
    "Company_information.json",
    "Company_roles.json",
    "COMPANY___Print_services_global.json",
    "COMPANY___AM_systems_mfrs.json",
    "Print_services_Pricing_data.json",
    "Fundings_and_investments.json",
    "M_A.json",
    "AM_market_revenue_2024.json",
    "Revenue_by_industry_2024.json",
    "Total_AM_market_size.json",
    "Directory.json",
)

NAME_KEYS = {
    "company_name": "Company name",
    "acquired_company": f"Acquired company{PAD}",
    "acquiring_company": f"Acquiring company{PAD}",
}


class Export:
    def __init__(self, out: Path, counts: dict[str, int]) -> None:
        self.out = out
        self.counts = counts
        self.data = {f: json.loads((out / f).read_text(encoding="utf-8")) for f in FILES}
        with (out / "truth.csv").open(encoding="utf-8", newline="") as fh:
            self.truth_rows = list(csv.DictReader(fh))
        self.names: dict[str, list[tuple[str, int, str]]] = defaultdict(list)  # entity -> mentions
        for t in self.truth_rows:
            row = self.data[t["source_file"]][int(t["source_row"])]
            name = row[NAME_KEYS[t["source_field"]]]
            if t["source_file"] == "M_A.json":
                name = name.removesuffix(PAD).rstrip(" ")
            self.names[t["entity_id"]].append((t["source_file"], int(t["source_row"]), name))

    def all_names(self) -> list[str]:
        return [n for ms in self.names.values() for _f, _r, n in ms]

    def same_entity_pairs(self):
        for ms in self.names.values():
            distinct = sorted({n for _f, _r, n in ms})
            for i, a in enumerate(distinct):
                for b in distinct[i + 1 :]:
                    yield a, b
                    yield b, a

    def master(self) -> list[dict]:
        return self.data["Company_information.json"]

    def master_entity(self) -> list[str]:
        ids = [""] * len(self.master())
        for t in self.truth_rows:
            if t["source_file"] == "Company_information.json":
                ids[int(t["source_row"])] = t["entity_id"]
        return ids
