"""Text cells held column by column: how a CSV file, a sheet or a database table is handed
to the canonical frame (:func:`iro_etl.sources.readers.frame_from_grid`).

A grid keeps what a person needs to find a cell again: each row's place and how many cells
it had (a ragged row is reported, not silently padded). CSV text goes through pandas' C
parser where that gives exactly what Python's ``csv`` module would; a text whose quoting
is beyond a plain count of its commas and line breaks is left to the ``csv`` module.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class TextGrid:
    """Rows of text cells: each column's cells (``""`` past a row's end), and each row's
    number of cells."""

    columns: list[np.ndarray]
    lengths: np.ndarray

    @classmethod
    def from_rows(cls, rows: Sequence[Sequence[str]]) -> TextGrid:
        lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
        width = int(lengths.max()) if len(rows) else 0
        if (lengths != width).any():
            rows = [list(r) + [""] * (width - len(r)) for r in rows]
        cells = np.empty((len(rows), width), dtype=object)
        if width:
            cells[:] = rows
        return cls([cells[:, j] for j in range(width)], lengths)

    def __len__(self) -> int:
        return len(self.lengths)

    def rows(self, stop: int) -> list[list[str]]:
        """The first ``stop`` rows as lists, each as long as it was."""
        return [[str(column[i]) for column in self.columns[:n]]
                for i, n in enumerate(self.lengths[:stop].tolist())]

    def below(self, start: int) -> TextGrid:
        """The rows from ``start`` on."""
        return TextGrid([c[start:] for c in self.columns], self.lengths[start:])


def stripped(cells: np.ndarray) -> np.ndarray:
    """Each cell without its surrounding whitespace (the cells are all text)."""
    return np.fromiter(map(str.strip, cells), dtype=object, count=len(cells))


#: A whole cell in quotes (from a cell's start to its end), which may hold commas, line
#: breaks and doubled quotes of its own.
_QUOTED_CELL = re.compile(r'(?<![^,\r\n])"(?:[^"]|"")*"(?![^,\r\n])')


def _cells_per_line(text: str) -> np.ndarray | None:
    """How many cells each record holds, counted on the text; None when its quoting is not
    plain (a quote anywhere but around a whole cell, which the csv module reads leniently)."""
    if '"' in text:
        text = _QUOTED_CELL.sub("x", text)
        if '"' in text:
            return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    # Only commas and line breaks are counted: any other character's bytes will do.
    data = np.frombuffer(text.encode("utf-8", "surrogatepass"), dtype=np.uint8)
    breaks = np.flatnonzero(data == ord("\n"))
    ends = breaks if text.endswith("\n") else np.append(breaks, len(data))
    starts = np.concatenate([[0], breaks + 1])[:len(ends)]
    # Commas before each record's end, differenced: the records are searched for among the
    # commas (far fewer searches than the other way round).
    commas = np.diff(np.searchsorted(np.flatnonzero(data == ord(",")), ends), prepend=0)
    # An empty line is a record of no cells, as the csv module reads it.
    return np.where(ends > starts, commas + 1, 0)


def csv_grid(text: str) -> TextGrid | None:
    """The grid of a CSV text through pandas' C parser; None when only the ``csv`` module
    can be trusted with it (a ragged row longer than the first, an unclosed quote, quotes
    inside cells, NUL characters)."""
    if "\x00" in text:
        return None
    lengths = _cells_per_line(text)
    if lengths is None:
        return None
    try:
        frame = pd.read_csv(io.StringIO(text), header=None, dtype=object, na_filter=False,
                            skip_blank_lines=False, engine="c", low_memory=False)
    except (pd.errors.ParserError, ValueError, UnicodeError):
        return None
    if len(frame) != len(lengths) or (len(lengths) and lengths.max() > frame.shape[1]):
        return None
    return TextGrid([frame[j].to_numpy(dtype=object) for j in frame.columns], lengths)
