# Golden values for lonely PSUs (R options(survey.lonely.psu)): apiclus1 stratified by district (id = ~1,
# strata = ~dnum, weights = ~pw), where several districts have one sampled school; with and without an fpc
# that makes one stratum a certainty stratum; svymean and svytotal, whole sample and the domain stype == "E".
# Run from the repository root:   Rscript tests/r/golden_lonely.R   -> tests/data/golden/lonely_api.json
# Needs R survey >= 4.3: from 4.3 'adjust' centres a lonely PSU at the mean PSU total of the stage (survey
# 4.1/4.2 centred it at zero, which changes the SE of totals, not of means); the script stops on an older one.
suppressMessages({
  library(survey)
  library(jsonlite)
})
if (packageVersion("survey") < "4.3") stop("survey >= 4.3 is needed (lonely.psu = 'adjust' of R >= 4.3)")
data(api)
d <- apiclus1
counts <- table(d$dnum)
d$fpc_cert <- ifelse(d$dnum == names(counts)[counts == max(counts)][1], max(counts), 1000)  # one census stratum
lonely <- names(counts)[counts == 1]
d$fpc_cert1 <- ifelse(d$dnum == lonely[1], 1, d$fpc_cert)  # and a lonely stratum taken completely (N = n = 1)
out <- list(survey = as.character(packageVersion("survey")), lonely = lonely)
summaries <- function(des) {
  m <- svymean(~api00 + api99, des)
  t <- svytotal(~enroll, des, na.rm = TRUE)
  e <- svymean(~api00, subset(des, stype == "E"))
  list(mean = unname(coef(m)), mean_se = unname(SE(m)), total = unname(coef(t)), total_se = unname(SE(t)),
       domain_mean = unname(coef(e)), domain_se = unname(SE(e)))
}
for (rule in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  for (fpc in c("none", "cert", "cert1")) {
    des <- if (fpc == "none") svydesign(id = ~1, strata = ~dnum, weights = ~pw, data = d) else
      svydesign(id = ~1, strata = ~dnum, weights = ~pw, fpc = as.formula(paste0("~fpc_", fpc)), data = d)
    out[[paste(rule, fpc, sep = "_")]] <- summaries(des)
    # the JKn replicate design of the same design (R jknweights: lonely strata per survey.lonely.psu)
    out[[paste("jkn", rule, fpc, sep = "_")]] <- summaries(as.svrepdesign(des, type = "JKn"))
  }
}
# Domains: the strata "present" in a domain are those with a row in it ('average' scales by present / present
# non-lonely), and with options(survey.adjust.domain.lonely = TRUE) a stratum with one PSU in the domain is
# lonely there ('adjust': centred at zero; 'average': left out and averaged over). SEs of svymean(~api00) and
# svytotal(~enroll) in subset(des, stype == s) and of svyby(~api00, ~stype, svymean).
for (adj in c(FALSE, TRUE)) {
  options(survey.adjust.domain.lonely = adj)
  for (rule in c("remove", "certainty", "adjust", "average")) {
    options(survey.lonely.psu = rule)
    for (fpc in c("none", "cert")) {
      des <- if (fpc == "none") svydesign(id = ~1, strata = ~dnum, weights = ~pw, data = d) else
        svydesign(id = ~1, strata = ~dnum, weights = ~pw, fpc = ~fpc_cert, data = d)
      one <- list()
      for (s in c("E", "H", "M")) {
        sub <- subset(des, stype == s)
        one[[s]] <- list(mean_se = unname(SE(suppressWarnings(svymean(~api00, sub)))),
                         total_se = unname(SE(suppressWarnings(svytotal(~enroll, sub)))))
      }
      one$by_se <- unname(SE(suppressWarnings(svyby(~api00, ~stype, des, svymean))))
      out[[paste("domain", if (adj) "adjusted" else "default", rule, fpc, sep = "_")]] <- one
    }
  }
}
# R's own tests/lonely.psu.R, "lonely PSUs after subsetting": district 413 left out, then row 31 dropped
for (adj in c(FALSE, TRUE)) {
  options(survey.adjust.domain.lonely = adj)
  ds <- svydesign(id = ~1, weights = ~pw, strata = ~dnum, data = subset(d, dnum != 413))
  ds1 <- ds[-31, ]
  for (rule in c("fail", "remove", "certainty", "adjust", "average")) {
    options(survey.lonely.psu = rule)
    m <- suppressWarnings(svymean(~api00, ds1))
    out[[paste("drop31", if (adj) "adjusted" else "default", rule, sep = "_")]] <- list(mean = unname(coef(m)),
                                                                                      se = unname(SE(m)))
  }
}
options(survey.adjust.domain.lonely = FALSE)
# R's own tests/lonely.psu.R, "checks for svytotal()" (survey >= 4.3): one lonely stratum of three
singleton <- data.frame(Stratum = c(1, 1, 2, 2, 3), PSU = 1:5, Design_Weight = c(10.5, 10.5, 20, 20, 15),
                        Age = c(30.5, 40.5, 35, 52, 44))
sd <- svydesign(data = singleton, ids = ~PSU, strata = ~Stratum, weights = ~Design_Weight)
for (rule in c("remove", "certainty", "adjust", "average")) {
  options(survey.lonely.psu = rule)
  out[[paste("singleton", rule, sep = "_")]] <- as.numeric(vcov(svytotal(~Age, sd)))
}
write_json(out, file.path("tests", "data", "golden", "lonely_api.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat("written tests/data/golden/lonely_api.json\n")
