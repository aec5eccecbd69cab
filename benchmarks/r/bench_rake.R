# R survey side of benchmarks/bench_rake.py.
# Usage: Rscript bench_rake.R data.csv margins.csv out_prefix
# Times (proc.time, elapsed) (A) rake() to 3 margins and (B) svymean of U1..U9 on the raked design
# (calibration-aware SEs: svyrecvar applies the raking residuals). Excluded: fread and svydesign().
suppressPackageStartupMessages({library(survey); library(data.table); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
dat <- as.data.frame(fread(args[1]))
mar <- as.data.frame(fread(args[2]))  # variable, category, count
out <- args[3]
status <- function(key) {
  line <- grep(paste0("^", key, ":"), readLines("/proc/self/status"), value = TRUE)
  as.numeric(strsplit(trimws(sub(paste0(key, ":"), "", line)), " +")[[1]][1]) / 1024
}
vars <- c("jenis_kelamin", "kelompok_umur", "pendidikan")
pop <- lapply(vars, function(v) {
  m <- mar[mar$variable == v, ]
  d <- data.frame(m$category, m$count); names(d) <- c(v, "Freq"); d
})
des <- svydesign(ids = ~psu, strata = ~strata, fpc = ~fpc, weights = ~w, data = dat, nest = TRUE)
invisible(gc())
writeLines("5", "/proc/self/clear_refs")
base <- status("VmRSS")
t0 <- proc.time()[["elapsed"]]
raked <- rake(des, lapply(vars, function(v) as.formula(paste("~", v))), pop,
              control = list(maxit = 100, epsilon = 1e-9, verbose = FALSE))
t1 <- proc.time()[["elapsed"]]
m <- svymean(as.formula(paste("~", paste(paste0("U", 1:9), collapse = "+"))), raked)
t2 <- proc.time()[["elapsed"]]
peak <- status("VmHWM") - base
fwrite(data.frame(variable = names(coef(m)), estimate = as.vector(coef(m)), se = as.vector(SE(m))),
       paste0(out, "_R.csv"))
fwrite(data.frame(w = weights(raked)), paste0(out, "_R_weights.csv"))
cat("RESULT ", toJSON(list(rake_seconds = t1 - t0, se_seconds = t2 - t1, peak_mib = peak),
                      auto_unbox = TRUE, digits = NA), "\n", sep = "")
