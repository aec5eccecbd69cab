# Golden values for lonely PSUs (R options(survey.lonely.psu)): apiclus1 stratified by district (id = ~1,
# strata = ~dnum, weights = ~pw), where several districts have one sampled school; with and without an fpc
# that makes one stratum a certainty stratum; svymean and svytotal, whole sample and the domain stype == "E".
# Run from the repository root:   Rscript tests/r/golden_lonely.R   -> tests/data/golden/lonely_api.json
suppressMessages({
  library(survey)
  library(jsonlite)
})
data(api)
d <- apiclus1
counts <- table(d$dnum)
d$fpc_cert <- ifelse(d$dnum == names(counts)[counts == max(counts)][1], max(counts), 1000)  # one census stratum
out <- list(survey = as.character(packageVersion("survey")), lonely = names(counts)[counts == 1])
for (rule in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  for (fpc in c("none", "cert")) {
    des <- if (fpc == "none") svydesign(id = ~1, strata = ~dnum, weights = ~pw, data = d) else
      svydesign(id = ~1, strata = ~dnum, weights = ~pw, fpc = ~fpc_cert, data = d)
    m <- svymean(~api00 + api99, des)
    t <- svytotal(~enroll, des)
    e <- svymean(~api00, subset(des, stype == "E"))
    out[[paste(rule, fpc, sep = "_")]] <- list(
      mean = unname(coef(m)), mean_se = unname(SE(m)), total = unname(coef(t)), total_se = unname(SE(t)),
      domain_mean = unname(coef(e)), domain_se = unname(SE(e)))
  }
}
write_json(out, file.path("tests", "data", "golden", "lonely_api.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("written tests/data/golden/lonely_api.json\n")
