# Golden values for riset.survey.design / riset.survey.estimate / riset.survey.replicate from R survey (Lumley).
# Run from the repository root after tests/r/export_api.R:
#   Rscript tests/r/golden_estimate.R
# Writes tests/data/golden/estimate.json (and the bootstrap replicate weights it used). The Python
# tests compare to 1e-6 relative; they never call R.
#
# Quantiles: survey 4.x `svyquantile(..., ci = TRUE)` uses qrule = "math" (the inverse of the weighted
# empirical CDF) and interval.type = "mean" (Woodruff 1952: a Wald CI for the CDF at the estimated
# quantile, mapped back through the quantile rule; SE = CI width / (2 t_{df})). Both are passed explicitly.
# Confidence intervals use t with the design df: confint(..., df = degf(design)).
suppressMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail", survey.ultimate.cluster = FALSE, survey.adjust.domain.lonely = FALSE)
api <- function(name) read.csv(file.path("tests", "data", "api", paste0(name, ".csv")), stringsAsFactors = FALSE)
apistrat <- api("apistrat"); apiclus1 <- api("apiclus1"); apiclus2 <- api("apiclus2"); apisrs <- api("apisrs")
for (nm in c("apistrat", "apiclus1", "apiclus2", "apisrs")) {
  d <- get(nm); d$stype <- factor(d$stype, levels = c("E", "H", "M")); assign(nm, d)
}
apiclus1$fpc_fraction <- 15 / apiclus1$fpc            # same design, FPC as a sampling fraction

num <- function(x) unname(as.numeric(x))
stat <- function(s, df = NULL) {
  out <- list(est = num(coef(s)), se = num(SE(s)), names = names(coef(s)))
  d <- attr(s, "deff"); if (!is.null(d)) out$deff <- num(diag(as.matrix(d)))
  if (!is.null(df)) { ci <- confint(s, df = df); out$ci_low <- num(ci[, 1]); out$ci_high <- num(ci[, 2]) }
  out
}
ratio_stat <- function(r, df = NULL) {
  out <- list(est = num(coef(r)), se = num(SE(r)))
  d <- attr(r, "deff"); if (!is.null(d)) out$deff <- num(d)
  if (!is.null(df)) { ci <- confint(r, df = df); out$ci_low <- num(ci[, 1]); out$ci_high <- num(ci[, 2]) }
  out
}
quant <- function(design, probs = c(0.25, 0.5, 0.9)) {
  q <- svyquantile(~api00, design, probs, ci = TRUE, qrule = "math", interval.type = "mean")$api00
  list(p = probs, est = num(q[, 1]), ci_low = num(q[, 2]), ci_high = num(q[, 3]), se = num(q[, 4]))
}
by_stat <- function(design) {
  b <- svyby(~api00, ~stype, design, svymean, deff = TRUE)
  list(levels = as.character(b$stype), est = num(coef(b)), se = num(SE(b)), deff = num(deff(b)))
}
ciprop <- function(design) {
  res <- list()
  for (m in c("logit", "xlogit", "beta", "mean")) {
    p <- svyciprop(~I(sch.wide == "Yes"), design, method = m)
    res[[m]] <- list(est = num(coef(p)), ci = num(attr(p, "ci")))
  }
  res
}
linear <- function(design) {
  df <- degf(design)
  dom <- subset(design, stype == "H")
  list(
    df = df,
    mean = stat(svymean(~api00 + api.stu, design, deff = TRUE), df),
    mean_narm = stat(svymean(~enroll, design, na.rm = TRUE)),
    mean_replace = stat(svymean(~api00, design, deff = "replace")),
    total = stat(svytotal(~api.stu, design, deff = TRUE), df),
    ratio = ratio_stat(svyratio(~api.stu, ~enroll, design, deff = TRUE, na.rm = TRUE),
                       degf(subset(design, !is.na(enroll)))),   # df of the answered rows, as riset
    prop = stat(svymean(~stype, design, deff = TRUE), df),
    prop_total = stat(svytotal(~stype, design)),
    quantile = quant(design),
    by = by_stat(design),
    domain = list(df = degf(dom), mean = stat(svymean(~api00, dom, deff = TRUE), degf(dom)),
                  total = stat(svytotal(~api.stu, dom))),
    ciprop = ciprop(design),
    vcov_mean = num(vcov(svymean(~api00 + api99, design)))
  )
}

dstrat <- svydesign(id = ~1, strata = ~stype, fpc = ~fpc, data = apistrat)
dstrat_nofpc <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat)
dclus1 <- svydesign(id = ~dnum, fpc = ~fpc, data = apiclus1)
dclus1_frac <- svydesign(id = ~dnum, fpc = ~fpc_fraction, data = apiclus1)
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
dclus2_uc <- svydesign(id = ~dnum, weights = ~pw, data = apiclus2)   # ultimate cluster, no FPC
dsrs <- svydesign(id = ~1, fpc = ~fpc, data = apisrs)

golden <- list(
  survey_version = as.character(packageVersion("survey")),
  strat = linear(dstrat),
  strat_nofpc = linear(dstrat_nofpc),
  clus1 = linear(dclus1),
  clus1_frac = list(mean = stat(svymean(~api00, dclus1_frac))),
  clus2 = linear(dclus2),
  clus2_uc = list(mean = stat(svymean(~api00, dclus2_uc)), df = degf(dclus2_uc)),
  srs = linear(dsrs)
)

# ---- lonely PSUs: apiclus1 stratified by county (cname), districts nested; several counties have one district
lonely <- list()
for (rule in c("remove", "certainty", "adjust")) {
  options(survey.lonely.psu = rule)
  d <- svydesign(id = ~dnum, strata = ~cname, weights = ~pw, data = apiclus1, nest = TRUE)
  lonely[[rule]] <- list(mean = stat(svymean(~api00, d)), total = stat(svytotal(~api.stu, d)), df = degf(d))
}
options(survey.lonely.psu = "fail")
golden$lonely <- lonely
golden$lonely_fail <- inherits(try(svymean(~api00, svydesign(id = ~dnum, strata = ~cname, weights = ~pw,
                                                              data = apiclus1, nest = TRUE)), silent = TRUE), "try-error")

# ---- replicate designs
rep_stats <- function(r) {
  list(df = degf(r), scale = num(r$scale), rscales = num(r$rscales),
       mean = stat(svymean(~api00 + api.stu, r, deff = TRUE)),
       total = stat(svytotal(~api.stu, r)),
       ratio = ratio_stat(svyratio(~api.stu, ~enroll, r, na.rm = TRUE)),
       prop = stat(svymean(~stype, r)),
       quantile = { q <- svyquantile(~api00, r, c(0.25, 0.5, 0.9), ci = TRUE, qrule = "math",
                                     interval.type = "mean")$api00
                    list(p = c(0.25, 0.5, 0.9), est = num(q[, 1]), ci_low = num(q[, 2]), ci_high = num(q[, 3]),
                         se = num(q[, 4])) },
       by = { b <- svyby(~api00, ~stype, r, svymean); list(levels = as.character(b$stype), est = num(coef(b)),
                                                          se = num(SE(b))) },
       domain = stat(svymean(~api00, subset(r, stype == "H"))))
}
golden$jk1 <- rep_stats(as.svrepdesign(dclus1, type = "JK1"))
golden$jk1_nofpc <- rep_stats(as.svrepdesign(svydesign(id = ~dnum, weights = ~pw, data = apiclus1), type = "JK1"))
golden$jkn <- rep_stats(as.svrepdesign(dstrat, type = "JKn"))
golden$jkn_nofpc <- rep_stats(as.svrepdesign(dstrat_nofpc, type = "JKn"))

# BRR: apiclus2 districts paired in order of dnum into 20 strata of 2 PSUs
pairs <- sort(unique(apiclus2$dnum))
apiclus2$pair <- match(apiclus2$dnum, pairs) %/% 2 + (match(apiclus2$dnum, pairs) %% 2)
dpair <- svydesign(id = ~dnum, strata = ~pair, weights = ~pw, data = apiclus2, nest = TRUE)
H <- survey:::hadamard(length(unique(apiclus2$pair)))
golden$brr <- rep_stats(as.svrepdesign(dpair, type = "BRR"))
golden$brr$hadamard <- H
golden$brr$linear_total <- stat(svytotal(~api.stu, dpair))

# bootstrap: random draws differ between R and numpy, so the replicate weights themselves are exported
set.seed(20261123)
rboot <- as.svrepdesign(dstrat_nofpc, type = "subbootstrap", replicates = 40)
golden$boot <- rep_stats(rboot)
write.csv(round(weights(rboot, "analysis"), 10), file.path("tests", "data", "golden", "boot_repweights.csv"),
          row.names = FALSE)

writeLines(toJSON(golden, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path("tests", "data", "golden", "estimate.json"))
cat("wrote tests/data/golden/estimate.json\n")

# ---- IKM with design-based SE (riset.skm.ikm_design): a small two-stage SKM study generated here, written to
# tests/data/golden/ikm_design_data.csv. Strata = unit, PSU = service day (fpc = service days in the period),
# SSU = respondent (fpc2 = visitors that day). Questionnaire order U1..U9 with U8 = sarana, U9 = pengaduan.
# NRR_j = sum w y_j / sum w a_j over answered rows (a_j = 1 if answered); IKM = (1/9) sum_j NRR_j; both as
# svycontrast of svytotal (delta method = Taylor linearization of the ratio of sums).
set.seed(14)
unit_info <- data.frame(unit = c("PKM-A", "PKM-B", "RSUD"), days = c(5, 4, 6), n_hari = c(60, 55, 70),
                        level = c(3.4, 2.9, 3.1))
rows <- list()
for (i in seq_len(nrow(unit_info))) for (d in seq_len(unit_info$days[i])) {
  m <- sample(3:7, 1); M <- m + sample(5:30, 1)
  rows[[length(rows) + 1]] <- data.frame(unit = unit_info$unit[i], hari = sprintf("%s/H%02d", unit_info$unit[i], d),
                                         n_hari = unit_info$n_hari[i], n_pengunjung = M, k = seq_len(m),
                                         level = unit_info$level[i], day_effect = rnorm(1, 0, 0.25))
}
skm <- do.call(rbind, rows)
skm$id_responden <- sprintf("R%03d", seq_len(nrow(skm)))
# design weight D/d * M/m (days in period / sampled days * visitors that day / interviewed that day)
skm$bobot <- with(skm, n_hari / unit_info$days[match(unit, unit_info$unit)] * n_pengunjung / ave(k, hari, FUN = length))
for (q in 1:9) {
  score <- skm$level + skm$day_effect + rnorm(nrow(skm), 0, 0.6) + (q - 5) * 0.03
  ans <- pmin(4, pmax(1, round(score)))
  ans[runif(nrow(skm)) < ifelse(q == 9, 0.15, 0.05)] <- NA
  skm[[paste0("U", q)]] <- ans
}
skm$k <- NULL; skm$level <- NULL; skm$day_effect <- NULL
write.csv(skm, file.path("tests", "data", "golden", "ikm_design_data.csv"), row.names = FALSE, na = "")
keys <- c("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "sarana", "pengaduan")
for (q in 1:9) {
  skm[[paste0("y_", keys[q])]] <- ifelse(is.na(skm[[paste0("U", q)]]), 0, skm[[paste0("U", q)]])
  skm[[paste0("a_", keys[q])]] <- as.numeric(!is.na(skm[[paste0("U", q)]]))
}
dskm <- svydesign(id = ~hari + id_responden, strata = ~unit, fpc = ~n_hari + n_pengunjung, data = skm)
ikm_golden <- function(design) {
  tot <- svytotal(as.formula(paste("~", paste(c(paste0("y_", keys), paste0("a_", keys)), collapse = "+"))), design)
  nrr <- lapply(keys, function(k) svycontrast(tot, parse(text = paste0("y_", k, "/a_", k))[[1]]))
  ikm <- svycontrast(tot, parse(text = paste0("(", paste0("y_", keys, "/a_", keys, collapse = "+"), ")/9"))[[1]])
  list(ikm = num(coef(ikm)), ikm_se = num(SE(ikm)), nrr = num(sapply(nrr, coef)), nrr_se = num(sapply(nrr, SE)),
       nrr_ratio_se = num(sapply(keys, function(k) SE(svyratio(as.formula(paste0("~y_", k)),
                                                             as.formula(paste0("~a_", k)), design)))),
       df = degf(design))
}
ikm_out <- list(all = ikm_golden(dskm), unsur = keys)
for (u in unit_info$unit) ikm_out[[u]] <- ikm_golden(subset(dskm, unit == u))
golden$ikm <- ikm_out
writeLines(toJSON(golden, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path("tests", "data", "golden", "estimate.json"))
cat("wrote IKM golden values\n")
