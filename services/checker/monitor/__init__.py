"""Whole-site monitoring (全站监测): every page and attachment of every running site, kept current in
bounded, leased slices (see models.py for the crawl state, jobs.py for the arq jobs)."""
