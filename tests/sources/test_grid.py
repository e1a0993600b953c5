"""The C-parser path for CSV text reads every cell as Python's csv module does, or declines.

Each text is read both ways: the csv module (the reference, as every reader used it before)
and :func:`csv_grid`. Where the fast path answers, its cells and row lengths must equal the
csv module's; where the text is beyond it, it must decline rather than differ.
"""

import csv
import io
import random
from datetime import date, datetime
from decimal import Decimal

import numpy as np
import pytest
from iro_etl.sources.grid import TextGrid, csv_grid
from iro_etl.sources.sql import _columns, _grid


def _reference(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def _as_rows(grid: TextGrid) -> list[list[str]]:
    return grid.rows(len(grid))


PLAIN = [
    "CHILD,SEX,DOB\n1,1,01/01/2010\n2,2,02/02/2011\n",
    "CHILD,SEX,DOB\r\n1,1,01/01/2010\r\n2,2,02/02/2011",
    "CHILD,SEX,DOB\r1,1,01/01/2010\r",
    '"CHILD","SEX","DOB"\n"1","1","01/01/2010"\n',
    'a,b,c\n1,"x, y",3\n4,"two\nlines",6\n7,"say ""hi""",9\n',
    'a,b,c\n1,2\n\n   \n,,\n5\n',
    'a,b,c\n" padded ", b ,c\t\n',
    'a,b\n"",""\n"a\r\nb",c\r\n',
    "a,b,c\n£5,é,ü\n",
]


@pytest.mark.parametrize("text", PLAIN)
def test_plain_csv_is_read_by_the_c_parser_exactly_as_the_csv_module_reads_it(text):
    grid = csv_grid(text)
    assert grid is not None
    assert _as_rows(grid) == _reference(text)


DECLINED = [
    "a,b\n1,2,3\n",             # a row longer than the first
    'a,b\n"open,2\n3,4\n',       # a quote that never closes
    'a,b\nx"y,2\n',              # a quote inside a cell
    'a,b\n"ab"c,2\n',            # text after a closing quote
    "a,b\n1,\x002\n",            # NUL
]


@pytest.mark.parametrize("text", DECLINED)
def test_text_beyond_a_plain_count_is_left_to_the_csv_module(text):
    assert csv_grid(text) is None


def test_random_texts_read_the_same_both_ways():
    """Random cells (commas, quotes, line breaks, spaces, blanks) written by the csv module
    and ragged rows: whatever the fast path answers is what the csv module reads."""
    rng = random.Random(7)
    alphabet = ["a", "7", " ", ",", '"', "\n", "\r\n", "é", "/", ""]
    answered = 0
    for _ in range(300):
        width = rng.randint(1, 5)
        rows = [[("".join(rng.choice(alphabet) for _ in range(rng.randint(0, 4))))
                 for _ in range(rng.randint(0, width) if rng.random() < 0.2 else width)]
                for _ in range(rng.randint(1, 6))]
        out = io.StringIO()
        csv.writer(out, lineterminator=rng.choice(["\n", "\r\n"])).writerows(rows)
        text = out.getvalue()
        if not text.strip():
            continue
        grid = csv_grid(text)
        if grid is not None:
            answered += 1
            assert _as_rows(grid) == _reference(text), text
    assert answered > 100


def test_database_batches_become_the_text_a_csv_extract_would_hold():
    batch = [
        ("a ", 1, 1.0, 2.5, Decimal("1.50"), date(2014, 3, 31), datetime(2014, 3, 31, 9, 30),
         True, None, 7),
        (None, None, None, 3.0, None, None, None, False, None, "x"),
        ("", 12345678901, 1e20, None, Decimal("2"), date(1999, 1, 2), None, None, None, 2.0),
    ]
    grid = _grid(_columns(batch, 10), len(batch))
    assert _as_rows(grid) == [
        ["a ", "1", "1", "2.5", "1.50", "2014-03-31", "2014-03-31", "True", "", "7"],
        ["", "", "", "3", "", "", "", "False", "", "x"],
        ["", "12345678901", "100000000000000000000", "", "2", "1999-01-02", "", "", "", "2"],
    ]
    assert grid.lengths.tolist() == [10, 10, 10]
    empty = _grid(_columns([], 3), 0)
    assert len(empty) == 0 and len(empty.columns) == 3
    assert all(isinstance(c, np.ndarray) for c in empty.columns)


def test_random_raw_text_is_read_the_same_or_declined():
    """Text no writer would produce (stray quotes, bare carriage returns): never misread."""
    rng = random.Random(11)
    alphabet = ["a", ",", ",", '"', "\n", "\r", " ", "b"]
    for _ in range(3000):
        text = "h1,h2\n" + "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30)))
        try:
            reference = _reference(text)
        except csv.Error:
            continue
        grid = csv_grid(text)
        if grid is not None:
            assert _as_rows(grid) == reference, repr(text)
