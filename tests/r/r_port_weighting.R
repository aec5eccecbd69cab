# Golden values for tests/survey/test_r_port_weighting.py: the checks of R survey's own test files
# (tests/ of the package) on calibration, replicate designs and models, run in R.
# Run from the repository root:   Rscript tests/r/r_port_weighting.R
# Needs survey >= 4.5, the version whose tests are ported (4.1 fails svyolr on a raked design with blanks,
# svyolr-rake-subset.R, and a linear svycontrast of an svyby with replicates); e.g. installed from CRAN's source
# into a private library:  R CMD INSTALL --library=/tmp/rlib survey_4.5.tar.gz; R_LIBS=/tmp/rlib Rscript ...
# Writes tests/data/golden/r_port_weighting.json and the small data sets the tests need that are not the
# api data (tests/data/r_port: nhanes.csv.gz, myco.csv). The Python tests never need R.
#
# Each block is named after the R test file it ports. Where the R file uses a loose control (rake's
# epsilon = 1e-4, calibrate's default tol, svyolr's BFGS at reltol 1e-8, glm's IRLS at 1e-8) the golden
# value is computed with a tight one, so the fixtures hold the exact solution the file's check is about.
suppressMessages({
  library(survey)
  library(jsonlite)
})
if (packageVersion("survey") < "4.5") stop("survey >= 4.5 is needed (see the header)")
data(api)
out <- list(survey_version = as.character(packageVersion("survey")))
tight_rake <- list(epsilon = 1e-13, maxit = 1000)
glm_tight <- glm.control(epsilon = 1e-15, maxit = 100)
stat <- function(s) list(coef = unname(coef(s)), se = unname(SE(s)))
fit <- function(m) list(names = names(coef(m)), coef = unname(coef(m)), se = unname(SE(m)))
cell_weights <- function(d) as.vector(svytable(~a + b, d))

## kalton.R ------------------------------------------------------------------------------------------
ab <- expand.grid(a = factor(1:4), b = factor(1:3))
kaltonsample <- ab[rep(1:12, c(20, 50, 100, 30, 40, 140, 50, 100, 40, 310, 50, 70)), ]
kaltonpop <- ab[rep(1:12, c(80, 60, 170, 55, 40, 150, 60, 165, 55, 340, 200, 125)), ]
jointpop <- colSums(model.matrix(~a * b, kaltonpop))
marginalpop <- colSums(model.matrix(~a + b, kaltonpop))
gregpop <- colSums(model.matrix(~as.numeric(a) + as.numeric(b), kaltonpop))
dkalton <- svydesign(id = ~1, data = kaltonsample)
tol <- 1e-12
out$kalton <- list(
  sample_counts = as.vector(xtabs(~a + b, kaltonsample)),
  pop_counts = as.vector(xtabs(~a + b, kaltonpop)),
  gregpop = unname(gregpop),
  # cell weights (svytable), a varying fastest, as the tables A-G of the R file (before its rounding)
  ps = cell_weights(postStratify(dkalton, ~a + b, xtabs(~a + b, kaltonpop))),
  calps = cell_weights(calibrate(dkalton, ~a * b, jointpop)),
  rake = cell_weights(rake(dkalton, list(~a, ~b), list(xtabs(~a, kaltonpop), xtabs(~b, kaltonpop)),
                           control = tight_rake)),
  calrake = cell_weights(calibrate(dkalton, ~a + b, marginalpop, calfun = "raking", epsilon = tol)),
  linear = cell_weights(calibrate(dkalton, ~a + b, marginalpop)),
  trunclinear = cell_weights(calibrate(dkalton, ~a + b, marginalpop, bounds = c(0.5, 2.2), epsilon = tol)),
  logit = cell_weights(calibrate(dkalton, ~a + b, marginalpop, bounds = c(0.5, 2.2), calfun = "logit",
                                 epsilon = tol, maxit = 200)),
  greg = cell_weights(calibrate(dkalton, ~as.numeric(a) + as.numeric(b), gregpop))
)

## rakecheck.R ---------------------------------------------------------------------------------------
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
ff <- ~stype + sch.wide
poptotals <- colSums(model.matrix(ff, model.frame(ff, apipop)))
pop.table <- xtabs(~stype + sch.wide, apipop)
pop.imp <- data.frame(comp.imp = c("No", "Yes"), Freq = c(1712, 4482))
ff1 <- ~stype * sch.wide + comp.imp
poptotals1 <- colSums(model.matrix(ff1, model.frame(ff1, apipop)))
rake_summary <- function(d, with_weights = FALSE) list(
  weights = if (with_weights) unname(weights(d)), mean_api00 = stat(svymean(~api00, d)),
                                 total_enroll = stat(svytotal(~enroll, d)))
rclus1r <- rake(rclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight_rake)
rclus1g <- calibrate(rclus1, ~stype + sch.wide, poptotals, calfun = "raking", epsilon = tol)
dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight_rake)
dclus1g <- calibrate(dclus1, ~stype + sch.wide, poptotals, calfun = "raking", epsilon = tol)
dclus1r2 <- rake(dclus1, list(~stype + sch.wide, ~comp.imp), list(pop.table, pop.imp), control = tight_rake)
dclus1g2 <- calibrate(dclus1, ff1, poptotals1, calfun = "raking", epsilon = tol)
out$rakecheck <- list(
  pop_stype_schwide = as.data.frame(pop.table),
  rclus1r = rake_summary(rclus1r), rclus1g = rake_summary(rclus1g),
  dclus1r = rake_summary(dclus1r, TRUE), dclus1g = rake_summary(dclus1g),
  dclus1r2 = rake_summary(dclus1r2, TRUE), dclus1g2 = rake_summary(dclus1g2),
  # the file's all.equal checks of the weight ratios (its replicate-design check compares a matrix of replicate
  # weights with a vector, so R reports FALSE there; the Python test compares the replicate weights directly)
  lin_ratio_equal = isTRUE(all.equal(as.vector(weights(dclus1g) / weights(dclus1r)), rep(1, 183))),
  joint_ratio_equal = isTRUE(all.equal(as.vector(weights(dclus1g2) / weights(dclus1r2)), rep(1, 183)))
)

## caleg.R -------------------------------------------------------------------------------------------
pop <- colSums(cbind(1, apipop$enroll), na.rm = TRUE)
g_enroll <- calibrate(dclus1, ~enroll, pop)
gb_enroll <- calibrate(dclus1, ~enroll, pop, bounds = c(.6, 1.5), epsilon = tol)
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
total.enroll <- sum(apipop$enroll, na.rm = TRUE)
common <- svyratio(~api.stu, ~enroll, dstrat, separate = FALSE)
pred <- predict(common, total = total.enroll)
set.seed(17)
dat <- data.frame(y = rep(0:1, each = 100), x = rnorm(200) + 2 * rep(0:1, each = 100),
                  z = rbinom(200, 1, .2), fpc = rep(c(100, 10000), each = 100))
dat$w <- ifelse(dat$y, dat$z, 1 - dat$z)
popw <- data.frame(w = c("0", "1"), Freq = c(2000, 8000))
des <- svydesign(id = ~1, fpc = ~fpc, data = dat, strata = ~y)
dps <- postStratify(des, ~w, popw)
dcal <- calibrate(des, ~factor(w), pop = c(10000, 8000))
dps$variables$z[1] <- NA
m_na <- svyglm(y ~ z + x, design = dps, family = quasibinomial, control = glm_tight)
stype_totals <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018)
g_stype <- calibrate(dclus1, ~stype, stype_totals)
g_stype_raking <- calibrate(dclus1, ~stype, stype_totals, calfun = "raking", epsilon = tol)
# the options riset's calibrate lacks (stage, aggregate, variance, unit bounds): R's values for the xfail tests
clusters <- table(apiclus2$dnum)
clusters <- clusters[clusters > 1 & names(clusters) != "639"]
apiclus2a <- subset(apiclus2, dnum %in% as.numeric(names(clusters)))
dclus2a <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2a)
popclusters <- subset(apipop, dnum %in% as.numeric(names(clusters)))
stage_pop <- lapply(as.numeric(names(clusters)), function(cluster) {
  colSums(model.matrix(~api99, model.frame(~api99, subset(popclusters, dnum %in% cluster))))})
names(stage_pop) <- names(clusters)
dclus2g <- calibrate(dclus2a, ~api99, stage_pop, stage = 1)
agg <- calibrate(dclus1, ~enroll, pop, aggregate = 1)
bnds <- list(lower = c(1, 1, rep(-Inf, nrow(apistrat) - 2)), upper = c(1, 1, rep(Inf, nrow(apistrat) - 2)))
out$caleg_missing <- list(
  stage1 = list(clusters = as.numeric(names(clusters)), pop = unname(lapply(stage_pop, unname)),
                mean_api99 = stat(svymean(~api99, dclus2g))),
  aggregate1 = list(total_enroll = stat(svytotal(~enroll, agg)), total_api_stu = stat(svytotal(~api.stu, agg))),
  ratio_variance1 = stat(svytotal(~api.stu, calibrate(dstrat, ~enroll - 1, total.enroll, variance = 1))),
  ratio_variance_enroll = stat(svytotal(~api.stu, calibrate(dstrat, ~enroll - 1, total.enroll,
                                                            variance = apistrat$enroll))),
  unit_bounds = stat(svytotal(~api.stu, calibrate(dstrat, ~enroll - 1, total.enroll, bounds = bnds,
                                                  variance = apistrat$enroll)))
)
out$caleg <- list(
  pop_enroll = unname(pop),
  total_enroll_popn = total.enroll,
  ratio_g_range = range(weights(g_enroll) / weights(dclus1)),
  ratio_gb_range = range(weights(gb_enroll) / weights(dclus1)),
  total_api_stu = stat(svytotal(~api.stu, dstrat)),
  ratio_predict = list(total = unname(as.vector(pred$total)), se = unname(as.vector(pred$se))),
  french_data = dat,
  french_se_ps = unname(SE(svymean(~x, dps))), french_se_cal = unname(SE(svymean(~x, dcal))),
  french_missing_glm = fit(m_na),
  stype_linear = list(mean_api00 = stat(svymean(~api00, g_stype)), total_enroll = stat(svytotal(~enroll, g_stype))),
  stype_raking = list(mean_api00 = stat(svymean(~api00, g_stype_raking)),
                      total_enroll = stat(svytotal(~enroll, g_stype_raking)))
)

## badcal.R ------------------------------------------------------------------------------------------
bdata <- data.frame(x = c(1, 1, 1, 1, 2, 2, 2, 2, 2, 2), w = rep(10, 10))
bdes <- svydesign(ids = ~1, weights = ~w, data = bdata)
out$badcal <- list(linear = stat(svytotal(~factor(x), calibrate(bdes, ~factor(x), c(10000, 5000)))),
                   raking = stat(svytotal(~factor(x), calibrate(bdes, ~factor(x), c(10000, 5000),
                                                                 calfun = "raking"))))

## contrast-replicates.R -----------------------------------------------------------------------------
apiclus1$log_enroll <- log(apiclus1$enroll)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
rclus1 <- as.svrepdesign(dclus1)
ml <- svyby(~log_enroll, ~stype, svymean, design = rclus1, covmat = TRUE, return.replicates = TRUE)
r <- attr(ml, "replicates")
lin <- svycontrast(ml, c(E = 1, H = -1))
nonlin <- svycontrast(ml, quote(exp(E - H)))
out$contrast_replicates <- list(
  means = unname(coef(ml)), vcov = unname(as.vector(vcov(ml))),
  linear = list(coef = unname(coef(lin)), var = unname(as.vector(vcov(lin))),
                var_replicates = unname(as.vector(vcov(rclus1, r[, 1] - r[, 2])))),
  exp = list(coef = unname(coef(nonlin)), var = unname(as.vector(vcov(nonlin))),
             var_replicates = unname(as.vector(vcov(rclus1, exp(r[, 1] - r[, 2])))))
)
# the same without the replicates (delta method, R nlcon), and nonlinear contrasts of a linearization design:
# one expression, a list of them, and backquoted 'domain:variable' names of an svyby with covmat
ml_without <- svyby(~log_enroll, ~stype, svymean, design = rclus1, covmat = TRUE)
nonlin_without <- svycontrast(ml_without, quote(exp(E - H)))
m2 <- svymean(~api00 + api99, dclus1)
several <- svycontrast(m2, list(growth = quote(log(api00) - log(api99)), ratio = quote(api00 / api99),
                                mix = quote(sqrt(api00) * api99^2 / 1e6 - exp(-api99 / 1000) + log1p(api00))))
by2 <- svyby(~api00 + api99, ~stype, svymean, design = dclus1, covmat = TRUE)
quoted <- svycontrast(by2, quote(`E:api00` / `E:api99` - `H:api00` / `H:api99`))
nlcon_out <- function(s) list(coef = unname(as.vector(coef(s))), var = unname(as.vector(vcov(s))))
out$contrast_nonlinear <- list(
  replicates_without = nlcon_out(nonlin_without), several = nlcon_out(several), quoted = nlcon_out(quoted)
)

## confintrep.R --------------------------------------------------------------------------------------
dclus2 <- svydesign(id = ~dnum + snum, fpc = ~fpc1 + fpc2, data = apiclus2)
rclus2 <- as.svrepdesign(dclus2)
m <- svyglm(I(comp.imp == "Yes") ~ 1, design = dclus2, family = quasibinomial, control = glm_tight)
mrep <- svyglm(I(comp.imp == "Yes") ~ 1, design = rclus2, family = quasibinomial, control = glm_tight)
repstats <- withReplicates(rclus2, function(weights, data) {
  tot <- sum(data[["meals"]] * weights)
  c(tot, log(tot))
})
out$confintrep <- list(
  wald = unname(as.vector(confint(m))), wald_rep = unname(as.vector(confint(mrep))),
  likelihood = unname(as.vector(suppressMessages(confint(m, method = "likelihood")))),
  likelihood_rep = unname(as.vector(suppressMessages(confint(mrep, method = "likelihood")))),
  withreplicates = list(coef = unname(as.vector(coef(repstats))), se = unname(as.vector(SE(repstats))),
                        confint = unname(as.vector(confint(repstats, level = 0.95))))
)

## degf-svrepdesign.R --------------------------------------------------------------------------------
data(scd)
repweights <- 2 * cbind(c(1, 0, 1, 0, 1, 0), c(1, 0, 0, 1, 0, 1), c(0, 1, 1, 0, 0, 1), c(0, 1, 0, 1, 1, 0))
out$degf_svrepdesign <- list(
  repweights = repweights,
  default = degf(svrepdesign(data = scd, type = "BRR", repweights = repweights)),
  given4 = degf(svrepdesign(data = scd, type = "BRR", repweights = repweights, degf = 4)),
  given2 = degf(svrepdesign(data = scd, type = "BRR", repweights = repweights, degf = 2))
)

## svyolr.R, svyolr-rake-subset.R --------------------------------------------------------------------
olr_tight <- function(f, design, npar = 7) {  # 7: avg.ed, mobility, stypeH, stypeM and three cut-points
  # formula and design put into the call itself: regTermTest re-evaluates the call's arguments
  eval(bquote(svyolr(.(f), design = .(design),
                     control = list(reltol = 1e-15, maxit = 10000, ndeps = rep(1e-6, .(npar))))))
}
olr <- function(m) list(names = c(names(m$coefficients), names(m$zeta)),
                        coef = unname(c(m$coefficients, m$zeta)), se = unname(sqrt(diag(vcov(m)))))
dclus1 <- update(dclus1, mealcat = cut(meals, c(0, 25, 50, 75, 100)))
m_olr <- olr_tight(mealcat ~ avg.ed + mobility + stype, dclus1)
wald <- regTermTest(m_olr, ~avg.ed + stype)
# the LRT refits the smaller model with the fit's control (then ndeps of the wrong length): default control
m_olr_default <- svyolr(mealcat ~ avg.ed + mobility + stype, design = dclus1)
lrt <- regTermTest(m_olr_default, ~avg.ed + stype, method = "LRT")
# the same test from tight fits, by regTermTest's formulas: the deviance drop, and the lambdas of V0 = solve(Hessian)
# -- svyolr's Hessian is of the unscaled weights while its deviance has them scaled to mean 1 (so R's lambdas are
# mean(w) times those of the deviance's scale: riset's); the p-value of the lambdas on the deviance's scale
m_olr0 <- olr_tight(mealcat ~ mobility, m_olr$survey.design, npar = 4)
tested <- c("avg.ed", "stypeH", "stypeM")
lrt_lambda <- eigen(solve(solve(m_olr$Hessian)[tested, tested]) %*% vcov(m_olr)[tested, tested],
                    only.values = TRUE)$values
lrt_chisq_tight <- deviance(m_olr0) - deviance(m_olr)
olr_mean_weight <- mean(weights(m_olr$survey.design))
lrt_p_scaled <- pFsum(lrt_chisq_tight, rep(1, 3), lrt_lambda / olr_mean_weight, ddf = m_olr$df.residual,
                      method = "saddlepoint", lower.tail = FALSE)
dclus1r <- rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide), control = tight_rake)
m2 <- olr_tight(mealcat ~ avg.ed + mobility + stype, dclus1r)
m3 <- olr_tight(mealcat ~ avg.ed + mobility + stype, subset(dclus1r, !is.na(avg.ed)))
out$svyolr <- c(olr(m_olr), list(wald_F = unname(wald$Ftest), wald_df = unname(wald$df),
                                 wald_ddf = unname(wald$ddf), wald_p = unname(wald$p),
                                 lrt_chisq = unname(lrt$chisq), lrt_p = unname(lrt$p),
                                 lrt_chisq_tight = lrt_chisq_tight, lrt_lambda = lrt_lambda,
                                 lrt_mean_weight = olr_mean_weight, lrt_p_scaled = lrt_p_scaled))
out$svyolr_rake_subset <- list(raked = olr(m2), raked_subset = olr(m3))

## glm-scoping.R, scoping.R --------------------------------------------------------------------------
dstrat <- svydesign(id = ~1, strata = ~stype, weights = ~pw, data = apistrat, fpc = ~fpc)
out$glm_scoping <- fit(svyglm(api00 ~ ell + meals + mobility, design = dstrat, family = gaussian()))
out$scoping <- fit(svyglm(acs.46 ~ stype, design = dstrat))

## regpredict.R --------------------------------------------------------------------------------------
rpop <- data.frame(enroll = sum(apipop$enroll, na.rm = TRUE))
npop <- sum(!is.na(apipop$enroll))
api.reg <- svyglm(api.stu ~ enroll, design = dstrat)
a <- predict(api.reg, newdata = rpop, total = npop)
b <- svytotal(~api.stu, calibrate(dstrat, ~enroll, pop = c(npop, rpop$enroll)))
api.reg2 <- svyglm(api.stu ~ enroll - 1, design = dstrat, family = quasi(link = "identity", var = "mu"))
a2 <- predict(api.reg2, newdata = rpop, total = npop)
e <- predict(svyratio(~api.stu, ~enroll, dstrat), total = rpop$enroll)
# predictions of a logistic model for two new schools, on the link and the response scale (with their covariance)
m_logit <- svyglm(I(api00 > 700) ~ ell + stype, design = dstrat, family = quasibinomial, control = glm_tight)
new_schools <- data.frame(ell = c(5, 30), stype = c("E", "H"))
p_link <- predict(m_logit, newdata = new_schools, type = "link")
p_response <- predict(m_logit, newdata = new_schools, type = "response", vcov = TRUE)
out$regpredict <- list(
  npop = npop, enroll_total = rpop$enroll,
  regression = list(predict = stat(a), calibrate = stat(b)),
  ratio = list(predict = stat(a2), svyratio = list(coef = unname(as.vector(e$total)), se = unname(as.vector(e$se)))),
  logistic = list(link = unname(as.vector(p_link)), link_se = unname(as.vector(SE(p_link))),
                  response = unname(as.vector(p_response)), response_vcov = unname(as.matrix(vcov(p_response))))
)

## regTermTest-missing.R -----------------------------------------------------------------------------
data(nhanes)
design <- svydesign(id = ~SDMVPSU, strata = ~SDMVSTRA, weights = ~WTMEC2YR, nest = TRUE, data = nhanes)
ma <- svyglm(I(race == 1) ~ HI_CHOL + agecat + RIAGENDR, design = subset(design, !is.na(HI_CHOL)),
             family = quasibinomial, control = glm_tight)
mb <- svyglm(I(race == 1) ~ HI_CHOL + agecat + RIAGENDR, design = design, family = quasibinomial,
             control = glm_tight)
ta <- regTermTest(ma, ~HI_CHOL)
tb <- regTermTest(mb, ~HI_CHOL)
out$regtermtest_missing <- list(a = fit(ma), b = fit(mb), chisq_a = unname(ta$chisq), chisq_b = unname(tb$chisq),
                                F_a = unname(ta$Ftest), F_b = unname(tb$Ftest), ddf_a = ta$ddf, ddf_b = tb$ddf)
dir.create(file.path("tests", "data", "r_port"), showWarnings = FALSE, recursive = TRUE)
nh <- nhanes
nh$agecat <- as.character(nh$agecat)
write.csv(nh, gzfile(file.path("tests", "data", "r_port", "nhanes.csv.gz")), row.names = FALSE, na = "")

## rss_scores.R ---------------------------------------------------------------------------------------
data(myco)
dmyco <- svydesign(id = ~1, strata = ~interaction(Age, leprosy), weights = ~wt, data = myco)
m_full <- svyglm(leprosy ~ I((Age + 7.5)^-2) + Scar, family = quasibinomial, design = dmyco, control = glm_tight)
m_null <- svyglm(leprosy ~ I((Age + 7.5)^-2), family = quasibinomial, design = dmyco, control = glm_tight)
s <- svyscoretest(m_full, ~Scar)
# a linear model and two terms (a factor): the working score test, and a replicate design
m_lin <- svyglm(api00 ~ ell + meals + mobility + stype, design = dclus2)
s_lin <- svyscoretest(m_lin, ~mobility + stype)
s_rep <- svyscoretest(svyglm(I(comp.imp == "Yes") ~ ell + meals + stype, design = rclus2, family = quasibinomial,
                             control = glm_tight), ~meals + stype)
score <- function(s) list(X2 = unname(s[1]), ddf = unname(s[2]), p = unname(s[3]))
out$rss_scores <- list(null = fit(m_null), full = fit(m_full), score = unname(s[1]), score_test = score(s),
                       linear = score(s_lin), replicate = score(s_rep))
write.csv(myco, file.path("tests", "data", "r_port", "myco.csv"), row.names = FALSE)

writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = FALSE, matrix = "rowmajor", dataframe = "columns"),
           file.path("tests", "data", "golden", "r_port_weighting.json"))
cat("survey", out$survey_version, "-> tests/data/golden/r_port_weighting.json\n")
