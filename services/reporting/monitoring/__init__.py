"""Whole-site monitoring (全站监测) as the reporting service sees it: alerts pulled from the checker's ledger."""
