"""Input of golden_pooled_online.R: the QR answers of the bundled example with online answers (`python -m
riset.study.example --daring`, seed 2026) as riset reads them with the example's codebook (the cells, the
users' margins' columns, U1..U9 with blanked cells empty), and the users' margins table they are raked to. The
exit interviews are tests/data/study/contoh_bersih.csv and the volume table data/raw/contoh_kerangka_sampel.csv
(the same files in the example with online answers). Run from the repository root:

    PYTHONPATH=src python tests/r/export_pooled_online.py
      -> tests/data/golden/pooled_online_input.csv, tests/data/golden/pooled_online_margins.csv
"""

import shutil
import tempfile
from pathlib import Path

from riset.skm.exports import read_codebook, read_survey
from riset.study.example import write_example_study

GOLDEN = Path("tests") / "data" / "golden"


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        paths = write_example_study(Path(folder), online=True)
        answers = read_survey(paths["daring"], read_codebook(paths["codebook"])).data
        columns = ["id_responden", "unit", "periode", "kelompok_umur", "jenis_kelamin"] + [f"U{i}" for i in range(1, 10)]
        answers[columns].to_csv(GOLDEN / "pooled_online_input.csv", index=False)
        shutil.copyfile(paths["daring_pengguna"], GOLDEN / "pooled_online_margins.csv")
    print(f"wrote {GOLDEN / 'pooled_online_input.csv'}, {GOLDEN / 'pooled_online_margins.csv'}")


if __name__ == "__main__":
    main()
