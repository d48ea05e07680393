"""Compiled forms of the label function (decision diagrams) and the passes over them."""
