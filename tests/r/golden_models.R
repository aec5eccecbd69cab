# Golden values for riset.survey.models: R survey svyglm (gaussian, quasibinomial) and svyolr on the `api` data.
# Run from the repository root:   Rscript tests/r/golden_models.R
# Writes tests/data/golden/models_api.json. The Python tests read that file and tests/data/api/*.csv
# (written by tests/r/export_api.R); they never need R.
#
# Variable names with dots (avg.ed, acs.k3) are stored with underscores, as the Python formulas use them.
# svyolr maximises the likelihood with optim(BFGS) at reltol 1e-8 and takes a finite-difference Hessian
# (ndeps 1e-3); for golden values we pass a tight control (reltol 1e-15, ndeps 1e-6) through `...`, so the
# fixtures hold the exact MLE and its sandwich variance rather than optimizer noise (the default-control
# results are stored too, under "default_control", to show how far they are from the exact values).
# Likewise svyglm is run with glm.control(epsilon = 1e-15): glm's IRLS stops at a relative deviance change
# of 1e-8 and its working weights (the bread of the sandwich) lag one iteration behind, which moves logistic
# SEs by up to ~3e-5 relative.
# For the replicate design, svyolr.svyrep.design refits the replicates with MASS::polr at default
# tolerance; we repeat its algorithm (same start, same svrVar) with a tight control.
suppressMessages({
  library(survey)
  library(jsonlite)
  library(MASS)
})
data(api)

prep <- function(d) {
  d$avg_ed <- d$avg.ed
  d$acs_k3 <- d$acs.k3
  d$apicat <- cut(d$api00, c(-Inf, 600, 700, 800, Inf), labels = c("low", "mid", "high", "top"))
  d$hi700 <- as.numeric(d$api00 > 700)
  d
}
apistrat <- prep(apistrat)
apiclus1 <- prep(apiclus1)
apiclus2 <- prep(apiclus2)

designs <- list(
  strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc),
  clus1 = svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc),
  clus2 = svydesign(id = ~dnum + snum, weights = ~pw, data = apiclus2, fpc = ~fpc1 + fpc2)
)
designs$jk1 <- as.svrepdesign(designs$clus1, type = "JK1", compress = FALSE)
# post-stratified on school type: svyrecvar residualises the influence values within the cells
designs$clus1_ps <- postStratify(designs$clus1, ~stype, data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018)))

tight <- function(npar) list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-6, npar))

terms_test <- function(model, rhs) {
  tt <- regTermTest(model, as.formula(paste("~", rhs)))
  list(terms = rhs, F = unname(drop(tt$Ftest)), df = tt$df, ddf = tt$ddf, p = unname(drop(tt$p)))
}

as_matrix <- function(v) unname(lapply(seq_len(nrow(v)), function(i) unname(v[i, ])))

glm_case <- function(name, design, formula, family, tests) {
  m <- svyglm(as.formula(formula), design = design, family = family, control = glm.control(epsilon = 1e-15, maxit = 200))
  s <- summary(m)
  out <- list(
    name = name, kind = if (family$family == "gaussian") "linear" else "logistic",
    design = NA, formula = formula,
    coef_names = names(coef(m)), coef = unname(coef(m)), se = unname(sqrt(diag(vcov(m)))),
    vcov = as_matrix(vcov(m)), df_resid = m$df.residual, n_used = length(m$y),
    t = unname(s$coefficients[, 3]), p = unname(s$coefficients[, 4]),
    tests = lapply(tests, function(rhs) terms_test(m, rhs))
  )
  out
}

# regTermTest() re-evaluates an svyolr call's `design` and `formula` (model.frame.svyolr), so the fits are
# evaluated from the global environment with the design stored there.
svyolr_global <- function(f, design, control = NULL) {
  assign(".golden_design", design, envir = globalenv())
  if (is.null(control)) return(eval(bquote(svyolr(.(f), design = .golden_design)), globalenv()))
  eval(bquote(svyolr(.(f), design = .golden_design, control = .(control))), globalenv())
}

olr_case <- function(name, design, formula, tests) {
  f <- as.formula(formula)
  npar <- ncol(model.matrix(f, model.frame(design))) - 1 + nlevels(model.frame(design)$apicat) - 1
  if (inherits(design, "svyrep.design")) {
    # svyolr.svyrep.design with tight optimizer control (see header)
    df <- model.frame(design)
    pwt <- weights(design, "sampling")
    environment(f) <- environment()  # polr looks up `weights` where the formula lives (as svyolr does)
    full <- polr(f, data = df, weights = pwt, Hess = FALSE, control = list(reltol = 1e-15, maxit = 10000))
    start <- c(full$coefficients, full$zeta)
    rw <- weights(design, "analysis")
    betas <- apply(rw, 2, function(w) {
      environment(f) <- environment()
      mm <- polr(f, data = df, weights = w, start = start, Hess = FALSE,
                 control = list(reltol = 1e-15, maxit = 10000))
      c(mm$coefficients, mm$zeta)
    })
    v <- svrVar(t(betas), design$scale, design$rscales, mse = design$mse, coef = start)
    v <- matrix(v, length(start), length(start), dimnames = list(names(start), names(start)))
    default <- svyolr_global(f, design)
    out <- list(coef_names = names(start), coef = unname(start), vcov = as_matrix(v),
                df_resid = degf(design) - length(full$coefficients), tests = list())
    fit_for_tests <- default
    fit_for_tests$coefficients <- full$coefficients
    fit_for_tests$zeta <- full$zeta
    fit_for_tests$var <- v
    out$tests <- lapply(tests, function(rhs) terms_test(fit_for_tests, rhs))
  } else {
    m <- svyolr_global(f, design, control = tight(npar))
    default <- svyolr_global(f, design)
    out <- list(coef_names = c(names(m$coefficients), names(m$zeta)),
                coef = unname(c(m$coefficients, m$zeta)), vcov = as_matrix(vcov(m)),
                df_resid = m$df.residual, tests = lapply(tests, function(rhs) terms_test(m, rhs)))
  }
  out$se <- sqrt(diag(do.call(rbind, out$vcov)))
  out$default_control <- list(coef = unname(c(default$coefficients, default$zeta)),
                              se = unname(sqrt(diag(vcov(default)))))
  c(list(name = name, kind = "ordinal", design = NA, formula = formula, levels = levels(model.frame(design)$apicat)), out)
}

rhs3 <- "ell + meals + mobility"
cases <- list()
add <- function(case, design_name) {
  case$design <- design_name
  cases[[length(cases) + 1]] <<- case
}
for (dn in names(designs)) {
  d <- designs[[dn]]
  add(glm_case(paste0(dn, "_linear"), d, paste("api00 ~", rhs3), gaussian(), c(rhs3, "mobility")), dn)
  add(glm_case(paste0(dn, "_logistic"), d, paste("hi700 ~", rhs3), quasibinomial(), c(rhs3)), dn)
  add(olr_case(paste0(dn, "_ordinal"), d, paste("apicat ~", rhs3), c(rhs3)), dn)
}
# categorical control (treatment contrasts, first level E as reference, as patsy)
add(glm_case("clus1_linear_factor", designs$clus1, "api00 ~ ell + meals + stype", gaussian(),
             c("ell + meals + stype", "stype")), "clus1")
add(olr_case("clus1_ordinal_factor", designs$clus1, "apicat ~ ell + meals + stype", c("stype")), "clus1")
# missing values in a predictor: rows dropped, the design keeps every PSU (zero influence), df from what is left
add(glm_case("clus1_linear_na", designs$clus1, "api00 ~ ell + meals + avg_ed", gaussian(),
             c("ell + meals + avg_ed")), "clus1")
# acs_k3 is missing for every high school: a whole stratum leaves the model, df drops accordingly
add(glm_case("strat_linear_na", designs$strat, "api00 ~ ell + acs_k3", gaussian(), c("ell + acs_k3")), "strat")
add(glm_case("strat_logistic_na", designs$strat, "hi700 ~ ell + acs_k3", quasibinomial(), c("ell + acs_k3")), "strat")
# domain (R subset(): the design keeps every PSU, weights outside the domain are zero)
elem <- subset(designs$clus1, stype == "E")
case <- glm_case("clus1_linear_domain", elem, paste("api00 ~", rhs3), gaussian(), c(rhs3))
case$domain <- "stype == 'E'"
add(case, "clus1")
case <- glm_case("clus1_logistic_domain", elem, paste("hi700 ~", rhs3), quasibinomial(), c(rhs3))
case$domain <- "stype == 'E'"
add(case, "clus1")

rep <- designs$jk1
out <- list(
  survey_version = as.character(packageVersion("survey")),
  r_version = R.version.string,
  designs = list(
    strat = "svydesign(id=~1, strata=~stype, weights=~pw, data=apistrat, fpc=~fpc)",
    clus1 = "svydesign(id=~dnum, weights=~pw, data=apiclus1, fpc=~fpc)",
    clus2 = "svydesign(id=~dnum+snum, weights=~pw, data=apiclus2, fpc=~fpc1+fpc2)",
    jk1 = "as.svrepdesign(clus1, type='JK1', compress=FALSE)",
    clus1_ps = "postStratify(clus1, ~stype, data.frame(stype=c('E','H','M'), Freq=c(4421, 755, 1018)))"
  ),
  apicat_breaks = c(600, 700, 800),
  jk1 = list(type = rep$type, scale = rep$scale, rscales = unname(rep$rscales), mse = rep$mse,
             repweights = as_matrix(as.matrix(rep$repweights))),
  cases = cases
)
dir.create(file.path("tests", "data", "golden"), showWarnings = FALSE, recursive = TRUE)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null"),
           file.path("tests", "data", "golden", "models_api.json"))
cat("wrote", length(cases), "cases with survey", as.character(packageVersion("survey")), "\n")
