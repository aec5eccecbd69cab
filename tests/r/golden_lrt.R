# Golden values for the Rao-Scott working likelihood-ratio test of model terms (riset ModelResult.term_test,
# method="LRT"): R survey regTermTest(model, ~terms, method = "LRT") on svyglm fits (gaussian, quasibinomial) of
# the api designs (stratified, one- and two-stage cluster, JK1), with the F reference on the model's residual df
# (default) and the chi-square reference (df = Inf), the p-value by lrt.approximation "saddlepoint" (default),
# "integration" and "satterthwaite".
# "integration" needs the R package CompQuadForm (without it R falls back to the saddlepoint, with a warning),
# so the script stops if it is missing:   R_LIBS=<library with CompQuadForm> Rscript tests/r/golden_lrt.R
# Writes tests/data/golden/lrt_api.json.
source(file.path("tests", "r", "api_designs.R"))
if (!requireNamespace("CompQuadForm", quietly = TRUE)) stop("CompQuadForm is needed for lrt.approximation = 'integration'")
prep <- function(d) {
  d$hi700 <- as.numeric(d$api00 > 700)
  d
}
designs <- api_designs(prep)
models <- list(
  linear = list(formula = api00 ~ ell + meals + mobility + stype, family = gaussian()),
  logistic = list(formula = hi700 ~ ell + meals + mobility + stype, family = quasibinomial())
)
tests <- c("stype", "ell + meals", "mobility")
golden <- list(survey = as.character(packageVersion("survey")))
for (dn in names(designs)) {
  for (mn in names(models)) {
    m <- svyglm(models[[mn]]$formula, design = designs[[dn]], family = models[[mn]]$family,
                control = glm.control(epsilon = 1e-15, maxit = 200))
    out <- list()
    for (rhs in tests) {
      one <- list()
      for (ref in c("F", "Chisq")) {
        for (approx in c("saddlepoint", "integration", "satterthwaite")) {
          r <- regTermTest(m, as.formula(paste("~", rhs)), method = "LRT", lrt.approximation = approx,
                           df = if (ref == "F") NULL else Inf)
          one[[paste(ref, approx, sep = "_")]] <- list(chisq = unname(drop(r$chisq)), df = r$df, ddf = r$ddf,
                                                        p = unname(drop(r$p)), lambda = unname(r$lambda))
        }
      }
      out[[rhs]] <- one
    }
    golden[[dn]][[mn]] <- out
  }
}
# a domain (R subset() drops the rows outside it: svyglm's weights are scaled by the mean over the domain) and
# a post-stratified design (calibrated: subset() keeps the rows, with weight 0)
post <- postStratify(designs$strat, ~stype, data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018)))
domains <- list(clus1_E = subset(designs$clus1, stype == "E"), post_E = subset(post, stype == "E"))
for (dn in names(domains)) {
  m <- svyglm(api00 ~ ell + meals + mobility, design = domains[[dn]], control = glm.control(epsilon = 1e-15))
  r <- regTermTest(m, ~ell + meals, method = "LRT")
  golden[[dn]] <- list(chisq = unname(drop(r$chisq)), ddf = r$ddf, p = unname(drop(r$p)), lambda = unname(r$lambda))
}
write_json(golden, file.path("tests", "data", "golden", "lrt_api.json"), digits = NA, auto_unbox = TRUE,
           pretty = TRUE)
cat("written tests/data/golden/lrt_api.json with survey", golden$survey, "\n")
