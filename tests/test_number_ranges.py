"""Number ranges under concurrency: two users taking numbers at once never get the same number."""

from __future__ import annotations

import threading
import time

import pytest


@pytest.mark.parametrize("existing", [True, False], ids=["range in use", "first use of the range"])
def test_a_colleague_taking_numbers_meanwhile_gets_the_next_free_ones(make_host, existing):
    first = make_host()
    colleague = make_host(upgrade=False)
    if existing:
        with first.session() as session:
            assert first.numbers.take(session, "orders", 1, prefix="A", start=100) == ["A100"]
    taken: dict[str, list[str]] = {}

    def colleague_takes() -> None:
        with colleague.session() as session:
            taken["colleague"] = colleague.numbers.take(session, "orders", 2, prefix="A", start=100)

    with first.session() as session:
        taken["first"] = first.numbers.take(session, "orders", 3, prefix="A", start=100)
        thread = threading.Thread(target=colleague_takes)
        thread.start()
        time.sleep(0.3)  # the colleague reads the range while this transaction still holds it
    thread.join(timeout=15)
    start = 101 if existing else 100
    assert taken["first"] == [f"A{n}" for n in range(start, start + 3)]
    assert taken["colleague"] == [f"A{n}" for n in range(start + 3, start + 5)]
    with first.session() as session:
        assert first.numbers.take(session, "orders", 1, prefix="A", start=100) == [f"A{start + 5}"]
