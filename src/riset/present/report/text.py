"""Sentences of the seminar package, composed from the catalog (`riset/i18n/*/report.yaml`) and a study's
results: the headline, the methodology and how the driver analysis treated blank answers. Nothing is computed
here; every number comes from `StudyResults`.

>>> from riset.study import run_study                          # doctest: +SKIP
>>> headline(run_study("data/raw/studi.yaml"), "id")           # doctest: +SKIP
'IKM Kabupaten Tanjung Harapan 79,62 (SK 95% 79,12–80,12), mutu B (Baik), dari 1.960 responden.'
"""

from __future__ import annotations

from riset.i18n import check_language, fmt_ci, fmt_num, say
from riset.skm.schemes import Scheme, kinerja_label

__all__ = ["bands_text", "drivers_statement", "headline", "methodology", "online_methods"]


def headline(results, lang: str | None = None) -> str:
    """One sentence: the area's IKM with its 95% CI, mutu and n."""
    lang = check_language(lang)
    row = results.area_row()
    return say("headline", lang, area=results.config.area.name, ikm=fmt_num(row["ikm_konversi"], 2, lang),
               ci=fmt_ci(row["ci_low"], row["ci_high"], 2, lang), mutu=row["mutu"],
               kinerja=kinerja_label(row["mutu"], lang, results.scheme), n=int(row["n_responden"]))


def bands_text(scheme: Scheme, lang: str | None = None) -> str:
    """The scheme's mutu bands in words, e.g. '88,31–100,00 A (Sangat Baik), 76,61–88,30 B (Baik), ...'.

    Upper limits are the next band's lower limit minus 0.01 (the score is reported with 2 decimals).
    """
    lang = check_language(lang)
    top = scheme.conversion * scheme.scale[1]
    highs = [top] + [b.lower - 0.01 for b in scheme.bands[:-1]]
    return ", ".join(say("method_band", lang, low=fmt_num(b.lower, 2, lang), high=fmt_num(h, 2, lang), mutu=b.mutu,
                         kinerja=kinerja_label(b.mutu, lang, scheme)) for b, h in zip(scheme.bands, highs))


def methodology(results, lang: str | None = None) -> list[str]:
    """Methodology paragraphs: the sampling design, the weighting, the IKM formula with its exact weight and
    the scheme's bands, the multiplicity rule (Holm) of every verdict, and (where they ran) the drivers and the
    IPA."""
    lang = check_language(lang)
    config, data = results.config, results.survey.data
    spec = config.design
    strata = list(spec.strata)
    values = {
        "n": len(data), "strata": tuple(strata), "psu": spec.psu, "fpc": spec.fpc,
        "fpc2": spec.fpc2, "n_strata": data.groupby(strata).ngroups if strata else 1,
        "n_psu": data.groupby([*strata, spec.psu]).ngroups if spec.psu else len(data),
    }
    design = [say(f"method_design_{spec.kind}", lang, **values)]
    if spec.ssu:
        design.append(say("method_second_stage", lang))
    if spec.weights:
        design.append(say("method_weights_from", lang, column=spec.weights))
    design.append(say("method_se", lang))
    weighting_key = results.plan["weighting"].reason
    variables = [tuple(v) for v in config.weighting.variables]
    weighting = [say(f"method_{weighting_key}", lang, variables=variables)]
    if config.weighting.adjusts and config.weighting.keep_totals:
        weighting.append(say("method_keep_totals", lang, cells=tuple(config.weighting.keep_totals)))
    if config.weighting.adjusts:
        weighting.append(say(f"method_targets_{config.weighting.targets}", lang, replicates=config.replicates))
    sch = results.scheme
    paragraphs = [" ".join(design), " ".join(weighting),
                  say("method_formula", lang, k=len(sch.unsur), conversion=fmt_num(sch.conversion, 0, lang),
                      scheme=sch.title, bands=bands_text(sch, lang)),
                  say("method_multiplicity", lang)]
    online = [d.path.name for d in config.data if d.source == "online"]
    if online:
        paragraphs.append(" ".join([say("method_online", lang, files=", ".join(online)),
                                    *online_methods(results, lang)]))
    if results.drivers is not None:
        drivers = [say("method_drivers", lang, column=results.overall, k=len(sch.unsur)),
                   *drivers_statement(results, lang), results.drivers.interval_text(lang)]
        paragraphs.append(" ".join(t for t in drivers if t))
    if results.ipa_result is not None:
        paragraphs.append(say("method_ipa_stated", lang, columns=", ".join(results.importance_map))
                          if results.importance_map else say("method_ipa_derived", lang))
    return paragraphs


def online_methods(results, lang: str | None = None) -> list[str]:
    """How the online answers were weighted (with the weighting's Kish deff and n_eff), what can and cannot be
    concluded from them, and how they meet the probability sample (`riset.study.online`)."""
    lang = check_language(lang)
    part = results.online
    if part is None:
        return []
    weighting, spec = part.weighting, results.config.online
    if not weighting.runs:
        text = [say("method_online_unweighted", lang)]
    else:
        margins = [tuple(v) for v in spec.variables]
        text = [say("method_online_weighting", lang, cells=tuple(spec.cells), table=spec.volume.name,
                    margins=say("method_online_margins", lang, variables=margins) if margins else "",
                    deff=weighting.deff, n_eff=weighting.n_eff, n=len(weighting.design.weights))]
    return [*text, say("method_online_conclude", lang), say(f"method_online_{part.combine}", lang)]


def drivers_statement(results, lang: str | None = None) -> list[str]:
    """How the headline driver analysis treated blank answers: whom it uses of all respondents and why the others
    are left out, which unsur's blanks it imputed (how many each), how and under which assumption
    (`riset.skm.drivers.DriverImportance.blanks_text`), and, when other treatments of blank answers ran, that they
    are in the sensitivity table (with the reason for the one without the complaint unsur). Empty without drivers.
    Bab IV, the technical appendix, the slide's notes, the workbook and the notebook all say it in these words."""
    lang = check_language(lang)
    if results.drivers is None:
        return []
    out = [results.drivers.blanks_text(results.n, lang)]
    sensitivity = results.drivers_sensitivity()
    if sensitivity is not None:
        others = list(sensitivity.n)[1:]
        pointer = ("text_drivers_sensitivity_pointer" if "tanpa_pengaduan" in others
                   else "text_drivers_sensitivity_pointer_blanks")
        out.append(say(pointer, lang, others=", ".join(f"“{say(f'sens_{k}', lang)}”" for k in others)))
    return out
