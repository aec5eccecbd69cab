# The api designs the golden scripts share (sourced, run from the repository root):
#   api_designs(prep) -> list(strat, clus1, clus2, jk1) on R survey's api data after `prep` (a function of a
#   data frame), as riset's tests build them from tests/data/api/*.csv.
suppressMessages({
  library(survey)
  library(jsonlite)
})
data(api)
api_designs <- function(prep = identity) {
  strat <- prep(apistrat)
  clus1 <- prep(apiclus1)
  clus2 <- prep(apiclus2)
  designs <- list(
    strat = svydesign(id = ~1, strata = ~stype, weights = ~pw, data = strat, fpc = ~fpc),
    clus1 = svydesign(id = ~dnum, weights = ~pw, data = clus1, fpc = ~fpc),
    clus2 = svydesign(id = ~dnum + snum, weights = ~pw, data = clus2, fpc = ~fpc1 + fpc2)
  )
  designs$jk1 <- as.svrepdesign(designs$clus1, type = "JK1", compress = FALSE)
  designs
}
