# Golden values for calibration targets estimated from the sample (issue 21.2; riset.study.run with
# `weighting.targets: estimated`). Input: tests/data/golden/estimated_targets_input.csv, written by
# tests/r/export_estimated_targets.py: the Kobo study of tests/study/own_studies.py (design weights `bobot`,
# answers U1..U9) with riset's seeded Rao-Wu bootstrap replicates of the design weights (rep1..rep20).
# Run from the repository root:  Rscript tests/r/golden_estimated_targets.R
#   -> tests/data/golden/estimated_targets.json
#
# The recipe: rake (R rake, epsilon 1e-6 relative to the total, as riset) to the population margins
# status_bpjs (ya 14000, tidak 4000) and tempat_tinggal (desa 12000, kota 6000), each rescaled to the
# weighted total -- so the targets are estimated. The full sample is raked to margins scaled to sum(bobot);
# each replicate r is raked to margins scaled to its own total sum(rep_r) (the targets recomputed from the
# replicate). svrepdesign of these weights (bootstrap, scale 1/(R-1), variance around the replicates' mean)
# then gives the IKM and its SE (svycontrast of svytotal with return.replicates = TRUE, so the IKM is
# re-estimated with every replicate, as riset does; x 25), for the area and per layanan. Beside it the
# SE with the targets held fixed: rake() of the bootstrap design itself (every replicate to the full-sample
# targets), which leaves the targets' sampling error out.
suppressMessages({library(survey); library(jsonlite)})
num <- function(x) unname(as.numeric(x))
inp <- read.csv(file.path("tests", "data", "golden", "estimated_targets_input.csv"), stringsAsFactors = FALSE)
R <- 20
pop <- list(data.frame(status_bpjs = c("ya", "tidak"), Freq = c(14000, 4000)),
            data.frame(tempat_tinggal = c("desa", "kota"), Freq = c(12000, 6000)))
margins_for <- function(total) lapply(pop, function(p) transform(p, Freq = Freq * total / 18000))
control <- list(maxit = 100, epsilon = 1e-6)
rerake <- function(w) {
  keep <- w > 0
  d <- svydesign(ids = ~1, weights = ~w_, data = transform(inp[keep, ], w_ = w[keep]))
  raked <- rake(d, list(~status_bpjs, ~tempat_tinggal), margins_for(sum(w)), control = control)
  out <- numeric(length(w))
  out[keep] <- weights(raked)
  out
}
full <- rerake(inp$bobot)
reps <- sapply(paste0("rep", seq_len(R)), function(r) rerake(inp[[r]]))

keys <- paste0("U", 1:9)
for (k in keys) {
  inp[[paste0("y_", k)]] <- ifelse(is.na(inp[[k]]), 0, inp[[k]])
  inp[[paste0("a_", k)]] <- as.numeric(!is.na(inp[[k]]))
}
totals <- as.formula(paste("~", paste(c(paste0("y_", keys), paste0("a_", keys)), collapse = "+")))
ikm <- parse(text = paste0("25 * (", paste0("y_", keys, "/a_", keys, collapse = "+"), ")/9"))[[1]]
ikm_of <- function(design) {
  st <- svycontrast(svytotal(totals, design, return.replicates = TRUE), ikm)  # re-estimated per replicate
  list(ikm_konversi = num(coef(st)), se = num(SE(st)))
}
estimated <- svrepdesign(data = inp, repweights = reps, weights = full, type = "bootstrap", scale = 1 / (R - 1),
                         rscales = rep(1, R), mse = FALSE, combined.weights = TRUE)
start <- svrepdesign(data = inp, repweights = as.matrix(inp[paste0("rep", seq_len(R))]), weights = ~bobot,
                     type = "bootstrap", scale = 1 / (R - 1), rscales = rep(1, R), mse = FALSE,
                     combined.weights = TRUE)
fixed <- rake(start, list(~status_bpjs, ~tempat_tinggal), margins_for(sum(inp$bobot)), control = control,
              compress = FALSE)
out <- list(survey = as.character(packageVersion("survey")), weights = full, repweights = unname(reps),
            area = ikm_of(estimated), area_fixed_targets = ikm_of(fixed))
for (u in sort(unique(inp$layanan))) out[[u]] <- ikm_of(subset(estimated, layanan == u))
writeLines(toJSON(out, digits = NA, auto_unbox = TRUE, matrix = "columnmajor"),
           file.path("tests", "data", "golden", "estimated_targets.json"))
cat("wrote tests/data/golden/estimated_targets.json\n")
