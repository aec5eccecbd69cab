# The bundled example study calibrated as riset.study.run does (weighting = "kalibrasi"), shared by
# golden_study.R and golden_periode.R: raking so that within each kecamatan the sex and age composition
# matches residents 17+ (contoh_margin_penduduk.csv scaled to the kecamatan's design-weighted visits) and every
# unit x periode keeps its design-weighted visits. Same constraints in a full-rank parametrisation:
# kecamatan x sex (all cells), kecamatan x age without 17-24, unit x periode without its first cell.
# `calibrated_example(d)` takes the cleaned data (tests/data/study/contoh_bersih.csv with y_j / a_j columns)
# and returns the calibrated design; the constraint columns are added to its variables.
calibrated_example <- function(d) {
  pop <- read.csv(file.path("data", "raw", "contoh_margin_penduduk.csv"), stringsAsFactors = FALSE)
  visits <- tapply(d$bobot_desain, d$kecamatan, sum)
  residents <- tapply(pop$jumlah, pop$kecamatan, sum)
  pop$scaled <- pop$jumlah * visits[pop$kecamatan] / residents[pop$kecamatan]
  names_x <- c(); totals_x <- c()
  add <- function(name, indicator, total) {
    d[[name]] <<- as.numeric(indicator); names_x <<- c(names_x, name); totals_x <<- c(totals_x, total)
  }
  i <- 0
  for (k in sort(unique(pop$kecamatan))) for (s in sort(unique(pop$jenis_kelamin))) {
    i <- i + 1; add(paste0("ks", i), d$kecamatan == k & d$jenis_kelamin == s,
                    sum(pop$scaled[pop$kecamatan == k & pop$jenis_kelamin == s]))
  }
  i <- 0
  for (k in sort(unique(pop$kecamatan))) for (a in setdiff(sort(unique(pop$kelompok_umur)), "17-24")) {
    i <- i + 1; add(paste0("ka", i), d$kecamatan == k & d$kelompok_umur == a,
                    sum(pop$scaled[pop$kecamatan == k & pop$kelompok_umur == a]))
  }
  cells <- unique(d[, c("unit", "periode")]); cells <- cells[order(cells$unit, cells$periode), ][-1, ]
  for (i in seq_len(nrow(cells))) {
    hit <- d$unit == cells$unit[i] & d$periode == cells$periode[i]
    add(paste0("up", i), hit, sum(d$bobot_desain[hit]))
  }
  des <- svydesign(ids = ~hari + id_responden, strata = ~interaction(unit, periode),
                   fpc = ~n_hari_layanan + n_pengunjung_hari, weights = ~bobot_desain, data = d)
  cal <- calibrate(des, as.formula(paste("~ 0 +", paste(names_x, collapse = " + "))), population = totals_x,
                   calfun = "raking", epsilon = 1e-10, maxit = 200)
  cal
}
