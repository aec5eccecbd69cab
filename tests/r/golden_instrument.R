# Golden values for riset.skm.instrument from psych 2.2.9 (Revelle): alpha, alpha if item deleted, corrected
# item-total r (r.drop), Feldt CI, KMO/MSA, Bartlett's test, first principal component.
# Run from the repository root:   Rscript tests/r/golden_instrument.R
# Writes tests/data/golden/instrument_psych.json; the Python tests never need R.
suppressMessages({
  library(psych)
  library(jsonlite)
})
set.seed(2026)
n <- 30
f <- rnorm(n)
likert <- function(z) as.integer(cut(z, c(-Inf, -0.8, 0.1, 0.9, Inf)))
items <- data.frame(
  U1 = likert(0.8 * f + rnorm(n, sd = 0.6)),
  U2 = likert(0.7 * f + rnorm(n, sd = 0.7)),
  U3 = likert(0.9 * f + rnorm(n, sd = 0.5)),
  U4 = likert(0.6 * f + rnorm(n, sd = 0.8)),
  U5 = likert(0.8 * f + rnorm(n, sd = 0.6)),
  U6 = likert(rnorm(n))            # unrelated item: should come out "tidak valid"
)
with_na <- items
with_na$U2[c(3, 17)] <- NA
with_na$U6[c(8)] <- NA

summarise <- function(x, use) {
  a <- psych::alpha(x, use = "pairwise", check.keys = FALSE, warnings = FALSE)  # no NA left for "listwise"
  r <- cor(x, use = if (use == "pairwise") "pairwise" else "complete.obs")
  k <- KMO(r)
  pc <- principal(r, nfactors = 1, rotate = "none")
  list(
    alpha = a$total$raw_alpha,
    feldt = with(unclass(alpha.ci(a$total$raw_alpha, n.obs = nrow(x), n.var = ncol(x), p.val = 0.05, digits = 15)),
                 c(lower.ci, upper.ci)),
    alpha_if_deleted = unname(a$alpha.drop$raw_alpha),
    r_drop = unname(a$item.stats$r.drop),
    kmo = k$MSA, msa = unname(k$MSAi),
    loadings = unname(pc$loadings[, 1]), variance_explained = unname(pc$Vaccounted[2, 1]),
    eigen = unname(eigen(r)$values),
    bartlett = if (use == "listwise") unname(unlist(cortest.bartlett(r, n = nrow(x))[c("chisq", "p.value", "df")])) else NULL
  )
}
out <- list(
  psych_version = as.character(packageVersion("psych")),
  items = items,
  complete = summarise(items, "listwise"),
  items_with_na = with_na,
  listwise = summarise(na.omit(with_na), "listwise"),
  pairwise = summarise(with_na, "pairwise"),
  r_tabel = list(n = c(10, 20, 30, 50, 100), alpha05 = sapply(c(10, 20, 30, 50, 100), function(n) {
    t <- qt(0.975, n - 2); t / sqrt(n - 2 + t^2) }), alpha01 = sapply(c(10, 20, 30, 50, 100), function(n) {
    t <- qt(0.995, n - 2); t / sqrt(n - 2 + t^2) })),
  thurstone = list(r = unname(as.matrix(Thurstone)), names = colnames(Thurstone), kmo = KMO(Thurstone)$MSA,
                   msa = unname(KMO(Thurstone)$MSAi))
)
dir.create(file.path("tests", "data", "golden"), showWarnings = FALSE, recursive = TRUE)
writeLines(toJSON(out, auto_unbox = TRUE, digits = NA, pretty = TRUE, na = "null", dataframe = "columns"),
           file.path("tests", "data", "golden", "instrument_psych.json"))
cat("written\n")
