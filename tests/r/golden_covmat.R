# Golden values for estimates with their full covariance: svyby(..., covmat = TRUE), svycontrast and
# svyratio with several numerators and denominators (covmat = TRUE), on the api designs.
# Run from the repository root:   Rscript tests/r/golden_covmat.R   -> tests/data/golden/covmat_api.json
source(file.path("tests", "r", "api_designs.R"))
designs <- api_designs()
pack <- function(x) list(names = names(coef(x)), coef = unname(coef(x)), vcov = unname(as.matrix(vcov(x))))
out <- list(survey = as.character(packageVersion("survey")))
for (name in names(designs)) {
  d <- designs[[name]]
  by_mean <- svyby(~api00 + api99, ~stype, d, svymean, covmat = TRUE)
  by_total <- svyby(~api00, ~stype, d, svytotal, covmat = TRUE)
  con <- svycontrast(by_mean, c("E:api00" = 1, "H:api00" = -1))
  con2 <- svycontrast(by_mean, list(eh = c("E:api00" = 1, "H:api00" = -1), growth_m = c("M:api00" = 1, "M:api99" = -1)))
  r <- svyratio(~api00 + api99, ~meals + api.stu, d, covmat = TRUE)
  out[[name]] <- list(by_mean = pack(by_mean), by_total = pack(by_total),
                      contrast = list(coef = unname(coef(con)), se = unname(SE(con))),
                      contrasts = list(coef = unname(coef(con2)), vcov = unname(as.matrix(vcov(con2)))),
                      ratio = list(coef = as.vector(coef(r)), names = names(coef(r)), vcov = unname(as.matrix(vcov(r)))))
}
write_json(out, file.path("tests", "data", "golden", "covmat_api.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("written tests/data/golden/covmat_api.json\n")
