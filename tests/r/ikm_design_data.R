# Shared by the golden scripts on the IKM of the small two-stage SKM study of golden_estimate.R
# (tests/data/golden/ikm_design_data.csv: strata = unit, PSU = service day with fpc = service days, SSU =
# respondent with fpc2 = visitors that day). Source it from the repository root, after library(survey).
keys <- c("persyaratan", "prosedur", "waktu", "biaya", "produk", "kompetensi", "perilaku", "sarana", "pengaduan")
# y_j = the answer to unsur j or 0 when blank, a_j = answered (1/0): IKM = (1/9) sum_j T(y_j) / T(a_j)
skm_indicators <- function(skm) {
  for (q in 1:9) {
    skm[[paste0("y_", keys[q])]] <- ifelse(is.na(skm[[paste0("U", q)]]), 0, skm[[paste0("U", q)]])
    skm[[paste0("a_", keys[q])]] <- as.numeric(!is.na(skm[[paste0("U", q)]]))
  }
  skm
}
skm_design <- function(skm) svydesign(id = ~hari + id_responden, strata = ~unit, fpc = ~n_hari + n_pengunjung,
                                      data = skm)
totals <- as.formula(paste("~", paste(c(paste0("y_", keys), paste0("a_", keys)), collapse = "+")))
