"""IdSet answers membership as a set would, across its merges into the sorted array."""

from __future__ import annotations

import random
import sys

import pytest

from newsbot.spiders import ids
from newsbot.spiders.ids import IdSet


def test_membership_matches_a_set_across_merges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ids, "_MERGE_AT", 16)
    rng = random.Random(5)
    got, want = IdSet(), set()
    for _ in range(3000):
        value = rng.choice([rng.randrange(1, 400), rng.randrange(1, 2**40)])
        assert (value in got) == (value in want)
        got.add(value)
        want.add(value)
        assert value in got
    assert len(got) == len(want)
    assert all(v in got for v in want)
    assert not any(v in got for v in range(400, 2000) if v not in want)
    assert len(got._sorted) > len(got._recent)  # most ids went into the compact array


def test_twenty_thousand_ids_take_a_fraction_of_a_set() -> None:
    values = range(3_000_000, 3_020_000)
    compact = IdSet()
    for v in values:
        compact.add(v)
    plain = set(values)
    size = sys.getsizeof(compact._sorted) + sys.getsizeof(compact._recent) + 32 * len(compact._recent)
    assert size < (sys.getsizeof(plain) + 32 * len(plain)) / 4
