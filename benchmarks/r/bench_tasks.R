# R survey side of benchmarks/bench_tasks.py.
# Usage: Rscript bench_tasks.R data.csv margins.csv out_prefix
# Times (proc.time, elapsed) each task from the data frame (svydesign inside the task, as in the Python tools):
# build, 9 means, ratio U1/U2, svyglm U1 ~ U2..U6 + kelompok_umur, rake to 3 margins + 9 means.
# Writes out_prefix_<task>.csv (name, estimate, se) for the agreement check. Excluded: fread.
suppressPackageStartupMessages({library(survey); library(data.table); library(jsonlite)})
args <- commandArgs(trailingOnly = TRUE)
dat <- as.data.frame(fread(args[1]))
mar <- as.data.frame(fread(args[2]))  # variable, category, count
out <- args[3]
dat$kelompok_umur <- factor(dat$kelompok_umur)
vars <- c("jenis_kelamin", "kelompok_umur", "pendidikan")
pop <- lapply(vars, function(v) {
  m <- mar[mar$variable == v, ]
  d <- data.frame(m$category, m$count); names(d) <- c(v, "Freq"); d
})
unsur <- as.formula(paste("~", paste(paste0("U", 1:9), collapse = "+")))
build <- function() svydesign(ids = ~psu, strata = ~strata, fpc = ~fpc, weights = ~w, data = dat, nest = TRUE)
tidy <- function(names, est, se) data.frame(name = names, estimate = as.vector(est), se = as.vector(se))
tasks <- list(
  build = function() { build(); NULL },
  means = function() { m <- svymean(unsur, build()); tidy(names(coef(m)), coef(m), SE(m)) },
  ratio = function() { r <- svyratio(~U1, ~U2, build()); tidy("U1/U2", coef(r), SE(r)) },
  lm = function() {
    f <- svyglm(U1 ~ U2 + U3 + U4 + U5 + U6 + kelompok_umur, build())
    tidy(seq_along(coef(f)) - 1, coef(f), SE(f))
  },
  rake = function() {
    raked <- rake(build(), lapply(vars, function(v) as.formula(paste("~", v))), pop,
                  control = list(maxit = 100, epsilon = 1e-9, verbose = FALSE))
    m <- svymean(unsur, raked); tidy(names(coef(m)), coef(m), SE(m))
  }
)
seconds <- list()
for (task in names(tasks)) {
  invisible(gc())
  t0 <- proc.time()[["elapsed"]]
  res <- tasks[[task]]()
  seconds[[task]] <- proc.time()[["elapsed"]] - t0
  if (!is.null(res)) fwrite(res, paste0(out, "_", task, ".csv"))
}
cat("RESULT ", toJSON(seconds, auto_unbox = TRUE, digits = NA), "\n", sep = "")
