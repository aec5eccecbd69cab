# Golden values for the grade risk, the NRR interval (issue 21.3, 21.4) and the units' rank intervals from
# Holm-adjusted pairwise tests (21.8) on the small two-stage SKM
# study of golden_estimate.R (tests/data/golden/ikm_design_data.csv: strata = unit, PSU = service day with fpc,
# SSU = respondent with fpc2). Run from the repository root:  Rscript tests/r/golden_inference.R
#   -> tests/data/golden/inference.json
#
# Per unit (a domain: subset of the design) and for the whole area, df = degf of the subset (PSUs - strata):
# - P(different grade) (riset.skm.ikm_design.p_mutu_beda): x = 25 IKM and s = 25 SE(IKM) from svycontrast of
#   svytotal; [l, u) the point grade's band on the unrounded scale (PermenPAN-RB 14/2017 lower bounds minus
#   0.005: 88.305, 76.605, 64.995); P = 1 - [pt((u - x)/s, df) - pt((l - x)/s, df)], and the normal value
#   beside it (what riset used before: it understates the risk with few PSUs).
# - NRR interval on 1-4 (riset.skm.ikm_design.nrr_interval): svycontrast of the totals on the logit of
#   (NRR - 1)/3, L = log((y/a - 1)/(4 - y/a)) (delta method done by R), CI = 1 + 3 plogis(L -/+ qt(.975, df) SE(L)).
suppressMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail")
num <- function(x) unname(as.numeric(x))
skm <- read.csv(file.path("tests", "data", "golden", "ikm_design_data.csv"), stringsAsFactors = FALSE)
source(file.path("tests", "r", "ikm_design_data.R"))
skm <- skm_indicators(skm)
dskm <- skm_design(skm)
edges <- c(-Inf, 64.995, 76.605, 88.305, Inf)

inference <- function(design) {
  tot <- svytotal(totals, design)
  df <- degf(design)
  ikm <- svycontrast(tot, parse(text = paste0("25 * (", paste0("y_", keys, "/a_", keys, collapse = "+"), ")/9"))[[1]])
  x <- num(coef(ikm)); s <- num(SE(ikm))
  band <- findInterval(round(x, 2), edges)
  l <- edges[band]; u <- edges[band + 1]
  logit <- lapply(keys, function(k) svycontrast(tot, parse(text = paste0("log((y_", k, "/a_", k, " - 1)/(4 - y_", k,
                                                                           "/a_", k, "))"))[[1]]))
  L <- num(sapply(logit, coef)); SL <- num(sapply(logit, SE))
  t <- qt(0.975, df)
  list(ikm_konversi = x, se = s, df = df, band = c(l, u),
       p_mutu_beda = 1 - (pt((u - x) / s, df) - pt((l - x) / s, df)),
       p_mutu_beda_normal = 1 - (pnorm((u - x) / s) - pnorm((l - x) / s)),
       nrr = num(sapply(keys, function(k) coef(svyratio(as.formula(paste0("~y_", k)), as.formula(paste0("~a_", k)),
                                                       design)))),
       logit = L, logit_se = SL, nrr_ci_low = 1 + 3 * plogis(L - t * SL), nrr_ci_high = 1 + 3 * plogis(L + t * SL))
}
out <- list(survey = as.character(packageVersion("survey")), unsur = keys, all = inference(dskm))
for (u in sort(unique(skm$unit))) out[[u]] <- inference(subset(dskm, unit == u))

# ---- Units' rank intervals (riset.survey.compare.rank_intervals, issue 21.8): svyby of the totals per unit
# with covmat = TRUE, svycontrast of every pairwise IKM difference (x 25), t on the smaller of the two units'
# degf, p.adjust(, "holm") over the pairs; unit i's interval = [1 + #units significantly above it,
# K - #units significantly below it].
by <- svyby(totals, ~unit, dskm, svytotal, covmat = TRUE)
est <- coef(by); v <- vcov(by)
nm <- gsub("[^A-Za-z0-9_]", "_", sub(":", "_", names(est)))
names(est) <- nm; dimnames(v) <- list(nm, nm)
st <- structure(est, var = v, statistic = "total", class = "svystat")
units <- sort(unique(skm$unit)); tag <- gsub("[^A-Za-z0-9_]", "_", units)
ikm_u <- function(u) paste0("25 * (", paste0(u, "_y_", keys, "/", u, "_a_", keys, collapse = "+"), ")/9")
pairs <- t(combn(length(units), 2))
diffs <- svycontrast(st, setNames(lapply(seq_len(nrow(pairs)), function(i)
  parse(text = paste0(ikm_u(tag[pairs[i, 1]]), " - (", ikm_u(tag[pairs[i, 2]]), ")"))[[1]]),
  paste0("d", seq_len(nrow(pairs)))))
df_unit <- sapply(units, function(u) degf(subset(dskm, unit == u)))
pair_df <- pmin(df_unit[pairs[, 1]], df_unit[pairs[, 2]])
tstat <- num(coef(diffs)) / num(SE(diffs))
p <- 2 * pt(-abs(tstat), pair_df)
p_holm <- p.adjust(p, "holm")
above <- matrix(FALSE, length(units), length(units))  # above[i, j]: i significantly above j
for (i in seq_len(nrow(pairs))) if (p_holm[i] < 0.05) {
  if (tstat[i] > 0) above[pairs[i, 1], pairs[i, 2]] <- TRUE else above[pairs[i, 2], pairs[i, 1]] <- TRUE
}
out$ranks <- list(units = units, diff = num(coef(diffs)), se = num(SE(diffs)), df = num(pair_df), p_value = p,
                  p_holm = p_holm, rank_low = 1 + colSums(above), rank_high = length(units) - rowSums(above))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), file.path("tests", "data", "golden", "inference.json"))
cat("wrote tests/data/golden/inference.json\n")
