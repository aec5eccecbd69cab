# Golden values for riset.survey.compare: R survey svychisq (F, Chisq, Wald, adjWald) and svyttest on the `api`
# data (Taylor designs, a post-stratified design and a JK1 replicate design).
# Run from the repository root:   Rscript tests/r/golden_compare.R
# statistic = "lincom" needs the R package CompQuadForm (R survey's pchisqsum/pFsum falls back to the
# saddlepoint without it, with a warning): the script stops if it is missing, e.g. run as
#   R_LIBS=<library with CompQuadForm> Rscript tests/r/golden_compare.R
# Writes tests/data/golden/compare_api.json. The Python tests read it and tests/data/api/*.csv; they never need R.
source(file.path("tests", "r", "api_designs.R"))
prep <- function(d) {
  d$hi700 <- ifelse(d$api00 > 700, "ya", "tidak")
  d$growth <- d$api00 - d$api99
  d
}
if (!requireNamespace("CompQuadForm", quietly = TRUE)) stop("CompQuadForm is needed for statistic = 'lincom'")
designs <- api_designs(prep)
pop <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
designs$post <- postStratify(designs$strat, ~stype, pop)

chisq <- function(d, f) {
  out <- list()
  for (s in c("F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint")) {
    r <- svychisq(f, d, statistic = s)
    out[[s]] <- list(statistic = unname(r$statistic), parameter = as.list(r$parameter), p_value = unname(r$p.value))
  }
  out
}
ttest <- function(d, f) {
  r <- svyttest(f, d)
  list(statistic = unname(r$statistic), df = unname(r$parameter), estimate = unname(r$estimate),
       p_value = unname(r$p.value))
}
golden <- list(survey = as.character(packageVersion("survey")))
for (name in names(designs)) {
  d <- designs[[name]]
  golden[[name]] <- list(
    chisq_sch_stype = chisq(d, ~sch.wide + stype),
    chisq_hi700_awards = chisq(d, ~hi700 + awards),
    ttest_growth_awards = ttest(d, growth ~ awards),
    ttest_api00_sch_wide = ttest(d, api00 ~ sch.wide),
    ttest_growth_one = ttest(d, growth ~ 0)
  )
}
write_json(golden, file.path("tests", "data", "golden", "compare_api.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
cat("written tests/data/golden/compare_api.json with survey", golden$survey, "\n")
