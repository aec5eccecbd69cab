# Golden values for riset.skm.ikm_design.compare_periods: the change in IKM and NRR between two periods per unit,
# from R survey (Lumley). Run from the repository root:  Rscript tests/r/golden_periode.R
#   -> tests/data/golden/periode.json
#
# Data: tests/data/golden/ikm_design_data.csv (written by golden_estimate.R: strata = unit, PSU = service
# day with fpc = service days, SSU = respondent with fpc2 = visitors that day) with a made-up period split:
# inside every service day the respondents alternate 2026-S1, 2026-S2, 2026-S1, ... (in file order), so every
# PSU holds respondents of both periods and the two period domains are correlated (non-zero covariance).
# Per unit (a domain of the full design), svyby(~ totals, ~periode, svytotal, covmat = TRUE) gives both
# periods' 18 totals (y_j = answer or 0, a_j = answered) with their joint covariance; svycontrast takes the
# delta-method difference  IKM_S2 - IKM_S1, IKM = (1/9) sum_j y_j / a_j, and NRR_j,S2 - NRR_j,S1.
# The NRR contrast is checked a second way: svyby(~y_j, ~periode, denominator = ~a_j, svyratio, covmat = TRUE)
# and svycontrast(c(-1, 1)). A second part does the same on the calibrated example study (see below).
suppressMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail", survey.ultimate.cluster = FALSE)
num <- function(x) unname(as.numeric(x))
skm <- read.csv(file.path("tests", "data", "golden", "ikm_design_data.csv"), stringsAsFactors = FALSE)
skm$periode <- ifelse(ave(seq_len(nrow(skm)), skm$hari, FUN = seq_along) %% 2 == 1, "2026-S1", "2026-S2")
source(file.path("tests", "r", "ikm_design_data.R"))
skm <- skm_indicators(skm)
dskm <- skm_design(skm)

as_stat <- function(by) {
  # svyby names its coefficients "2026-S1:y_persyaratan"; rename to syntactic names for svycontrast's deriv()
  est <- coef(by)
  v <- vcov(by)
  nm <- sub("^2026-(S[12]):", "\\1_", names(est))
  names(est) <- nm
  dimnames(v) <- list(nm, nm)
  structure(est, var = v, statistic = "total", class = "svystat")
}
ikm_of <- function(p) paste0("(", paste0(p, "_y_", keys, "/", p, "_a_", keys, collapse = "+"), ")/9")

out <- list(unsur = keys, periode = skm$periode)
for (u in sort(unique(skm$unit))) {
  sub <- subset(dskm, unit == u)
  by <- svyby(totals, ~periode, sub, svytotal, covmat = TRUE)
  st <- as_stat(by)
  ikm_s <- svycontrast(st, list(s1 = parse(text = ikm_of("S1"))[[1]], s2 = parse(text = ikm_of("S2"))[[1]]))
  diff <- svycontrast(st, list(d = parse(text = paste0(ikm_of("S2"), "-", ikm_of("S1")))[[1]]))
  nrr_diff <- lapply(keys, function(k) svycontrast(st, parse(text = sprintf("S2_y_%s/S2_a_%s - S1_y_%s/S1_a_%s",
                                                                             k, k, k, k))[[1]]))
  nrr_ratio <- lapply(keys, function(k) {
    r <- svyby(as.formula(paste0("~y_", k)), ~periode, denominator = as.formula(paste0("~a_", k)), sub, svyratio,
               covmat = TRUE)
    svycontrast(r, c(-1, 1))
  })
  df <- degf(sub)
  est <- num(coef(diff)); se <- num(SE(diff)); t <- est / se
  out[[u]] <- list(
    ikm_s1 = num(coef(ikm_s))[1], ikm_s2 = num(coef(ikm_s))[2],
    ikm_se_s1 = sqrt(vcov(ikm_s)[1, 1]), ikm_se_s2 = sqrt(vcov(ikm_s)[2, 2]), ikm_cov = vcov(ikm_s)[1, 2],
    ikm_diff = est, ikm_diff_se = se, t = t, df = df, p = 2 * pt(-abs(t), df),
    ci_low = est - qt(0.975, df) * se, ci_high = est + qt(0.975, df) * se,
    nrr_diff = num(sapply(nrr_diff, coef)), nrr_diff_se = num(sapply(nrr_diff, SE)),
    nrr_ratio_diff = num(sapply(nrr_ratio, coef)), nrr_ratio_diff_se = num(sapply(nrr_ratio, SE)))
}
# ---- The bundled example study, calibrated as riset.study.run does (weighting = "kalibrasi"): the design and the
# raking constraints are those of tests/r/golden_study.R (both source tests/r/calibrated_example.R).
# Strata = unit x periode, so no PSU is shared; the raking to kecamatan x sex / age margins that pool both
# periods is what correlates them. Change 2026-S1 -> 2026-S2 kabupaten-wide and for two units.
d <- read.csv(file.path("tests", "data", "study", "contoh_bersih.csv"), stringsAsFactors = FALSE)
for (j in 1:9) {
  u <- d[[paste0("U", j)]]
  d[[paste0("y", j)]] <- ifelse(is.na(u), 0, u)
  d[[paste0("a", j)]] <- as.numeric(!is.na(u))
}
source(file.path("tests", "r", "calibrated_example.R"))
cal <- calibrated_example(d)
# svyby(..., covmat = TRUE) stops on this calibrated design (survey 4.1.1: "number of items to replace is not
# a multiple of replacement length"), so the two periods' domain totals are taken as totals of
# period-indicator x variable columns in one svytotal -- the same estimator with the same joint covariance.
for (p in c("S1", "S2")) for (v in c(paste0("y", 1:9), paste0("a", 1:9))) {
  cal$variables[[paste0(p, "_", v)]] <- cal$variables[[v]] * (cal$variables$periode == paste0("2026-", p))
}
study_totals <- as.formula(paste("~", paste(outer(c("S1_", "S2_"), c(paste0("y", 1:9), paste0("a", 1:9)), paste0),
                                            collapse = " + ")))
study_ikm <- function(p) paste0("25 / 9 * (", paste0(p, "_y", 1:9, " / ", p, "_a", 1:9, collapse = " + "), ")")
change_of <- function(design) {
  st <- svytotal(study_totals, design)
  both <- svycontrast(st, list(s1 = parse(text = study_ikm("S1"))[[1]], s2 = parse(text = study_ikm("S2"))[[1]]))
  diff <- svycontrast(st, list(d = parse(text = paste0(study_ikm("S2"), " - ", study_ikm("S1")))[[1]]))
  df <- degf(design)
  est <- num(coef(diff)); se <- num(SE(diff)); t <- est / se
  list(ikm_s1 = num(coef(both))[1], ikm_s2 = num(coef(both))[2], kov = vcov(both)[1, 2], selisih = est, se = se,
       t = t, df = df, p = 2 * pt(-abs(t), df), ci_low = est - qt(0.975, df) * se, ci_high = est + qt(0.975, df) * se)
}
out$kalibrasi <- list(kabupaten = change_of(cal))
for (u in c("PKM-SMAS", "RSUD-RJ")) out$kalibrasi[[u]] <- change_of(subset(cal, unit == u))

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path("tests", "data", "golden", "periode.json"))
cat("wrote tests/data/golden/periode.json\n")
