"""The written answers of a study reach the analysis: coded shares in 'Apa kata masyarakat', quotes, and the
complaint shares in the recommendations (issue 18.3, 18.5, 18.7)."""

import re

from own_studies import google_forms
from riset.cli import main
from riset.study import run_study


def test_written_answers_are_coded_quoted_and_feed_the_recommendations(tmp_path):
    study = google_forms(tmp_path)
    res = run_study(study["study"])
    said = res.open_text_result
    area = said.shares[said.shares["level"] == "area"].set_index("unsur")
    # 'Antrean terlalu lama' (1 in 9 respondents): waktu mentioned and complained about, nothing else
    assert area.loc["waktu", "sebut"] > 0.05 and area.loc["waktu", "keluhan"] == area.loc["waktu", "sebut"]
    assert (area.drop(index="waktu")["sebut"] == 0).all()
    actions = res.recommendations_in("id").actions
    waktu = actions[actions["unsur"] == "waktu"]
    assert len(waktu) and (waktu["bagian_keluhan"] > 0).all()
    assert main(["report", str(study["study"]), "--out", str(tmp_path / "hasil")]) == 0
    html = re.sub(r"data:image/[a-z]+;base64,[A-Za-z0-9+/=]+", "",
                  (tmp_path / "hasil" / "laporan_skm.html").read_text(encoding="utf-8"))
    assert "Apa kata masyarakat" in html and "Antrean terlalu lama, mohon ditambah loket" in html


def test_the_slides_quote_what_citizens_said(tmp_path):
    from pptx import Presentation
    from pptx.util import Pt

    from riset.present.report.deck import write_deck

    res = run_study(google_forms(tmp_path)["study"])
    deck = Presentation(write_deck(res, tmp_path / "paparan.pptx", "id"))
    slide = next(s for s in deck.slides if any(sh.has_text_frame and sh.text_frame.text.startswith("Apa kata masyarakat")
                                               for sh in s.shapes))
    text = " ".join(sh.text_frame.text for sh in slide.shapes if sh.has_text_frame)
    assert "Waktu Penyelesaian" in text and "Antrean terlalu lama" in text
    sizes = [r.font.size for sh in slide.shapes if sh.has_text_frame for p in sh.text_frame.paragraphs for r in p.runs]
    assert all(size is not None and size >= Pt(18) for size in sizes)
