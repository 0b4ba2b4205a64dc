"""Checker service: inspections through the arq queue, crawler, site and account checks, indicator sets, word lists."""
