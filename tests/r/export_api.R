# Export R survey's `api` data sets once to tests/data/api/*.csv (run from the repository root):
#   Rscript tests/r/export_api.R
# The Python tests read these CSVs; they never need R.
suppressMessages(library(survey))
data(api)
out <- file.path("tests", "data", "api")
dir.create(out, showWarnings = FALSE, recursive = TRUE)
keep <- function(d) {
  # factors as text, logical-like yes/no kept as text, numeric as is
  for (v in names(d)) if (is.factor(d[[v]])) d[[v]] <- as.character(d[[v]])
  d
}
write.csv(keep(apistrat), file.path(out, "apistrat.csv"), row.names = FALSE, na = "")
write.csv(keep(apiclus1), file.path(out, "apiclus1.csv"), row.names = FALSE, na = "")
write.csv(keep(apiclus2), file.path(out, "apiclus2.csv"), row.names = FALSE, na = "")
write.csv(keep(apisrs), file.path(out, "apisrs.csv"), row.names = FALSE, na = "")
cat("survey", as.character(packageVersion("survey")), "api data written to", out, "\n")
