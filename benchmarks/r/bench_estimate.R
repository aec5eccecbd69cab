# R survey side of benchmarks/bench_estimate.py.
# Usage: Rscript bench_estimate.R data.csv out_prefix repeat
# Times (proc.time, elapsed) svydesign + svyby(svymean) of U1..U9 by domain + svyby proportions of U1
# by domain, EXCLUDING the CSV read (data.table::fread). Peak memory: VmHWM reset via /proc/self/clear_refs
# after the read, so it is the estimation's own peak above the loaded data.
suppressPackageStartupMessages({library(survey); library(data.table); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
dat <- as.data.frame(fread(args[1]))
out <- args[2]
reps <- as.integer(args[3])
dat$U1f <- factor(dat$U1)
status <- function(key) {
  line <- grep(paste0("^", key, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(strsplit(trimws(sub(paste0(key, ":"), "", line)), " +")[[1]][1]) / 1024
}
invisible(gc())
writeLines("5", "/proc/self/clear_refs")
base <- status("VmRSS")
unsur <- paste0("U", 1:9)
run <- function() {
  des <- svydesign(ids = ~psu, strata = ~strata, fpc = ~fpc, weights = ~w, data = dat, nest = TRUE)
  m <- svyby(as.formula(paste("~", paste(unsur, collapse = "+"))), ~domain, des, svymean)
  p <- svyby(~U1f, ~domain, des, svymean)
  list(m = m, p = p)
}
best <- Inf
for (r in seq_len(reps)) {
  t0 <- proc.time()[["elapsed"]]
  res <- run()
  best <- min(best, proc.time()[["elapsed"]] - t0)
}
peak <- status("VmHWM") - base
m <- res$m; p <- res$p
long <- function(tab, names, key) {
  est <- as.matrix(tab[, names, drop = FALSE]); se <- as.matrix(SE(tab))
  data.frame(domain = rep(tab$domain, times = length(names)), variable = rep(key, each = nrow(tab)),
             estimate = as.vector(est), se = as.vector(se))
}
tab <- rbind(long(m, unsur, unsur),
             long(p, paste0("U1f", levels(dat$U1f)), paste0("U1=", levels(dat$U1f))))
fwrite(tab, paste0(out, "_R.csv"))
cat("RESULT ", toJSON(list(seconds = best, peak_mib = peak), auto_unbox = TRUE, digits = NA), "\n", sep = "")
