# Golden values for riset.skm.trend.period_series: IKM over three periods per unit, each consecutive change and
# the linear trend, from R survey (Lumley). Run from the repository root:  Rscript tests/r/golden_trend.R
#   -> tests/data/golden/trend.json
#
# Data: tests/data/golden/ikm_design_data.csv (strata = unit, PSU = service day with fpc, SSU = respondent with
# fpc2) with a made-up three-period split: inside every service day the respondents take P1, P2, P3, P1, ...
# in file order, so every PSU holds all three periods and the period domains are correlated. Per unit (a
# domain of the full design) svyby(~ totals, ~periode, svytotal, covmat = TRUE) gives the three periods'
# totals (y_j = answer or 0, a_j = answered) with their joint covariance; svycontrast takes
#   consecutive changes  IKM_P2 - IKM_P1, IKM_P3 - IKM_P2      (IKM = (1/9) sum_j y_j / a_j, x 25 in riset)
#   linear trend         (IKM_P3 - IKM_P1) / 2                 (least-squares slope at times 0, 1, 2)
# df = degf of the unit's subset restricted to the periods a contrast uses.
suppressMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail", survey.ultimate.cluster = FALSE)
num <- function(x) unname(as.numeric(x))
skm <- read.csv(file.path("tests", "data", "golden", "ikm_design_data.csv"), stringsAsFactors = FALSE)
skm$periode <- paste0("P", (ave(seq_len(nrow(skm)), skm$hari, FUN = seq_along) - 1) %% 3 + 1)
source(file.path("tests", "r", "ikm_design_data.R"))
skm <- skm_indicators(skm)
dskm <- skm_design(skm)
ikm_of <- function(p) paste0("(", paste0(p, "_y_", keys, "/", p, "_a_", keys, collapse = "+"), ")/9")

out <- list(periode = skm$periode)
for (u in sort(unique(skm$unit))) {
  sub <- subset(dskm, unit == u)
  by <- svyby(totals, ~periode, sub, svytotal, covmat = TRUE)
  est <- coef(by)
  v <- vcov(by)
  nm <- sub(":", "_", names(est))
  names(est) <- nm
  dimnames(v) <- list(nm, nm)
  st <- structure(est, var = v, statistic = "total", class = "svystat")
  contrasts <- svycontrast(st, list(
    d12 = parse(text = paste0(ikm_of("P2"), "-", ikm_of("P1")))[[1]],
    d23 = parse(text = paste0(ikm_of("P3"), "-", ikm_of("P2")))[[1]],
    trend = parse(text = paste0("(", ikm_of("P3"), "-", ikm_of("P1"), ")/2"))[[1]]))
  df <- c(degf(subset(sub, periode %in% c("P1", "P2"))), degf(subset(sub, periode %in% c("P2", "P3"))), degf(sub))
  out[[u]] <- list(estimate = num(coef(contrasts)), se = num(SE(contrasts)), df = df)
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), file.path("tests", "data", "golden", "trend.json"))

# ---- Difference in differences: PKM-A innovates from P3; PKM-B is the comparison unit. Four domains of the one
# design (innovating / comparison x before (P1, P2) / after (P3)); svyby(covmat = TRUE) of the totals and
# svycontrast of (IKM_A,after - IKM_A,before) - (IKM_B,after - IKM_B,before).
skm$did <- ifelse(skm$unit == "PKM-A", "T", ifelse(skm$unit == "PKM-B", "C", NA))
skm$did <- ifelse(is.na(skm$did), NA, paste0(skm$did, ifelse(skm$periode == "P3", "after", "before")))
dskm <- svydesign(id = ~hari + id_responden, strata = ~unit, fpc = ~n_hari + n_pengunjung, data = skm)
sub <- subset(dskm, !is.na(did))
by <- svyby(totals, ~did, sub, svytotal, covmat = TRUE)
est <- coef(by)
v <- vcov(by)
nm <- sub(":", "_", names(est))
names(est) <- nm
dimnames(v) <- list(nm, nm)
st <- structure(est, var = v, statistic = "total", class = "svystat")
did <- svycontrast(st, list(did = parse(text = paste0("(", ikm_of("Tafter"), "-", ikm_of("Tbefore"), ")-(",
                                                      ikm_of("Cafter"), "-", ikm_of("Cbefore"), ")"))[[1]]))
out$did <- list(estimate = num(coef(did)), se = num(SE(did)), df = degf(sub))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE), file.path("tests", "data", "golden", "trend.json"))
