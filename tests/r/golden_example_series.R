# Golden values for the Perkembangan section (issue 16) on the bundled example extended to four semesters
# (`python -m riset.study.example --seri`: 2025-S1 .. 2026-S2, one innovation at a puskesmas from 2026-S1 in
# contoh_inovasi.csv), from R survey (Lumley). Run from the repository root:
#   Rscript tests/r/golden_example_series.R        -> tests/data/golden/example_series.json
# It first has riset's seeded generator write the series into a temporary folder together with the answers as
# cleaned by riset.skm.exports (design columns, unit, periode, jenis_layanan, U1..U9; blanks empty), with the
# Python of the PYTHON environment variable (default .venv/bin/python). The Python test regenerates the same
# files (same seed) and never needs R.
#
# Design (data/raw/README.md): svydesign(ids = ~hari + id_responden, strata = ~interaction(unit, periode),
# fpc = ~n_hari_layanan + n_pengunjung_hari, weights = ~bobot_desain); the design weights, no calibration.
# IKM x 25 = 25/9 sum_j y_j / a_j over the totals y_j = answer (0 if blank), a_j = answered (PermenPAN-RB 14/2017).
#   series   svyby(totals, ~periode [+ unit], svytotal, covmat = TRUE); svycontrast of each period's IKM, of
#            each consecutive change IKM_t - IKM_{t-1} and of the linear trend sum_t c_t IKM_t,
#            c_t = (t - tbar) / sum (t - tbar)^2 at t = 0, 1, 2, 3 (least-squares slope, points per semester);
#            df = degf of the subset of the periods a contrast uses (of the unit's rows for a unit).
#   DiD      the innovating unit and the comparison units (same jenis_layanan, no innovation) x before / after
#            the start: svyby(totals, ~did, covmat = TRUE) and svycontrast of (T_after - T_before) -
#            (C_after - C_before); the placebo on the two semesters before the start (the later as 'after').
#            The same contrast of one unsur's NRR (U3: y_3 / a_3 per domain) for the DiD per unsur.
#   svyglm   the same units, per-respondent score skor = 25 x mean of the answered unsur, two-way fixed effects
#            with period terms: svyglm(skor ~ factor(periode) + factor(unit) + perlakuan), perlakuan = 1 for
#            the innovating unit from its start (the regression form of the DiD).
suppressMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail", survey.ultimate.cluster = FALSE)
num <- function(x) unname(as.numeric(x))

folder <- tempfile("seri")
python <- Sys.getenv("PYTHON", file.path(".venv", "bin", "python"))
script <- paste(
  "import sys",
  "from riset.study.example import write_example_study, PERIODE_SERI, INOVASI_SERI",
  "from riset.study.config import load_study",
  "from riset.study.run import read_study_survey",
  "paths = write_example_study(sys.argv[1], 2026, PERIODE_SERI, INOVASI_SERI)",
  "s = read_study_survey(load_study(paths['studi']))",
  "cols = ['id_responden', 'unit', 'periode', 'jenis_layanan', 'hari', 'n_hari_layanan', 'n_pengunjung_hari',",
  "        'bobot_desain'] + [f'U{i}' for i in range(1, 10)]",
  "s.data[cols].to_csv(sys.argv[1] + '/bersih.csv', index=False)", sep = "\n")
Sys.setenv(PYTHONPATH = "src")
stopifnot(system2(python, c("-c", shQuote(script), folder)) == 0)
d <- read.csv(file.path(folder, "bersih.csv"), stringsAsFactors = FALSE)
register <- read.csv(file.path(folder, "contoh_inovasi.csv"), stringsAsFactors = FALSE)
stopifnot(nrow(register) == 1)

for (j in 1:9) {
  u <- d[[paste0("U", j)]]
  d[[paste0("y", j)]] <- ifelse(is.na(u), 0, u)
  d[[paste0("a", j)]] <- as.numeric(!is.na(u))
}
d$skor <- 25 * rowMeans(d[paste0("U", 1:9)], na.rm = TRUE)
periods <- sort(unique(d$periode))
treated <- register$unit
start <- register$mulai
comparison <- setdiff(unique(d$unit[d$jenis_layanan == d$jenis_layanan[d$unit == treated][1]]), treated)
group <- ifelse(d$unit == treated, "T", ifelse(d$unit %in% comparison, "C", NA))
d$did <- ifelse(is.na(group), NA, paste0(group, ifelse(d$periode >= start, "after", "before")))
before <- periods[periods < start]
d$placebo <- ifelse(is.na(group) | !(d$periode %in% before), NA,
                    paste0(group, ifelse(d$periode == before[length(before)], "after", "before")))
d$perlakuan <- as.numeric(d$unit == treated & d$periode >= start)

des <- svydesign(ids = ~hari + id_responden, strata = ~interaction(unit, periode),
                 fpc = ~n_hari_layanan + n_pengunjung_hari, weights = ~bobot_desain, data = d)
totals <- as.formula(paste("~", paste(c(paste0("y", 1:9), paste0("a", 1:9)), collapse = " + ")))
# svyby names its totals '<domain>:y1'; made syntactic ('d_<domain>_y1', '-' -> '_') for the expressions
syntactic <- function(x) paste0("d_", gsub("[^A-Za-z0-9]", "_", x))
ikm_text <- function(p) paste0("25 / 9 * (", paste0(syntactic(paste0(p, ":y", 1:9)), " / ",
                                                     syntactic(paste0(p, ":a", 1:9)), collapse = " + "), ")")
as_stat <- function(by) {
  est <- coef(by)
  v <- vcov(by)
  names(est) <- syntactic(names(est))
  dimnames(v) <- list(names(est), names(est))
  structure(est, var = v, statistic = "total", class = "svystat")
}
contrast_of <- function(st, texts) svycontrast(st, lapply(texts, function(t) parse(text = t)[[1]]))
trend_c <- (seq_along(periods) - mean(seq_along(periods))) / sum((seq_along(periods) - mean(seq_along(periods)))^2)

series <- function(design) {
  st <- as_stat(svyby(totals, ~periode, design, svytotal, covmat = TRUE))
  level <- contrast_of(st, setNames(lapply(periods, ikm_text), periods))
  k <- length(periods)
  steps <- lapply(2:k, function(t) paste0(ikm_text(periods[t]), " - ", ikm_text(periods[t - 1])))
  slope <- paste0(trend_c, " * ", sapply(periods, ikm_text), collapse = " + ")
  change <- contrast_of(st, c(steps, list(slope)))
  df_step <- sapply(2:k, function(t) degf(subset(design, periode %in% periods[c(t - 1, t)])))
  list(periode = periods, ikm_konversi = num(coef(level)), se = num(SE(level)),
       df = sapply(periods, function(p) degf(subset(design, periode == p)), USE.NAMES = FALSE),
       selisih = num(coef(change))[1:(k - 1)], se_selisih = num(SE(change))[1:(k - 1)], df_selisih = df_step,
       tren = num(coef(change))[k], se_tren = num(SE(change))[k], df_tren = degf(design))
}

did_of <- function(column) {
  sub <- subset(des, !is.na(d[[column]]))
  st <- as_stat(svyby(totals, as.formula(paste0("~", column)), sub, svytotal, covmat = TRUE))
  est <- contrast_of(st, list(did = paste0("(", ikm_text("Tafter"), " - ", ikm_text("Tbefore"), ") - (",
                                            ikm_text("Cafter"), " - ", ikm_text("Cbefore"), ")")))
  list(did = num(coef(est)), se = num(SE(est)), df = degf(sub))
}
# the DiD of one unsur's NRR (U3, the unsur the example's innovation lifts most): NRR_j = y_j / a_j per domain
nrr_text <- function(p, j) paste0(syntactic(paste0(p, ":y", j)), " / ", syntactic(paste0(p, ":a", j)))
did_nrr <- function(column, j) {
  sub <- subset(des, !is.na(d[[column]]))
  st <- as_stat(svyby(totals, as.formula(paste0("~", column)), sub, svytotal, covmat = TRUE))
  est <- contrast_of(st, list(did = paste0("(", nrr_text("Tafter", j), " - ", nrr_text("Tbefore", j), ") - (",
                                            nrr_text("Cafter", j), " - ", nrr_text("Cbefore", j), ")")))
  list(kolom = paste0("U", j), did = num(coef(est)), se = num(SE(est)), df = degf(sub))
}

fit <- svyglm(skor ~ factor(periode) + factor(unit) + perlakuan, design = subset(des, !is.na(did)))
out <- list(
  n = nrow(d), periode = periods, inovasi = list(unit = treated, mulai = start, pembanding = sort(comparison)),
  area = series(des),
  unit = setNames(lapply(sort(unique(d$unit)), function(u) series(subset(des, unit == u))), sort(unique(d$unit))),
  did = did_of("did"), placebo = did_of("placebo"), did_nrr = did_nrr("did", 3),
  svyglm = list(terms = names(coef(fit)), coef = num(coef(fit)), se = num(SE(fit)), df_resid = fit$df.residual,
                degf = degf(fit$survey.design)))
write_json(out, file.path("tests", "data", "golden", "example_series.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
cat(toJSON(out[c("did", "placebo", "did_nrr", "svyglm")], auto_unbox = TRUE, digits = 10, pretty = TRUE), "\n")
