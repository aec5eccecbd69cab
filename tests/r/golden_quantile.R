# Golden values for survey quantiles under every R quantile rule (svyquantile, interval.type = "mean"), the
# other Woodruff interval types and the score interval (interval.type = "score"):
# qrule math, school, hf1-hf9, shahvaish on the api designs, at p = 0.02 (the Woodruff lower limit falls
# below the first cumulative weight), 0.1, 0.5 and 0.9.
# Run from the repository root:   Rscript tests/r/golden_quantile.R   -> tests/data/golden/quantile_api.json
source(file.path("tests", "r", "api_designs.R"))
source(file.path("tests", "r", "survey44_qrules.R"))  # below the first cumulative weight: survey >= 4.4's rules
designs <- api_designs()[c("strat", "clus1")]
designs$srs <- svydesign(id = ~1, data = apisrs[1:25, ])
rules <- c("math", "school", "shahvaish", paste0("hf", 1:9))
probs <- c(0.02, 0.1, 0.5, 0.9)
out <- list(survey = as.character(packageVersion("survey")), probs = probs)
for (name in names(designs)) {
  out[[name]] <- list()
  for (rule in rules) {
    q <- svyquantile(~api00, designs[[name]], probs, qrule = rule, ci = TRUE)[[1]]
    out[[name]][[rule]] <- list(quantile = unname(q[, 1]), ci_low = unname(q[, 2]), ci_high = unname(q[, 3]),
                                se = unname(q[, 4]))
  }
}
# interval types of the Woodruff CI (qrule math)
for (name in c("strat", "clus1")) {
  out[[paste0(name, "_intervals")]] <- list()
  for (it in c("mean", "beta", "xlogit", "asin")) {
    q <- svyquantile(~api00, designs[[name]], c(0.25, 0.5, 0.75), interval.type = it, ci = TRUE)[[1]]
    out[[paste0(name, "_intervals")]][[it]] <- list(quantile = unname(q[, 1]), ci_low = unname(q[, 2]),
                                                   ci_high = unname(q[, 3]), se = unname(q[, 4]))
  }
}
# score intervals (interval.type = "score", R's ffullerCI), whole designs and the domain stype == "E"
# (on the 25-row SRS the score has no sign change for p = 0.1 or 0.9: R stops there)
score <- function(design, probs = c(0.1, 0.25, 0.5, 0.75, 0.9)) {
  q <- svyquantile(~api00, design, probs, interval.type = "score", ci = TRUE)[[1]]
  list(probs = probs, quantile = unname(q[, 1]), ci_low = unname(q[, 2]), ci_high = unname(q[, 3]),
       se = unname(q[, 4]))
}
for (name in names(designs)) out[[paste0(name, "_score")]] <- score(designs[[name]],
  if (name == "srs") c(0.25, 0.5, 0.75) else c(0.1, 0.25, 0.5, 0.75, 0.9))
for (name in c("strat", "clus1")) out[[paste0(name, "_score_E")]] <- score(subset(designs[[name]], stype == "E"))
write_json(out, file.path("tests", "data", "golden", "quantile_api.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE, na = "string")
cat("written tests/data/golden/quantile_api.json\n")
