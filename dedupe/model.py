"""The Splink model for company mentions: comparisons and blocking rules, kept as data.

``settings()`` is the untrained specification; ``amx link train`` estimates its parameters and
writes ``dedupe/model.json`` (versioned in git), which every run loads to predict. Retraining is a
deliberate, reviewed change: the JSON diff shows every parameter that moved.

Input rows are *distinct feature rows* (identical normalised mentions collapsed), with columns:
``feature_id``, ``name_norm`` (the matching key dbt derives: cleaned name without legal forms,
annotations, punctuation or spaces), ``name_tokens`` (its words), ``name_first_token``,
``name_core_tokens`` / ``name_region_tokens`` / ``name_qualifier_tokens`` (the words that identify
the firm / name a region / name a line of business, split in dbt), ``name_core_key`` (sorted core
words), ``name_is_distinctive`` (a core word that few other names use), ``alias_key`` /
``bracket_key`` / ``unit_part_key`` / ``brand_part_key`` (aliases the name carries),
``parent_key`` (the owner it names), ``formerly_key`` (the former name a rename annotation
gives, when the export spells it elsewhere), ``name_fold`` (OCR-folded name), ``name_rare_tokens``
(rare words, for blocking), ``name_core_concat`` (core words run together, 8+ letters),
``name_region_countries`` (the countries its region words name), ``domain`` (registrable
domain of the website), ``country_code`` (ISO 3166-1 alpha-2) and ``in_master`` (a master-list
row).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on

if TYPE_CHECKING:  # the type of every level the library makes (not exported)
    from splink.internals.comparison_level_creator import ComparisonLevelCreator

MODEL_PATH = Path(__file__).with_name("model.json")

# Token overlap (Jaccard on token sets, not characters: Splink 5's JaccardAtThresholds compares
# the sets of characters, so long names all look alike).
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
# `Airbus` and `Airbus Operations GmbH`, `Bosch` and `Bosch Advanced Ceramics`: the same core
# name, one side adding business words (qualifiers: not filler such as `3D`, `Technologies`,
# `International`). That is how the export names a firm's divisions and subsidiaries, which the
# labels' definition makes different companies; a twin row of one firm rarely adds such words.
M_DIVISION, U_DIVISION = 1e-6, 1e-5
# ... but only where the master list holds both: the other sheets shorten names (`Fortius` for
# `Fortius Metals`, `Continuum` for `Continuum Powders`), so there the same pattern is ordinary
# evidence for the firm the master lists, left short of a match without a country that agrees.
M_SHORTENED, U_SHORTENED = 0.02, 1e-6
# One typo in a long name (`Romar Enginering`): edit distance 1 on 8+ letters.
M_TYPO, U_TYPO = 0.01, 1e-6
TYPO_MIN_LETTERS = 8
# `Fenghuazhuoli` / `Guangdong Fenghua Zhuoli Technology`: the firm's own words (core: no filler,
# no region) run together on one side and split on the other, as transliterated names are. As
# strong as a brand vs its legal name, and as rare by chance (8+ letters).
M_RESPLIT, U_RESPLIT = 0.1, 1e-7
# `Great Simple` / `Zhongshan Great Simple Technology`, `Detroit 3D` / `Detroit 3D Manufacturing`:
# one name is the other plus filler, but the name is made of common words: good evidence, not
# enough alone (a country that agrees makes it a match).
M_FILLER_COMMON, U_FILLER_COMMON = 0.05, 1e-6
# A row names the other as its owner (`Owned by / Subsidiary of`, `(part of X)`, `(acquired by
# X)`, `powered by X`, or, between two master rows, `X (Y)` where Y is the other row: `CalRAM
# (Carpenter Technology)`, `Aurora Flight Sciences (Boeing)`): by definition two companies.
# Practically a veto, and rare among random pairs too.
M_NAMES_PARENT = 1e-9
U_NAMES_PARENT = 1e-5
# One name is the alias the other carries (`DMAMS` / `Xi'an Zhilong … – DMAMS`, `Btec 3D` /
# `Btec Additive Manufacturing (Btec 3D)`, or the former name: `Nanofabrica` / `Fabrica Group
# (formerly Nanofabrica)`), or both carry one alias and share a word. An alias is
# often an acronym, which unrelated firms share now and then: strong, not decisive, evidence
# (about +17 bits, so a country or website that disagrees leaves the pair to a steward).
M_ALIAS, U_ALIAS = 0.02, 1e-7
# The names differ only by the letters OCR confuses (`l`/`I`/`1`: `Al Bulld` = `AI Build`,
# `Fortlus` = `Fortius`): a scanned spelling of the same name. Unrelated names that fold together
# are about as rare as exact distinctive names, once the name is long enough and split into the
# same number of words: a short one has too few letters for a look-alike to be rare (`JIM` /
# `J1M`, `CV1K` / `CVIK`, `3D iam` / `3DLAM` are different firms), and a look-alike written with
# other word breaks (`DP Polar` / `DPPoIAR`) differs twice. Names shorter than this many letters
# never count as folded together (nor as one name's words run together in the other).
M_OCR_FOLD, U_OCR_FOLD = 0.01, 1e-7
MIN_SPELLING_LETTERS = 6
# A shared core shorter than this many letters, standing alone, is an acronym (`NCS` /
# `NCS Technologies`): two firms sharing it are as likely unrelated as not (`LiM Laser` / `LiM
# Laser Technologies` share more than the acronym).
MIN_CORE_LETTERS = 4


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
    # `Pyrogenesis Canada Inc` / `PyroGenesis` (CA): a region word naming the country of the row
    # without one is the home firm's legal name, not an arm abroad (`Acme France` / `Acme` (US))
    " and not coalesce(len(name_region_tokens_l) = 0"
    " and list_contains(name_region_countries_r, country_code_l), false)"
    " and not coalesce(len(name_region_tokens_r) = 0"
    " and list_contains(name_region_countries_l, country_code_r), false)"
)
_CONTAINS = (
    "(list_has_all(name_tokens_l, name_tokens_r) or list_has_all(name_tokens_r, name_tokens_l))"
)
_NAMES_PARENT = (
    "(parent_key_l = name_norm_r or parent_key_r = name_norm_l or (in_master_l and in_master_r"
    " and (bracket_key_l = name_norm_r or bracket_key_r = name_norm_l)))"
)
_ALIAS = (
    "(name_norm_l = alias_key_r or name_norm_r = alias_key_l"
    " or name_norm_l = bracket_key_r or name_norm_r = bracket_key_l"
    " or name_norm_l = unit_part_key_r or name_norm_r = unit_part_key_l"
    " or name_norm_l = brand_part_key_r or name_norm_r = brand_part_key_l"
    " or name_norm_l = formerly_key_r or name_norm_r = formerly_key_l"
    # the words of one run together as a word of the other (`H-CAM` / `HCAM Laser`), when long
    # enough to be more than a chance string of letters
    f" or (len(name_tokens_l) > 1 and length(name_norm_l) >= {MIN_SPELLING_LETTERS}"
    " and list_contains(name_tokens_r, name_norm_l))"
    f" or (len(name_tokens_r) > 1 and length(name_norm_r) >= {MIN_SPELLING_LETTERS}"
    " and list_contains(name_tokens_l, name_norm_r))"
    " or (coalesce(alias_key_l, bracket_key_l) = coalesce(alias_key_r, bracket_key_r)"
    " and len(list_intersect(name_tokens_l, name_tokens_r)) > 0))"
)
_SAME_QUALIFIERS = f"{_sorted('name_qualifier_tokens_l')} = {_sorted('name_qualifier_tokens_r')}"
_LONG_CORE = (
    f"(length(array_to_string(name_core_tokens_l, '')) >= {MIN_CORE_LETTERS}"
    " or (len(name_tokens_l) > 1 and len(name_tokens_r) > 1))"
)
_EXTRA_CORE = (
    "len(name_core_tokens_l) > 0 and len(name_core_tokens_r) > 0"
    " and (list_has_all(name_core_tokens_l, name_core_tokens_r)"
    " or list_has_all(name_core_tokens_r, name_core_tokens_l))"
    f" and {_sorted('name_core_tokens_l')} <> {_sorted('name_core_tokens_r')}"
)


def _fixed(
    level: ComparisonLevelCreator, *, m: float | None = None, u: float | None = None
) -> ComparisonLevelCreator:
    """The level with its m and/or u probability set by judgement (the reasons stand beside
    the numbers above): EM leaves a fixed probability as it is."""
    probabilities: dict = {}
    if m is not None:
        probabilities |= {"m_probability": m, "fix_m_probability": True}
    if u is not None:
        probabilities |= {"u_probability": u, "fix_u_probability": True}
    return level.configure(**probabilities)


def _level(
    condition: str, label: str, *, m: float | None = None, u: float | None = None
) -> ComparisonLevelCreator:
    """A level on a SQL condition, with its m and/or u set by judgement."""
    return _fixed(cll.CustomLevel(condition, label), m=m, u=u)


def _name_identity_levels() -> list[ComparisonLevelCreator]:
    """The names say who is who: one names the other as its owner, they are equal, one is the
    other's alias, or they differ only by OCR swaps, one typo or where the words split."""
    return [
        _level(
            _NAMES_PARENT,
            "one names the other as its owner (subsidiary, part of)",
            m=M_NAMES_PARENT,
            u=U_NAMES_PARENT,
        ),
        _level(
            # both spellings: `PRINT-ME 3D` has no distinctive word where `PrintMe-3D` has one
            "name_norm_l = name_norm_r and name_is_distinctive_l and name_is_distinctive_r",
            "exact name with a distinctive word",
            u=U_EXACT_DISTINCTIVE,
        ),
        _fixed(
            cll.ExactMatchLevel("name_norm").configure(
                label_for_charts="exact name of common words"
            ),
            u=U_EXACT_COMMON,
        ),
        _level(
            _ALIAS, "one name is the other's alias (acronym, bracketed name)", m=M_ALIAS, u=U_ALIAS
        ),
        _level(
            f"length(name_norm_l) >= {MIN_SPELLING_LETTERS} and name_fold_l = name_fold_r"
            " and len(name_tokens_l) = len(name_tokens_r)",
            "same name but for OCR-like l/I/1 swaps",
            m=M_OCR_FOLD,
            u=U_OCR_FOLD,
        ),
        _level(
            f"length(name_norm_l) >= {TYPO_MIN_LETTERS}"
            " and damerau_levenshtein(name_norm_l, name_norm_r) <= 1",
            "one typo in a long name",
            m=M_TYPO,
            u=U_TYPO,
        ),
        _level(
            f"name_core_concat_l = name_core_concat_r and length(name_core_concat_l) >="
            f" {TYPO_MIN_LETTERS} and {_sorted('name_core_tokens_l')} <>"
            f" {_sorted('name_core_tokens_r')}",
            "same distinctive letters, split into words differently (transliteration)",
            m=M_RESPLIT,
            u=U_RESPLIT,
        ),
    ]


def _name_word_levels() -> list[ComparisonLevelCreator]:
    """One name is the other with words added: a region (an arm), distinctive words (a
    division or brand), business words (a unit, or a shortened name), or filler (a legal name)."""
    return [
        _level(_REGIONAL_ARM, "same name but for a region word (regional arm)", m=M_REGIONAL_ARM),
        _level(_EXTRA_CORE, "one name adds distinctive words (division, brand)", m=M_EXTRA_WORDS),
        _level(
            f"{_SAME_CORE} and {_CONTAINS} and not {_SAME_QUALIFIERS}"
            " and in_master_l and in_master_r",
            "one name adds business words (division, unit)",
            m=M_DIVISION,
            u=U_DIVISION,
        ),
        _level(
            f"{_SAME_CORE} and {_CONTAINS} and not {_SAME_QUALIFIERS}",
            "a shortened name outside the master list (brand without business words)",
            m=M_SHORTENED,
            u=U_SHORTENED,
        ),
        _level(
            f"{_SAME_CORE} and name_is_distinctive_l and {_CONTAINS} and {_LONG_CORE}",
            "one name is the other plus filler words (brand vs legal name)",
            u=U_SAME_DISTINCTIVE_CORE,
        ),
        _level(
            f"{_CONTAINS} and {_SAME_QUALIFIERS} and len(name_tokens_l) > 0"
            f" and {_sorted('name_core_tokens_l')} = {_sorted('name_core_tokens_r')}"
            f" and (len(name_core_tokens_l) = 0 or {_LONG_CORE})",
            "one name is the other plus filler words (common words)",
            m=M_FILLER_COMMON,
            u=U_FILLER_COMMON,
        ),
    ]


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
            *_name_identity_levels(),
            *_name_word_levels(),
            cll.CustomLevel(_SAME_CORE, "same core name, generic words differ"),
            cll.JaroWinklerLevel("name_norm", 0.96),
            cll.CustomLevel(f"{_TOKEN_JACCARD} >= 0.75", "token overlap >= 0.75"),
            cll.JaroWinklerLevel("name_norm", 0.9),
            cll.CustomLevel(f"{_TOKEN_JACCARD} >= 0.5", "token overlap >= 0.5"),
            cll.ElseLevel(),
        ],
    )


# Two websites, two names: a twin row under a brand or a legal name nearly always shares the
# firm's website (every labelled duplicate pair whose names differ and whose websites are both
# known shares it); a firm and its division, or two firms of one generic name, do not (`Accucode`
# / `Accucode 3D`, `Puzzlebox` / `Puzzlebox 3D`). With one name the other's twin often carries a
# careers, group or job-board URL instead, so there a different domain is weaker evidence.
M_SITE_AND_NAME_DIFFER = 0.02
M_SITE_DIFFERS = 0.3
# u: random pairs practically never share a name, so both levels occur about as often as the
# websites differ at all.
U_SITE_DIFFERS = 0.99998


def domain_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="domain",
        comparison_levels=[
            cll.NullLevel("domain"),
            cll.ExactMatchLevel("domain", term_frequency_adjustments=True),
            _level(
                "name_norm_l <> name_norm_r",
                "websites differ, and so do the names",
                m=M_SITE_AND_NAME_DIFFER,
                u=U_SITE_DIFFERS,
            ),
            # The master list repeats companies with careers pages, job-board and group URLs, so
            # a true duplicate often has another domain; EM, blocked on the name, sees mostly
            # same-domain twins and learns ~0.015, a near-veto. Fixed by judgement.
            _fixed(cll.ElseLevel(), m=M_SITE_DIFFERS, u=U_SITE_DIFFERS),
        ],
    )


# Headquarters and website both disagree: in this export that is, most of the time, two firms
# with one generic name (`Puzzlebox` in the US and `Puzzlebox 3D` in the Philippines); a twin row
# whose HQ is wrong usually still shares the website, or has none. Fixed by judgement: the pattern
# is too rare among labelled pairs for EM to see.
# u: about two random master pairs in three differ on both (most rows carry both fields).
M_COUNTRY_AND_SITE_DIFFER, U_COUNTRY_AND_SITE_DIFFER = 0.02, 0.6
M_COUNTRY_ONLY_DIFFERS, U_COUNTRY_ONLY_DIFFERS = 0.23, 0.24
# `Rapid 3D` in India and `Rapid 3D` elsewhere: a name of common words names many firms, and HQ is
# then what tells them apart (u: about one random pair in ten has two such names and two HQs).
M_COUNTRY_DIFFERS_COMMON_NAME, U_COUNTRY_DIFFERS_COMMON_NAME = 0.01, 0.08


def country_comparison() -> cl.CustomComparison:
    return cl.CustomComparison(
        output_column_name="country_code",
        comparison_levels=[
            cll.NullLevel("country_code"),
            cll.ExactMatchLevel("country_code"),
            _level(
                "domain_l <> domain_r",
                "country differs and so does the website",
                m=M_COUNTRY_AND_SITE_DIFFER,
                u=U_COUNTRY_AND_SITE_DIFFER,
            ),
            # HQ differs with the website shared or unknown: the twin row with a wrong HQ
            # (the contract); about as common among matches as among random pairs
            _level(
                "not name_is_distinctive_l and not name_is_distinctive_r",
                "country differs on a name of common words",
                m=M_COUNTRY_DIFFERS_COMMON_NAME,
                u=U_COUNTRY_DIFFERS_COMMON_NAME,
            ),
            _fixed(cll.ElseLevel(), m=M_COUNTRY_ONLY_DIFFERS, u=U_COUNTRY_ONLY_DIFFERS),
        ],
    )


def settings() -> SettingsCreator:
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="feature_id",
        probability_two_random_records_match=1e-4,
        comparisons=[
            name_comparison(),
            domain_comparison(),
            # Headquarters is "sometimes wrong for a company's twin row" (the contract): a
            # mismatch is evidence against, never a veto.
            country_comparison(),
        ],
        # Candidate pairs only: every rule must keep blocks small at 100x the export's size. (A
        # name-prefix rule was tried: at 10x it added 0.5 M candidate pairs and no stored pair.)
        # A core name is a blocking key only when it is distinctive (`dayton` or `photonics` alone
        # would pair hundreds of firms); the first core word is paired with the country.
        blocking_rules_to_generate_predictions=[
            block_on("name_norm"),
            block_on("name_fold"),
            block_on("alias_key"),
            block_on("bracket_key"),
            "l.alias_key = r.name_norm",
            "l.name_norm = r.alias_key",
            "l.bracket_key = r.name_norm",
            "l.name_norm = r.bracket_key",
            "l.unit_part_key = r.name_norm",
            "l.name_norm = r.unit_part_key",
            "l.brand_part_key = r.name_norm",
            "l.name_norm = r.brand_part_key",
            "l.formerly_key = r.name_norm",
            "l.name_norm = r.formerly_key",
            block_on("name_rare_tokens", arrays_to_explode=["name_rare_tokens"]),
            block_on("domain"),
            block_on("name_core_block"),
            block_on("name_core_concat"),
            block_on("name_first_token", "country_code"),
        ],
        retain_intermediate_calculation_columns=True,
        retain_matching_columns=True,
        max_iterations=30,
        em_convergence=0.001,
    )
