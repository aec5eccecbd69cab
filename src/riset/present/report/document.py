"""The laporan as a document model: what the HTML, DOCX and PDF writers lay out, each in its own medium.

`riset.present.report.content.build_laporan` fills it from a study's results (every sentence from the catalog,
every number from `StudyResults`); the writers never compute or phrase anything. Tables and figures are
numbered per chapter ("Tabel 3.2", "Gambar 4.1") when the document is built, so every format shows the same
numbers and captions.

Blocks of a section, in reading order:
- `Paragraph` (text), `Bullets` (items), `Table` (header + rows of formatted strings, column alignment and
  relative widths), `Figure` (PNG bytes rendered once, with its caption), `Callout` (a highlighted key figure,
  e.g. the area's IKM).

>>> doc = Laporan(cover=Cover(title="SKM Contoh", subtitle="Laporan", area="Kabupaten X", organiser=None,
...                           date="3 Desember 2026"), preface=[], chapters=[
...     Chapter("I", "Pendahuluan", [Section("Latar belakang", [Paragraph("Teks.")])])])
>>> doc.number_captions("Tabel", "Gambar"); doc.chapters[0].title
'Pendahuluan'
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Iterator, Union

__all__ = ["Block", "Bullets", "Callout", "Chapter", "Cover", "Figure", "Laporan", "Paragraph", "Section", "Table"]


@dataclass
class Paragraph:
    """A paragraph of running text (plain text; writers escape it for their medium)."""

    text: str


@dataclass
class Bullets:
    """A bulleted (or numbered) list."""

    items: list[str]
    numbered: bool = False


@dataclass
class Callout:
    """A key figure shown large: a value (e.g. '79,62'), what it is, and one line of context."""

    value: str
    label: str
    detail: str
    mutu: str | None = None


@dataclass
class Table:
    """A table for people: caption, header and rows of already formatted strings.

    `align`: one of 'l' / 'r' / 'c' per column (numbers right); `widths`: relative column widths (None: the
    writer decides from the text); `number`: set by `Laporan.number_captions` ('3.2').
    """

    caption: str
    header: list[str]
    rows: list[list[str]]
    align: list[str] | None = None
    widths: list[float] | None = None
    note: str | None = None
    number: str | None = None

    def __post_init__(self) -> None:
        if self.align is None:
            self.align = ["l"] + ["r"] * (len(self.header) - 1)


@dataclass
class Figure:
    """A rendered chart: a key, its caption and the PNG bytes (rendered once, used by every format)."""

    key: str
    caption: str
    png: bytes
    width_px: int = 0
    height_px: int = 0
    number: str | None = None

    @property
    def data_uri(self) -> str:
        return "data:image/png;base64," + base64.b64encode(self.png).decode("ascii")

    @property
    def aspect(self) -> float:
        """Height / width of the image (0.6 when unknown)."""
        return self.height_px / self.width_px if self.width_px else 0.6


Block = Union[Paragraph, Bullets, Callout, Table, Figure]


@dataclass
class Section:
    """A numbered section of a chapter ('3.2 IKM per unit layanan') with its blocks."""

    title: str
    blocks: list[Block]
    number: str | None = None


@dataclass
class Chapter:
    """A chapter: 'BAB III', its title and sections. Appendices have a letter instead of a roman number."""

    label: str
    title: str
    sections: list[Section]
    appendix: bool = False


@dataclass
class Cover:
    """The cover page: title, subtitle, area, organiser, date (already formatted), optional logo (PNG/JPEG)."""

    title: str
    subtitle: str
    area: str
    organiser: str | None
    date: str
    logo: bytes | None = None


@dataclass
class Laporan:
    """The whole document: cover, kata pengantar (paragraphs), chapters and appendices, in order."""

    cover: Cover
    preface: list[str]
    chapters: list[Chapter]
    lang: str = "id"
    preface_title: str = "Kata Pengantar"
    contents_title: str = "Daftar Isi"
    signature: list[str] = field(default_factory=list)

    def blocks(self) -> Iterator[tuple[Chapter, Section, Block]]:
        """Every block with its chapter and section, in reading order."""
        for chapter in self.chapters:
            for section in chapter.sections:
                for block in section.blocks:
                    yield chapter, section, block

    def number_captions(self, table_word: str, figure_word: str) -> None:
        """Number sections (3.1, 3.2, ...; A.1 in appendices) and the tables and figures of each chapter
        (Tabel 3.1, Gambar 3.1, ...), writing the full caption ('Tabel 3.1 IKM per unit layanan')."""
        for index, chapter in enumerate(self.chapters, start=1):
            key = chapter.label.split()[-1] if chapter.appendix else str(index)
            counters = {Table: 0, Figure: 0}
            for s, section in enumerate(chapter.sections, start=1):
                section.number = f"{key}.{s}"
                for block in section.blocks:
                    if isinstance(block, (Table, Figure)) and block.number is None:
                        counters[type(block)] += 1
                        block.number = f"{key}.{counters[type(block)]}"
                        word = table_word if isinstance(block, Table) else figure_word
                        block.caption = f"{word} {block.number} {block.caption}"

    def figures(self) -> list[Figure]:
        return [b for _, _, b in self.blocks() if isinstance(b, Figure)]

    def tables(self) -> list[Table]:
        return [b for _, _, b in self.blocks() if isinstance(b, Table)]
