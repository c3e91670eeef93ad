"""A small but real host application that paid modules plug into through pluggy hooks."""
