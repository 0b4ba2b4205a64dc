"""The supervising office's dashboard: per-unit aggregates (pass rate, open vetoes, overdue tasks, monitoring
coverage) and the health index computed from them."""
