# Export R survey's `api` data sets once to tests/data/api/*.csv (run from the repository root):
#   Rscript tests/r/export_api.R
# The Python tests read these CSVs; they never need R.
suppressMessages(library(survey))
data(api)
out <- file.path("tests", "data", "api")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
# Doubles with every digit: write.csv keeps 15 significant digits, and the weights (e.g. apiclus1's pw
# 33.846996307373047) would come back an ulp or ten away from R's, enough to move a quantile that sits
# exactly on a cumulative weight. 15 digits where they round-trip, 17 where they do not.
exact <- function(x) {
  short <- sprintf("%.15g", x)
  out <- ifelse(as.numeric(short) == x, short, sprintf("%.17g", x))
  out[is.na(x)] <- NA
  out
}
keep <- function(d) {
  # factors as text, logical-like yes/no kept as text, doubles with all their digits
  for (v in names(d)) {
    if (is.factor(d[[v]])) d[[v]] <- as.character(d[[v]])
    else if (is.double(d[[v]])) d[[v]] <- exact(d[[v]])
  }
  d
}
for (name in c("apistrat", "apiclus1", "apiclus2", "apisrs")) {
  d <- keep(get(name))
  write.csv(d, file.path(out, paste0(name, ".csv")), row.names = FALSE, na = "",
            quote = which(!vapply(get(name), is.numeric, logical(1))))
}
cat("survey", as.character(packageVersion("survey")), "api data written to", out, "\n")
