# Golden values for riset.survey.weighting from R survey (run from the repository root):
#   Rscript tests/r/golden_weighting.R
# Writes tests/data/golden/weighting.json: for each case the calibrated weights and, for the
# resulting design, svymean(~api00), svytotal(~enroll) and the domain mean svymean(~api00) in
# comp.imp == "Yes", each with its SE. The Python tests read the JSON; they never need R.
suppressMessages(library(survey))
suppressMessages(library(jsonlite))
data(api)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)

pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_schwide <- as.data.frame(table(sch.wide = apipop$sch.wide))
pop_compimp <- as.data.frame(table(comp.imp = apipop$comp.imp))
pop_sw_ci <- as.data.frame(xtabs(~ sch.wide + comp.imp, apipop))
pop_st_aw <- as.data.frame(xtabs(~ stype + awards, apipop))
totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, api99 = 3914069)
tight <- list(maxit = 100, epsilon = 1e-9)

summarise <- function(d) {
  m <- svymean(~api00, d)
  t <- svytotal(~enroll, d)
  dm <- svymean(~api00, subset(d, comp.imp == "Yes"))
  list(weights = unname(weights(d)),
       mean_api00 = unname(coef(m)), se_mean_api00 = unname(SE(m)),
       total_enroll = unname(coef(t)), se_total_enroll = unname(SE(t)),
       domain_mean_api00 = unname(coef(dm)), se_domain_mean_api00 = unname(SE(dm)))
}

dclus1g <- calibrate(dclus1, ~stype + api99, totals)
cases <- list(
  clus1_none = summarise(dclus1),
  strat_none = summarise(dstrat),
  clus1_poststratify_stype = summarise(postStratify(dclus1, ~stype, pop_stype)),
  strat_poststratify_schwide = summarise(postStratify(dstrat, ~sch.wide, pop_schwide)),
  clus1_rake_stype_schwide = summarise(rake(dclus1, list(~stype, ~sch.wide), list(pop_stype, pop_schwide),
                                            control = tight)),
  strat_rake_schwide_compimp = summarise(rake(dstrat, list(~sch.wide, ~comp.imp), list(pop_schwide, pop_compimp),
                                              control = tight)),
  clus1_rake_cross = summarise(rake(dclus1, list(~stype + awards, ~sch.wide), list(pop_st_aw, pop_schwide),
                                    control = tight)),
  strat_rake_cross = summarise(rake(dstrat, list(~stype, ~sch.wide + comp.imp), list(pop_stype, pop_sw_ci),
                                    control = tight)),
  clus1_calibrate_linear = summarise(dclus1g),
  strat_calibrate_linear = summarise(calibrate(dstrat, ~sch.wide + api99,
                                               c(6194, pop_schwide$Freq[2], 3914069))),
  clus1_calibrate_linear_bounds = summarise(calibrate(dclus1, ~stype + api99, totals, bounds = c(0.6, 1.6))),
  clus1_calibrate_raking = summarise(calibrate(dclus1, ~stype + api99, totals, calfun = "raking")),
  clus1_calibrate_raking_bounds = summarise(calibrate(dclus1, ~stype + api99, totals, calfun = "raking",
                                                      bounds = c(0.6, 1.6))),
  clus1_calibrate_logit = summarise(calibrate(dclus1, ~stype + api99, totals, calfun = "logit",
                                              bounds = c(0.6, 1.6))),
  clus1_trim = summarise(trimWeights(dclus1g, lower = 20, upper = 45)),
  clus1_trim_strict = summarise(trimWeights(dclus1g, lower = 20, upper = 45, strict = TRUE))
)
out <- file.path("tests", "data", "golden")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
writeLines(toJSON(list(survey_version = as.character(packageVersion("survey")), cases = cases),
                  digits = NA, auto_unbox = TRUE, pretty = FALSE),
           file.path(out, "weighting.json"))
cat("weighting golden values written for", length(cases), "cases\n")
