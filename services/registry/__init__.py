"""Registry service: organisations, users and tokens, sites, accounts, lifecycle filings, audit."""
