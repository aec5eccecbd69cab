# Golden values for riset.skm.drivers: LMG (Shapley) relative importance by brute force over all p! orders of
# entry, each R^2 from an actual weighted lm() fit (summary()$r.squared: weighted R^2 around the weighted
# mean), and Johnson's (2000) relative weights from the weighted correlation matrix (cov.wt), on apistrat
# with the sampling weights pw. Independent of riset's all-subsets formula.
# Run from the repository root:   Rscript tests/r/golden_drivers.R
# Writes tests/data/golden/drivers_api.json; the Python tests read it with tests/data/api/apistrat.csv.
suppressMessages({
  library(survey)
  library(jsonlite)
})
data(api)
y <- "api00"
xs <- c("ell", "meals", "mobility", "avg.ed", "full")
d <- apistrat[complete.cases(apistrat[, c(y, xs)]), ]

r2 <- function(vars) {
  if (length(vars) == 0) return(0)
  summary(lm(reformulate(vars, y), data = d, weights = pw))$r.squared
}
perms <- function(v) {
  if (length(v) <= 1) return(list(v))
  out <- list()
  for (i in seq_along(v)) for (rest in perms(v[-i])) out[[length(out) + 1]] <- c(v[i], rest)
  out
}
orders <- perms(xs)
lmg <- setNames(numeric(length(xs)), xs)
for (o in orders) {
  for (k in seq_along(o)) lmg[o[k]] <- lmg[o[k]] + (r2(o[1:k]) - r2(o[seq_len(k - 1)])) / length(orders)
}

corr <- cov.wt(d[, c(y, xs)], wt = d$pw, cor = TRUE)$cor
rxx <- corr[xs, xs]
rxy <- corr[xs, y]
e <- eigen(rxx, symmetric = TRUE)
lambda <- e$vectors %*% diag(sqrt(e$values)) %*% t(e$vectors)
beta <- solve(lambda, rxy)
johnson <- as.vector((lambda^2) %*% (beta^2))

out <- list(
  outcome = y, predictors = xs, n = nrow(d), weights = "pw",
  r2 = r2(xs), lmg = unname(lmg), johnson = johnson,
  r_version = R.version.string, survey_version = as.character(packageVersion("survey"))
)
write(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE), "tests/data/golden/drivers_api.json")
