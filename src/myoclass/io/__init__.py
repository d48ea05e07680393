"""Adapters from external formats to the flat case."""
