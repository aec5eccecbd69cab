# Golden values for riset.survey.selection from the R package sampling 2.9 (Tille & Matei):
# inclusionprobabilities() (certainty units, repeated), and the exact joint inclusion probabilities of
# systematic PPS (UPsystematicpi2) and Sampford's design (UPsampfordpi2).
# Run from the repository root:   Rscript tests/r/golden_sampling.R
# Writes tests/data/golden/sampling_pi.json; the Python tests never need R.
suppressMessages({
  library(sampling)
  library(jsonlite)
})
cases <- list(
  list(x = c(1, 1, 1, 7), n = 2),
  list(x = c(50, 40, 10, 10), n = 3),
  list(x = c(3, 8, 1, 12, 40, 5, 7, 2, 9, 30, 4, 6), n = 5)
)
inclusion <- lapply(cases, function(cs) list(x = cs$x, n = cs$n, pik = inclusionprobabilities(cs$x, cs$n)))
pik <- 3 * c(1, 2, 3, 5, 8, 9) / 28
out <- list(
  version = as.character(packageVersion("sampling")),
  inclusion = inclusion,
  joint_pik = pik,
  systematic_pi2 = unname(UPsystematicpi2(pik)),
  sampford_pi2 = unname(UPsampfordpi2(pik))
)
write_json(out, "tests/data/golden/sampling_pi.json", digits = NA, auto_unbox = TRUE, pretty = TRUE)
