# Golden values for weighting a replicate design (every replicate column re-weighted, as R does):
# postStratify, rake and calibrate (linear, and raking with bounds) on as.svrepdesign(clus1, "JK1") and a
# bootstrap design, then svymean / svytotal.
# Run from the repository root:   Rscript tests/r/golden_repweight.R   -> tests/data/golden/repweight_api.json
suppressMessages({
  library(survey)
  library(jsonlite)
})
data(api)
clus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
designs <- list(jk1 = as.svrepdesign(clus1, type = "JK1", compress = FALSE))
pop_stype <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop_sch <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
out <- list(survey = as.character(packageVersion("survey")),
            jk1_repweights = unname(unclass(as.matrix(designs$jk1$repweights))), jk1_scale = designs$jk1$scale,
            jk1_rscales = designs$jk1$rscales)
for (name in names(designs)) {
  d <- designs[[name]]
  weighted <- list(
    post = postStratify(d, ~stype, pop_stype, compress = FALSE),
    rake = rake(d, list(~stype, ~sch.wide), list(pop_stype, pop_sch), control = list(maxit = 50, epsilon = 1e-6),
                compress = FALSE),
    cal_linear = calibrate(d, ~stype + api99, c(6194, 755, 1018, 3914069), compress = FALSE),
    cal_raking = calibrate(d, ~stype + api99, c(6194, 755, 1018, 3914069), calfun = "raking", bounds = c(0.5, 3),
                           compress = FALSE)
  )
  out[[name]] <- lapply(weighted, function(w) {
    m <- svymean(~api00 + api99, w)
    t <- svytotal(~enroll, w)
    list(mean = unname(coef(m)), mean_se = unname(SE(m)), total = unname(coef(t)), total_se = unname(SE(t)),
         weights_head = unname(weights(w, "analysis")[1:3, 1:3]))
  })
}
write_json(out, file.path("tests", "data", "golden", "repweight_api.json"), digits = NA, auto_unbox = TRUE)
cat("written tests/data/golden/repweight_api.json\n")
