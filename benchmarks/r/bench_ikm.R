# R survey side of benchmarks/bench_ikm.py.
# Usage: Rscript bench_ikm.R data.csv out_prefix
# With no blank answers the IKM of a unit is the design-weighted mean of each respondent's average of the
# 9 unsur (NRR_j are means over the same rows, IKM = sum_j NRR_j / 9 is linear), so the R reference is
# svyby(~ikm_i, ~unit, des, svymean). Timed (proc.time): svydesign + svyby; excluded: fread and the row means.
suppressPackageStartupMessages({library(survey); library(data.table); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
dat <- as.data.frame(fread(args[1]))
out <- args[2]
status <- function(key) {
  line <- grep(paste0("^", key, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(strsplit(trimws(sub(paste0(key, ":"), "", line)), " +")[[1]][1]) / 1024
}
dat$ikm_i <- rowMeans(dat[, paste0("U", 1:9)])
invisible(gc())
writeLines("5", "/proc/self/clear_refs")
base <- status("VmRSS")
t0 <- proc.time()[["elapsed"]]
des <- svydesign(ids = ~psu, strata = ~strata, fpc = ~fpc, weights = ~w, data = dat, nest = TRUE)
m <- svyby(~ikm_i, ~unit, des, svymean)
t1 <- proc.time()[["elapsed"]]
peak <- status("VmHWM") - base
fwrite(data.frame(unit = m$unit, ikm = coef(m), ikm_se = SE(m)), paste0(out, "_R.csv"))
cat("RESULT ", toJSON(list(seconds = t1 - t0, peak_mib = peak), auto_unbox = TRUE, digits = NA), "\n", sep = "")
