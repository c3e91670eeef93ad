"""A third module written only from docs/hooks.md: notes on customers."""
