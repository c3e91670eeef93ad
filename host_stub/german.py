"""German wording shared by every message of the host and its modules: counted nouns with their
real singular and plural, German quotes, numbers with a thousands dot.

``plural(3, "Interessent", "Interessenten")`` gives "3 Interessenten" instead of "3 Interessent(en)";
the caller names both forms, so the grammatical case fits the sentence ("mit 2 Ansprechpartnern").
"""

from __future__ import annotations

from typing import Any


def number(value: int) -> str:
    """10000 -> '10.000'."""
    return f"{value:,}".replace(",", ".")


def plural(count: int, one: str, many: str) -> str:
    """The count with the noun in the form that fits it: '1 Interessent', '10.000 Interessenten'."""
    return f"{number(count)} {one if count == 1 else many}"


def quoted(text: Any) -> str:
    """„text“: the quotes every German message uses for names and typed values."""
    return f"„{text}“"
