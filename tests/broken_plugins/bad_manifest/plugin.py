"""A plugin whose manifest is invalid (price is not a number)."""
