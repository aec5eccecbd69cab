# Golden values for the study pipeline (riset.study.run) on the bundled example, from R survey (Lumley).
# The input tests/data/study/contoh_bersih.csv is data/raw/contoh_skm_responden.csv as cleaned by riset.skm.exports
# (design columns + U1..U9, blanked cells empty), written by:
#   python -c "from riset.skm.exports import read_survey, read_codebook as rc; s = read_survey('data/raw/contoh_skm_responden.csv', rc('data/raw/contoh_skm_codebook.yaml')); s.data[['id_responden','unit','periode','kecamatan','jenis_kelamin','kelompok_umur','hari','n_hari_layanan','n_pengunjung_hari','bobot_desain'] + [f'U{i}' for i in range(1, 10)]].to_csv('tests/data/study/contoh_bersih.csv', index=False)"
# Run from the repository root:  Rscript tests/r/golden_study.R   -> tests/data/study/golden_ikm.json
#
# Design (data/raw/README.md): svydesign(ids = ~hari + id_responden, strata = ~interaction(unit, periode),
# fpc = ~n_hari_layanan + n_pengunjung_hari, weights = ~bobot_desain).
# IKM (PermenPAN-RB 14/2017): NRR_j = sum w y_j / sum w [y_j answered]; IKM x 25 = 25/9 sum_j NRR_j.
# Linearised with svytotal of the 18 totals and svycontrast (delta method); CI with t on degf(design).
# Questionnaire columns map by NAME: U8 = sarana (regulation U9), U9 = pengaduan (regulation U8).
suppressMessages({library(survey); library(jsonlite)})
options(survey.lonely.psu = "fail", survey.ultimate.cluster = FALSE)
d <- read.csv(file.path("tests", "data", "study", "contoh_bersih.csv"), stringsAsFactors = FALSE)
for (j in 1:9) {
  u <- d[[paste0("U", j)]]
  d[[paste0("y", j)]] <- ifelse(is.na(u), 0, u)
  d[[paste0("a", j)]] <- as.numeric(!is.na(u))
}
des <- svydesign(ids = ~hari + id_responden, strata = ~interaction(unit, periode),
                 fpc = ~n_hari_layanan + n_pengunjung_hari, weights = ~bobot_desain, data = d)
totals <- as.formula(paste("~", paste(c(paste0("y", 1:9), paste0("a", 1:9)), collapse = " + ")))
ikm_expr <- parse(text = paste0("25 / 9 * (", paste0("y", 1:9, " / a", 1:9, collapse = " + "), ")"))[[1]]

ikm_of <- function(design, df) {
  tot <- svytotal(totals, design)
  est <- svycontrast(tot, list(ikm = ikm_expr))
  nrr_sarana <- svycontrast(tot, list(sarana = quote(y8 / a8)))
  t <- qt(0.975, df)
  list(ikm_konversi = unname(coef(est)), se = unname(SE(est)),
       ci_low = unname(coef(est)) - t * unname(SE(est)), ci_high = unname(coef(est)) + t * unname(SE(est)),
       nrr_sarana = unname(coef(nrr_sarana)), se_nrr_sarana = unname(SE(nrr_sarana)), df = df)
}
out <- list(kabupaten = ikm_of(des, degf(des)))
for (u in c("PKM-KOTA", "RSUD-RJ")) {
  sub <- subset(des, unit == u)
  out[[u]] <- ikm_of(sub, degf(sub))
}
out$design <- list(degf = degf(des), n = nrow(d))

# Calibrated design (riset.study.run weighting = "kalibrasi"; the raking constraints are in calibrated_example.R).
source(file.path("tests", "r", "calibrated_example.R"))
cal <- calibrated_example(d)
out$kalibrasi <- list(kabupaten = ikm_of(cal, degf(cal)))
for (u in c("PKM-KOTA", "RSUD-RJ")) {
  sub <- subset(cal, unit == u)
  out$kalibrasi[[u]] <- ikm_of(sub, degf(sub))
}
out$kalibrasi$bobot_pertama <- unname(weights(cal)[1:5])
write_json(out, file.path("tests", "data", "study", "golden_ikm.json"), digits = NA, auto_unbox = TRUE, pretty = TRUE)
cat(toJSON(out, auto_unbox = TRUE, digits = 10, pretty = TRUE), "\n")
