"""A plugin for a future host API."""
