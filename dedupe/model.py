"""The Splink model for company mentions: comparisons and blocking rules, kept as data.

``settings()`` is the untrained specification; ``amx link train`` estimates its parameters and
writes ``dedupe/model.json`` (versioned in git), which every run loads to predict. Retraining is a
deliberate, reviewed change: the JSON diff shows every parameter that moved.

Input rows are *distinct feature rows* (identical normalised mentions collapsed), with columns:
``feature_id``, ``name_norm`` (the matching key dbt derives: cleaned name without legal forms,
annotations, punctuation or spaces), ``name_tokens`` (its core words), ``name_first_token``,
``name_core_tokens`` / ``name_region_tokens`` (the words that identify the firm / name a
region, split in dbt), ``name_core_key`` (sorted core words), ``name_is_distinctive`` (a core
word that few other names use),
``domain`` (registrable domain of the website), ``country_code`` (ISO 3166-1 alpha-2).
"""

from __future__ import annotations

from pathlib import Path

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

MODEL_PATH = Path(__file__).with_name("model.json")

# Token overlap (Jaccard on token sets, not characters: see shared/splink5-notes.md).
_TOKEN_JACCARD = (
    "len(list_intersect(name_tokens_l, name_tokens_r)) * 1.0"
    " / nullif(len(list_distinct(list_concat(name_tokens_l, name_tokens_r))), 0)"
)


# Why two exact-name levels with fixed u: random-sampled u assumes sampled pairs are non-matches,
# but the pairs that agree exactly on a name are, overwhelmingly, the duplicates themselves; and
# term frequencies counted over mentions count those duplicates too. So u of an exact name is set
# by judgement: a name holding a word few other names use ("distinctive") coincides between two
# unrelated firms about once in 10^8 pairs; a name made only of common words ("3D Printing
# Solutions") about once in 10^6. m of both is still estimated by EM.
U_EXACT_DISTINCTIVE = 1e-8
U_EXACT_COMMON = 1e-6
# `Graninent` and `Guangzhou Graninent Additive Manufacturing Technology Co.`: the same
# distinctive word with different generic words around it. Unrelated firms do this somewhat more
# often than they share a whole distinctive name.
U_SAME_DISTINCTIVE_CORE = 1e-7
# The contract says regional arms (`X Europe`) and divisions are *not* the company. Sharing a core
# name is rare among unrelated pairs too (u ~ 1e-5), so any m above u would make the pattern
# evidence *for* a match; EM, which sees such pairs share a domain and most of a name, learns
# exactly that. m is fixed well below u: two spellings of one company practically never differ
# by a region word or by a distinctive extra word, so the level is evidence against.
M_REGIONAL_ARM = 1e-7
M_EXTRA_WORDS = 1e-6


def _sorted(column: str) -> str:
    return f"list_sort(list_distinct({column}))"


_SAME_CORE = (
    f"len(name_core_tokens_l) > 0 and {_sorted('name_core_tokens_l')} = "
    f"{_sorted('name_core_tokens_r')}"
)
# The name's words less its region words (`Acme Polymers France` -> `acme polymers`).
_WITHOUT_REGION = (
    "list_sort(list_distinct(list_filter(name_tokens_{s},"
    " lambda t: not list_contains(name_region_tokens_{s}, t))))"
)
_REGIONAL_ARM = (
    f"len(name_tokens_l) > 0 and {_WITHOUT_REGION.format(s='l')} = "
    f"{_WITHOUT_REGION.format(s='r')} and {_sorted('name_region_tokens_l')} <> "
    f"{_sorted('name_region_tokens_r')}"
)
_CONTAINS = (
    "(list_has_all(name_tokens_l, name_tokens_r) or list_has_all(name_tokens_r, name_tokens_l))"
)
_EXTRA_CORE = (
    "len(name_core_tokens_l) > 0 and len(name_core_tokens_r) > 0"
    " and (list_has_all(name_core_tokens_l, name_core_tokens_r)"
    " or list_has_all(name_core_tokens_r, name_core_tokens_l))"
    f" and {_sorted('name_core_tokens_l')} <> {_sorted('name_core_tokens_r')}"
)


def name_comparison() -> cl.CustomComparison:
    """Levels from strongest to weakest; the first that holds is the pair's level.

    The region and extra-words levels come before the fuzzy ones on purpose: `Acme` and
    `Acme France` are close strings but different companies (a regional arm), and so are `Acme`
    and `Acme Rapido` (a division or brand). `Graninent` and `Guangzhou Graninent Additive
    Manufacturing Technology` share their only core word: a brand and its legal name.
    """
    return cl.CustomComparison(
        output_column_name="name",
        comparison_levels=[
            cll.NullLevel("name_norm"),
            cll.CustomLevel(
                "name_norm_l = name_norm_r and name_is_distinctive_l",
                "exact name with a distinctive word",
            ).configure(u_probability=U_EXACT_DISTINCTIVE, fix_u_probability=True),
            cll.ExactMatchLevel("name_norm").configure(
                label_for_charts="exact name of common words",
                u_probability=U_EXACT_COMMON,
                fix_u_probability=True,
            ),
            cll.CustomLevel(
                _REGIONAL_ARM, "same name but for a region word (regional arm)"
            ).configure(m_probability=M_REGIONAL_ARM, fix_m_probability=True),
            cll.CustomLevel(
                _EXTRA_CORE, "one name adds distinctive words (division, brand)"
            ).configure(m_probability=M_EXTRA_WORDS, fix_m_probability=True),
            cll.CustomLevel(
                f"{_SAME_CORE} and name_is_distinctive_l and {_CONTAINS}",
                "one name is the other plus generic words (brand vs legal name)",
            ).configure(u_probability=U_SAME_DISTINCTIVE_CORE, fix_u_probability=True),
            cll.CustomLevel(_SAME_CORE, "same core name, generic words differ"),
            cll.JaroWinklerLevel("name_norm", 0.96),
            cll.CustomLevel(f"{_TOKEN_JACCARD} >= 0.75", "token overlap >= 0.75"),
            cll.JaroWinklerLevel("name_norm", 0.9),
            cll.CustomLevel(f"{_TOKEN_JACCARD} >= 0.5", "token overlap >= 0.5"),
            cll.ElseLevel(),
        ],
    )


def _exact_or_else(column: str, *, else_m: float, tf: bool = False) -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name=column,
        comparison_levels=[
            cll.NullLevel(column),
            cll.ExactMatchLevel(column, term_frequency_adjustments=tf),
            cll.ElseLevel().configure(m_probability=else_m, fix_m_probability=True),
        ],
    )


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="feature_id",
        probability_two_random_records_match=1e-4,
        comparisons=[
            name_comparison(),
            _exact_or_else(
                "domain",
                # The master list repeats companies with careers pages, job-board and group URLs,
                # so a true duplicate often has another domain; EM, blocked on the name, sees
                # mostly same-domain twins and learns ~0.015, a near-veto. Fixed by judgement.
                else_m=0.3,
                tf=True,
            ),
            # Headquarters is "sometimes wrong for a company's twin row" (the contract): a
            # mismatch is evidence against, never a veto.
            _exact_or_else("country_code", else_m=0.3),
        ],
        # Candidate pairs only: every rule must keep blocks small at 100x the export's size. (A
        # name-prefix rule was tried: at 10x it added 0.5 M candidate pairs and no stored pair.)
        # A core name is a blocking key only when it is distinctive (`dayton` or `photonics` alone
        # would pair hundreds of firms); the first core word is paired with the country.
        blocking_rules_to_generate_predictions=[
            block_on("name_norm"),
            block_on("domain"),
            block_on("name_core_block"),
            block_on("name_first_token", "country_code"),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=30,
        em_convergence=0.001,
    )
