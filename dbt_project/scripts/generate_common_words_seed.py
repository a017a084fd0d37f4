"""Generate ``seeds/common_english_words.csv``: the 10,000 most frequent English words.

Run from the repository root: ``python dbt_project/scripts/generate_common_words_seed.py``
(needs ``pip install wordfreq``; its word lists ship inside the package, no network).
The CSV is committed and never edited by hand; business vocabulary, regions and place prefixes a
person curates are in ``company_name_words.csv``.

Why: a company name made only of common words (`Future Additive`, `Superior Print`, `Quality
Manufacturing Systems`) is shared by unrelated firms in different countries, so agreeing on it is
weaker evidence than agreeing on an invented word (`Stratasys`). Counting how many names use a
word cannot tell the two apart in a list of a few thousand names; a language's word list can.
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

from wordfreq import top_n_list

SEED = Path(__file__).resolve().parents[1] / "seeds" / "common_english_words.csv"
TOP_N = 10_000


def main() -> None:
    words = sorted({w for w in top_n_list("en", TOP_N) if re.fullmatch(r"[a-z0-9]+", w)})
    with SEED.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(["word"])
        writer.writerows([w] for w in words)
    print(f"wrote {len(words)} words to {SEED}")


if __name__ == "__main__":
    main()
