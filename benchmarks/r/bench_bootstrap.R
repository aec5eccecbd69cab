# R survey side of benchmarks/bench_bootstrap.py.
# Usage: Rscript bench_bootstrap.R data.csv out_prefix replicates
# Times (proc.time, elapsed) as.svrepdesign(type = "subbootstrap") (Rao-Wu rescaling bootstrap, m_h = n_h - 1)
# + svyby(~U1+...+U9, ~domain, svymean). Excluded: fread and svydesign().
suppressPackageStartupMessages({library(survey); library(data.table); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
dat <- as.data.frame(fread(args[1]))
out <- args[2]
reps <- as.integer(args[3])
status <- function(key) {
  line <- grep(paste0("^", key, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(strsplit(trimws(sub(paste0(key, ":"), "", line)), " +")[[1]][1]) / 1024
}
des <- svydesign(ids = ~psu, strata = ~strata, weights = ~w, data = dat, nest = TRUE)
set.seed(2026)
invisible(gc())
writeLines("5", "/proc/self/clear_refs")
base <- status("VmRSS")
t0 <- proc.time()[["elapsed"]]
rdes <- as.svrepdesign(des, type = "subbootstrap", replicates = reps)
t1 <- proc.time()[["elapsed"]]
unsur <- paste0("U", 1:9)
m <- svyby(as.formula(paste("~", paste(unsur, collapse = "+"))), ~domain, rdes, svymean)
t2 <- proc.time()[["elapsed"]]
peak <- status("VmHWM") - base
est <- as.matrix(m[, unsur]); se <- as.matrix(SE(m))
fwrite(data.frame(domain = rep(m$domain, times = 9), variable = rep(unsur, each = nrow(m)),
                  estimate = as.vector(est), se = as.vector(se)), paste0(out, "_R.csv"))
cat("RESULT ", toJSON(list(make_seconds = t1 - t0, est_seconds = t2 - t1, peak_mib = peak),
                      auto_unbox = TRUE, digits = NA), "\n", sep = "")
