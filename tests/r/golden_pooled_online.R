# Golden values for pooling online answers with the probability sample (issue 17.5; riset.study.online
# `pooled_design`, study file `online.combine: pooled_weighted`) on the bundled example with online answers
# (`python -m riset.study.example --daring`, seed 2026). Inputs: the exit interviews tests/data/study/contoh_bersih.csv,
# the QR answers tests/data/golden/pooled_online_input.csv and the users' margins
# tests/data/golden/pooled_online_margins.csv (both written by tests/r/export_pooled_online.py), the volume per
# unit x periode data/raw/contoh_kerangka_sampel.csv (pengguna_per_periode).
# Run from the repository root:  Rscript tests/r/golden_pooled_online.R  -> tests/data/golden/pooled_online.json
#
# Each source is its own calibrated design:
# - probability: the example's two-stage design calibrated as riset.study.run does (calibrated_example.R);
# - online: each answer its own PSU in a stratum per cell (unit x periode) with the cell's volume N_c as FPC,
#   postStratify to N_c, then rake to the users' age and sex per unit (the margins table scaled within each unit to
#   its post-stratified total) keeping the cells' volumes (epsilon 1e-6 of the total, as riset).
# Composite factors per cell with both sources: lambda_c = neff_p / (neff_p + neff_o), neff = (sum w)^2 / sum w^2
# of the source's weights in the cell; a cell with one source keeps its weights.
# The pooled IKM is g(T) of the totals T = T_p + T_o of the 18 answers and answered-indicators, with T_p the
# svytotal of lambda_c y on the calibrated probability design and T_o that of (1 - lambda_c) y on the raked online
# design; the two samples are independent, so vcov(T) = vcov(T_p) + vcov(T_o), and svycontrast gives the IKM
# and its SE by the delta method (each source's calibration carried by svyrecvar). A unit is a domain: the same with
# y multiplied by the unit's indicator.
suppressMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail", survey.ultimate.cluster = FALSE)
num <- function(x) unname(as.numeric(x))
answered <- function(d) {
  for (j in 1:9) {
    u <- d[[paste0("U", j)]]
    d[[paste0("y", j)]] <- ifelse(is.na(u), 0, u)
    d[[paste0("a", j)]] <- as.numeric(!is.na(u))
  }
  d
}
keys <- c(paste0("y", 1:9), paste0("a", 1:9))

d <- answered(read.csv(file.path("tests", "data", "study", "contoh_bersih.csv"), stringsAsFactors = FALSE))
source(file.path("tests", "r", "calibrated_example.R"))
cal <- calibrated_example(d)
d$cell <- paste(d$unit, d$periode, sep = "/")
d$w <- weights(cal)

o <- answered(read.csv(file.path("tests", "data", "golden", "pooled_online_input.csv"), stringsAsFactors = FALSE))
frame <- read.csv(file.path("data", "raw", "contoh_kerangka_sampel.csv"), stringsAsFactors = FALSE)
frame$cell <- paste(frame$unit, frame$periode, sep = "/")
volume <- tapply(frame$pengguna_per_periode, frame$cell, sum)
o$cell <- paste(o$unit, o$periode, sep = "/")
o$volume <- num(volume[o$cell])
o$satu <- 1
des_o <- svydesign(ids = ~id_responden, strata = ~cell, fpc = ~volume, weights = ~satu, data = o)
cells <- sort(unique(o$cell))
ps <- postStratify(des_o, ~cell, data.frame(cell = cells, Freq = num(volume[cells])))
users <- read.csv(file.path("tests", "data", "golden", "pooled_online_margins.csv"), stringsAsFactors = FALSE)
unit_total <- tapply(weights(ps), o$unit, sum)
users <- users[users$unit %in% names(unit_total), ]
users$scaled <- users$jumlah * unit_total[users$unit] / tapply(users$jumlah, users$unit, sum)[users$unit]
age <- aggregate(scaled ~ unit + kelompok_umur, users, sum); names(age)[3] <- "Freq"
sex <- aggregate(scaled ~ unit + jenis_kelamin, users, sum); names(sex)[3] <- "Freq"
raked <- rake(ps, list(~unit + kelompok_umur, ~unit + jenis_kelamin, ~cell),
              list(age, sex, data.frame(cell = cells, Freq = num(volume[cells]))),
              control = list(maxit = 100, epsilon = 1e-6))
o$w <- weights(raked)

neff <- function(w, cell) tapply(w, cell, sum)^2 / tapply(w^2, cell, sum)
n_p <- neff(d$w, d$cell); n_o <- neff(o$w, o$cell)
both <- intersect(names(n_p), names(n_o))
lambda <- n_p[both] / (n_p[both] + n_o[both])
d$f <- ifelse(d$cell %in% both, num(lambda[d$cell]), 1)
o$f <- ifelse(o$cell %in% both, 1 - num(lambda[o$cell]), 1)

ikm_expr <- parse(text = paste0("25 / 9 * (", paste0("y", 1:9, " / a", 1:9, collapse = " + "), ")"))[[1]]
part <- function(design, data, inside) {  # svytotal of f * y * [in the domain] on the source's own design
  for (k in keys) design$variables[[k]] <- data$f * data[[k]] * inside
  svytotal(as.formula(paste("~", paste(keys, collapse = " + "))), design)
}
pooled_ikm <- function(in_p, in_o) {
  tp <- part(cal, d, in_p); to <- part(raked, o, in_o)
  total <- coef(tp) + coef(to)
  attr(total, "var") <- vcov(tp) + vcov(to)
  attr(total, "statistic") <- "total"
  class(total) <- "svystat"
  est <- svycontrast(total, list(ikm = ikm_expr))
  list(ikm_konversi = num(coef(est)), se = num(SE(est)))
}
out <- list(survey = as.character(packageVersion("survey")), area = pooled_ikm(1, 1),
            online_weights = num(o$w[1:5]), lambda = as.list(setNames(num(lambda), names(lambda))))
for (u in c("RSUD-RJ", "DUK-KTP", "PKM-KOTA", "PKM-SMAS")) {
  out$units[[u]] <- pooled_ikm(as.numeric(d$unit == u), as.numeric(o$unit == u))
}
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, pretty = TRUE),
           file.path("tests", "data", "golden", "pooled_online.json"))
cat("wrote tests/data/golden/pooled_online.json\n")
