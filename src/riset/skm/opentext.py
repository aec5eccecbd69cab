"""What respondents wrote (saran, keluhan): normalised, coded to the unsur with an editable lexicon, given a
tone, counted with design-based shares, and quoted.

1. Normalisation: lower case, punctuation to spaces, letters repeated three times or more kept once ("lamaaa"
   -> "lama"), informal spellings replaced by the lexicon's `ejaan` ("gk" -> "tidak", "antri" -> "antre").
   Stemming where it helps: a word that no lexicon word begins is read as its stem (the Sastrawi stemmer,
   PySastrawi: Nazief & Adriani 1996 with the Asian & Tahaghoghi 2007 refinements), so "kebersihan",
   "dimarahi", "pembayaran" reach the entries "bersih", "marah", "bayar". A word a lexicon word begins is
   kept as written: "diperbaiki" stays a saran word and is not read as "baik" (praise). Words the stemmer
   cuts wrongly ("selama" -> "lama") are listed in the lexicon's `utuh` and never stemmed.
2. Empty-meaning answers ("-", "tidak ada", "cukup", "mantap", ...: the lexicon's `kosong`) are classed as such
   and never coded.
3. Coding: an answer mentions an unsur when one of the unsur's words or phrases occurs in it (words that
   begin with the entry, on the text read with stems as in 1; longest phrases first, each matched phrase taken
   out: "ruang tunggu" is sarana, not also waktu); an answer may mention several; one with content but no
   unsur is "lainnya". Its tone: keluhan when it holds a complaint word, or a praise word after a negation
   ("tidak ramah"); pujian when it holds a praise word, or a complaint word after a negation ("tidak lama");
   saran when it asks for something ("mohon", "tolong"; not after a negation: "tidak perlu"), or a praise
   word follows a comparative (`banding`: "lebih ramah" is a wish, not praise); an answer may carry several
   tones. Nouns made with ke-/pe- ... -an ("kebersihan") name the unsur but carry no tone.
4. Shares: per group, the share of all respondents whose answer mentions each unsur (or complains about it),
   weighted by the study's weights with design-based SE (`riset.survey.estimate.fit_mean` on the indicators,
   domains of the full design): a mention is a property of the respondent, silence counts as no mention.
5. Quotes: per group and unsur, answers chosen reproducibly (the longest distinct ones, ties by text), with
   personal data masked (`riset.textsafe.mask_personal`).
6. Themes beyond the lexicon: the answers with content but no unsur ("lainnya") grouped by TF-IDF and
   non-negative matrix factorisation (scikit-learn, seeded), each theme named by its top words with up to
   three example answers, for the team to review and fold into the lexicon.

7. Accuracy of the bundled lexicon (whole set of codes per answer right; tests/skm/test_opentext.py,
   tests/study/test_example_text.py): on 24 hand-labelled answers written after the lexicon was tuned and
   never tuned on, unsur 17/24 = 71 % (micro precision 0.80, recall 0.87), tone 13/24 = 54 %, empty meaning
   23/24; on the 46 hand-labelled answers used while tuning, unsur 83 %, tone 85 %; on the 1,064 written
   answers of the bundled example (`riset.study.example_text`, whose text the lexicon was tuned on) unsur
   99.4 % (precision 0.999, recall 0.995), tone 89.8 %. Stemming changes little on these figures (without
   it: unsur 71 % / 83 % / 99.2 %, tone 58 % / 80 % / 89.6 %): it reaches derived forms the lexicon does
   not list ("dimarahi", "dibentak", "kebersihan"), and costs where a stem is a praise word ("diperjelas").
   The tone is the weaker part: read the coded table and the quotes, and extend the lexicon for a study's
   own words.

The lexicon (`riset/skm/data/leksikon.yaml`) is a plain YAML file a team edits; `load_lexicon(path)` reads a
study's own file instead.

>>> coded = code_answers(["Antrinya lama bgt, tolong tambah loket", "petugas tidak ramah", "-"])
>>> coded[["waktu", "perilaku", "kosong", "keluhan", "saran"]].values.tolist()
[[True, False, False, True, True], [False, True, False, True, False], [False, False, True, False, False]]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from riset.errors import CodebookError
from riset.i18n import say
from riset.skm.schemes import DEFAULT_SCHEME, Scheme, get_scheme
from riset.survey.estimate import critical_value, domains, fit_mean
from riset.textsafe import mask_personal
from riset.yamlfile import read_yaml

__all__ = ["LEXICON_KEYS", "OpenText", "TONES", "code_answers", "load_lexicon", "normalise", "open_text", "themes"]

#: Keys of a lexicon file.
LEXICON_KEYS = ("ejaan", "negasi", "banding", "kosong", "utuh", "unsur", "nada")
#: Tones of an answer.
TONES = ("keluhan", "pujian", "saran")


@lru_cache(maxsize=1)
def _bundled() -> dict:
    return yaml.safe_load(resources.files("riset.skm").joinpath("data", "leksikon.yaml").read_text("utf-8"))


def load_lexicon(path: str | Path | None = None, scheme: str | Scheme = DEFAULT_SCHEME) -> dict:
    """The coding lexicon: the bundled one, or a study's own file (same keys), checked (one-line
    `CodebookError` naming the file and key)."""
    raw = _bundled() if path is None else read_yaml(path, CodebookError, "lexicon")
    name = "leksikon.yaml" if path is None else Path(path).name
    if not isinstance(raw, Mapping) or set(raw) - set(LEXICON_KEYS) or "unsur" not in raw:
        raise CodebookError(f"lexicon {name}: a mapping with the keys {', '.join(LEXICON_KEYS)} ('unsur' required)")
    sch = get_scheme(scheme)
    unknown = [k for k in raw["unsur"] if k not in sch.keys]
    if unknown:
        raise CodebookError(f"lexicon {name}: '{unknown[0]}' is not an unsur of {sch.title}")
    groups = [(f"{key}.{group}", words) for key in ("unsur", "nada")
              for group, words in (raw.get(key) or {}).items()]
    for where, words in groups + [(key, raw[key]) for key in ("negasi", "banding", "utuh") if key in raw]:
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words):
            raise CodebookError(f"lexicon {name}: '{where}' needs a list of words or phrases")
    unknown_tones = [t for t in (raw.get("nada") or {}) if t not in TONES]
    if unknown_tones:
        raise CodebookError(f"lexicon {name}: tone '{unknown_tones[0]}' is not one of {', '.join(TONES)}")
    return raw


def normalise(text, lexicon: Mapping | None = None) -> str:
    """The answer as the lexicon reads it: lower case, words only, repeated letters once, informal spellings
    replaced.

    >>> normalise("Antriannya LAMAAA bgt!!")
    'antriannya lama banget'
    """
    lexicon = lexicon or load_lexicon()
    words = re.sub(r"[^\w]+", " ", str(text).lower().replace("_", " "))
    words = re.sub(r"(\w)\1{2,}", r"\1", words)
    spelling = lexicon.get("ejaan") or {}
    out = " ".join(spelling.get(w, w) for w in words.split())
    for phrase, standard in spelling.items():  # multi-word spellings ("kamar mandi")
        if " " in phrase:
            out = re.sub(rf"\b{re.escape(phrase)}\b", str(standard), out)
    return out


@lru_cache(maxsize=1)
def _stemmer():
    from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

    return StemmerFactory().create_stemmer()


@lru_cache(maxsize=20_000)
def _stem(word: str) -> str:
    return _stemmer().stem(word) or word


#: Nouns made with ke-/pe- ... -an name a quality or an act ("kebersihan", "pelayanan"): they carry the
#: unsur, not the tone, so the tone is read on them as written.
_NOMINAL = re.compile(r"(?:ke|pe)\w+an(?:nya)?$")


def _reading(norm: str, vocabulary: re.Pattern, whole: frozenset, nouns_whole: bool = False) -> str:
    """The normalised answer with each word no lexicon word begins (and not in `utuh`; with `nouns_whole`,
    not a ke-/pe- ... -an noun either) replaced by its stem."""
    return " ".join(w if w in whole or vocabulary.match(w) or (nouns_whole and _NOMINAL.match(w)) else _stem(w)
                    for w in norm.split())


def _pattern(words: Sequence[str]) -> re.Pattern:
    alternatives = sorted({re.escape(" ".join(w.lower().split())) for w in words}, key=len, reverse=True)
    return re.compile(r"\b(?:" + "|".join(alternatives) + r")\w*" if alternatives else r"(?!)")


def code_answers(texts, lexicon: Mapping | None = None, scheme: str | Scheme = DEFAULT_SCHEME,
                 stem: bool = True) -> pd.DataFrame:
    """One row per answer: the normalised text, a boolean column per unsur, lainnya (content, no unsur),
    kosong (empty meaning or blank), and keluhan / pujian / saran (tone). `stem=False`: words only as
    written (no stemming).

    >>> coded = code_answers(["kebersihan toilet dijaga", "sy dimarahi petugas"])
    >>> coded[["sarana", "perilaku", "keluhan"]].values.tolist()
    [[True, False, False], [False, True, True]]
    """
    lexicon = lexicon or load_lexicon(scheme=scheme)
    sch = get_scheme(scheme)
    # longest phrases first, each matched phrase blanked: "ruang tunggu" is sarana, not also waktu ("tunggu")
    phrases = sorted(((" ".join(w.lower().split()), k) for k in sch.keys for w in lexicon["unsur"].get(k, [])),
                     key=lambda item: (-len(item[0]), item[0]))
    phrase_patterns = [(re.compile(rf"\b{re.escape(p)}\w*"), k) for p, k in phrases]
    tone_patterns = _tone_patterns(lexicon)
    empty = {normalise(e, lexicon) for e in lexicon.get("kosong") or []}
    whole = frozenset(w.lower() for w in lexicon.get("utuh") or [])
    entries = [e for key in ("unsur", "nada") for words in (lexicon.get(key) or {}).values() for e in words]
    vocabulary = _pattern([w for e in [*(lexicon.get("negasi") or []), *(lexicon.get("banding") or []), *entries]
                           for w in e.split()])
    rows = []
    for text in texts:
        blank = text is None or (isinstance(text, float) and np.isnan(text)) or not str(text).strip()
        norm = "" if blank else normalise(text, lexicon)
        row = {"teks": norm, "kosong": blank or not norm or norm in empty}
        found, rest = set(), _reading(norm, vocabulary, whole) if stem else norm
        for pattern, key in phrase_patterns:
            if pattern.search(rest):
                found.add(key)
                rest = pattern.sub(" ", rest)
        for key in sch.keys:
            row[key] = not row["kosong"] and key in found
        row["lainnya"] = not row["kosong"] and not found
        tones = _tones(_reading(norm, vocabulary, whole, nouns_whole=True) if stem else norm, tone_patterns)
        row |= {t: not row["kosong"] and tones[t] for t in TONES}
        rows.append(row)
    return pd.DataFrame(rows, columns=["teks", "kosong", *sch.keys, "lainnya", *TONES])


def _tone_patterns(lexicon: Mapping) -> dict:
    tone_words = lexicon.get("nada") or {}
    negation, comparative = lexicon.get("negasi") or [], lexicon.get("banding") or []
    return {"plain": {t: _pattern(tone_words.get(t, [])) for t in TONES},
            "negated": {t: _pattern([f"{n} {w}" for n in negation for w in tone_words.get(t, [])]) for t in TONES},
            "wished": _pattern([f"{c} {w}" for c in comparative for w in tone_words.get("pujian", [])])}


def _tones(read: str, patterns: dict) -> dict[str, bool]:
    """The tones of a read answer. After a negation a praise word is a complaint ("tidak ramah"), a complaint
    word praise ("tidak lama"), a request none ("tidak perlu"); after a comparative (`banding`) a praise word
    is a wish ("lebih ramah": saran). Other tone words count as they are."""
    negated = {t: bool(p.search(read)) for t, p in patterns["negated"].items()}
    wished = bool(patterns["wished"].search(read))
    rest = read
    for pattern in (*patterns["negated"].values(), patterns["wished"]):
        rest = pattern.sub(" ", rest)
    plain = {t: bool(p.search(rest)) for t, p in patterns["plain"].items()}
    return {"keluhan": negated["pujian"] or plain["keluhan"], "pujian": negated["keluhan"] or plain["pujian"],
            "saran": wished or plain["saran"]}


@dataclass
class OpenText:
    """The coded answers of a study: `coded` (one row per respondent with an answer: id, group, the answer
    masked, its codes), `shares` (per group x unsur: share of respondents mentioning it and complaining about
    it, with SE and CI), `quotes` (per group x unsur: up to `per_cell` answers), `n_answers`, `themes` (the
    answers no unsur word matched, grouped: `themes`)."""

    coded: pd.DataFrame
    shares: pd.DataFrame
    quotes: pd.DataFrame
    n_answers: int
    themes: pd.DataFrame | None = None

    def to_frame(self) -> pd.DataFrame:
        return self.shares.copy()

    def complaints(self, group: str) -> pd.DataFrame:
        """Complaint shares per group x unsur (`group`, unsur, share) for `riset.skm.recommend.recommend`."""
        part = self.shares[self.shares["level"] == group]
        return part.rename(columns={"group": group, "keluhan": "share"})[[group, "unsur", "share"]]

    def summary(self, lang: str | None = None) -> str:
        """How many answers were read, then the area's share of respondents mentioning and complaining about
        each unsur."""
        area = self.shares[self.shares["level"] == "area"].sort_values("sebut", ascending=False)
        return "\n".join([say("open_text_summary", lang, n=self.n_answers),
                          area[["unsur", "sebut", "keluhan"]].round(3).to_string(index=False)])

    def __repr__(self) -> str:
        return self.summary()


def open_text(design, columns: Sequence[str], *, id_column: str, by: str | None = None,
              lexicon: Mapping | None = None, scheme: str | Scheme = DEFAULT_SCHEME, level: float = 0.95,
              per_cell: int = 2, stem: bool = True) -> OpenText:
    """Code the answers of the free-text `columns` (joined per respondent) of a design's data; shares per
    unsur for the whole sample ('area') and per `by` group with design-based SE (see the module docstring)."""
    sch = get_scheme(scheme)
    data = design.data
    joined = data[list(columns)].apply(lambda r: " ".join(str(v) for v in r if isinstance(v, str) and v.strip()),
                                       axis=1)
    coded = code_answers(joined.tolist(), lexicon, sch, stem)
    coded.index = data.index
    written = ~coded["kosong"]
    mention = coded[list(sch.keys)].to_numpy(dtype=float)
    complaint = mention * coded["keluhan"].to_numpy(dtype=float)[:, None]
    shares = []
    for level_name, group in (("area", None), *((("by", by),) if by else ())):
        domain, labels, _ = domains(design, group)
        values = np.hstack([mention, complaint])
        fit = fit_mean(design, values.copy(), domain, len(labels))
        se = np.sqrt(fit.var)
        t = critical_value(level, design.df_by(domain, len(labels)))[:, None]
        k = len(sch.keys)
        for d in range(len(labels)):
            name = "area" if group is None else str(labels.iloc[d, 0])
            for j, key in enumerate(sch.keys):
                shares.append({"level": "area" if group is None else by, "group": name, "unsur": key,
                               "kode": sch.get(key).kode, "sebut": fit.estimate[d, j], "sebut_se": se[d, j],
                               "sebut_ci_low": max(0.0, fit.estimate[d, j] - t[d, 0] * se[d, j]),
                               "sebut_ci_high": min(1.0, fit.estimate[d, j] + t[d, 0] * se[d, j]),
                               "keluhan": fit.estimate[d, k + j], "keluhan_se": se[d, k + j]})
    answers = coded[written].assign(**{id_column: data.loc[written, id_column],
                                       "jawaban": joined[written].map(mask_personal)})
    if by:
        answers[by] = data.loc[written, by].astype(str)
    quotes = []
    for key in sch.keys:
        part = answers[answers[key]]
        for name, cell in (part.groupby(by, sort=True) if by else [("area", part)]):
            chosen = cell.assign(_n=cell["jawaban"].str.len()).drop_duplicates("jawaban").sort_values(
                ["_n", "jawaban"], ascending=[False, True]).head(per_cell)
            quotes += [{"group": name, "unsur": key, "kode": sch.get(key).kode, "jawaban": q,
                        "keluhan": bool(c)} for q, c in zip(chosen["jawaban"], chosen["keluhan"])]
    keep = [id_column, *([by] if by else []), "jawaban", *sch.keys, "lainnya", *TONES]
    other = answers[answers["lainnya"]]
    return OpenText(answers[keep].reset_index(drop=True), pd.DataFrame(shares),
                    pd.DataFrame(quotes, columns=["group", "unsur", "kode", "jawaban", "keluhan"]), int(written.sum()),
                    themes(other["teks"].tolist(), other["jawaban"].tolist()))


#: Fewest unmatched answers worth grouping, and answers per theme (roughly) when choosing their number.
MIN_THEME_ANSWERS, ANSWERS_PER_THEME = 10, 8


def themes(texts: Sequence[str], shown: Sequence[str] | None = None, n_themes: int | None = None,
           seed: int = 0) -> pd.DataFrame | None:
    """Group answers (normalised `texts`; `shown`: what to quote, e.g. masked originals) into themes by TF-IDF
    and NMF (seeded, reproducible): tema, kata (top words), n (answers whose strongest theme it is), contoh
    (up to three answers). None for fewer than `MIN_THEME_ANSWERS` distinct answers."""
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = list(texts)
    shown = list(shown) if shown is not None else texts
    if len(set(texts)) < MIN_THEME_ANSWERS:
        return None
    k = n_themes or max(2, min(6, len(texts) // ANSWERS_PER_THEME))
    vectoriser = TfidfVectorizer(min_df=2, ngram_range=(1, 2))
    try:
        matrix = vectoriser.fit_transform(texts)
    except ValueError:  # no word shared by two answers
        return None
    if matrix.shape[1] < k:
        return None
    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    weights = model.fit_transform(matrix)
    words = np.asarray(vectoriser.get_feature_names_out())
    strongest = weights.argmax(axis=1)
    rows = []
    for t in range(k):
        members = np.flatnonzero((strongest == t) & (weights[:, t] > 0))
        if not len(members):
            continue
        top = words[np.argsort(model.components_[t])[::-1][:5]]
        best = members[np.argsort(-weights[members, t], kind="stable")]
        examples = list(dict.fromkeys(shown[i] for i in best))[:3]
        rows.append({"tema": t + 1, "kata": ", ".join(top), "n": len(members), "contoh": " | ".join(examples)})
    table = pd.DataFrame(rows).sort_values("n", ascending=False, kind="stable").reset_index(drop=True)
    table["tema"] = np.arange(1, len(table) + 1)
    return table
