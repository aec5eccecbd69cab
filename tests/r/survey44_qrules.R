# survey >= 4.4 takes the lowest value when p W lies below the first cumulative weight (qrule math / hf1, school /
# hf2, hf3: `wlow <= 0` where survey 4.1-4.3 had `wlow == 0` and took the second value; R's tests/qrule-swiss.R
# pins it). riset follows 4.4; on an older survey these three rules are replaced by survey 4.5's, verbatim.
if (packageVersion("survey") < "4.4") {
  local({
    qs <- get("qs", envir = asNamespace("survey"))
    environment(qs) <- asNamespace("survey")
    fixed <- list(
      qrule_math = function(x, w, p) {
        if (any(zero <- w == 0)) { w <- w[!zero]; x <- x[!zero] }
        qdata <- qs(x, w, p)
        if (qdata$wlow <= 0) qdata$qlow else qdata$qup
      },
      qrule_school = function(x, w, p) {
        if (any(zero <- w == 0)) { w <- w[!zero]; x <- x[!zero] }
        qdata <- qs(x, w, p)
        if (qdata$wlow <= 0) (qdata$qlow + qdata$qup) / 2 else qdata$qup
      },
      qrule_hf3 = function(x, w, p) {
        if (any(zero <- w == 0)) { w <- w[!zero]; x <- x[!zero] }
        w <- rowsum(w, x)
        x <- sort(unique(x))
        qdata <- qs(x, w, p)
        if ((qdata$wlow <= 0) && (qdata$ilow %% 2 == 0)) qdata$qlow else qdata$qup
      })
    fixed$qrule_hf1 <- fixed$qrule_math
    fixed$qrule_hf2 <- fixed$qrule_school
    for (name in names(fixed)) {
      f <- fixed[[name]]
      environment(f) <- asNamespace("survey")
      assignInNamespace(name, f, ns = "survey")
    }
  })
}
