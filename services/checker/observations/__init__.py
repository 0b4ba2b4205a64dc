"""Reviewer observations of new-media accounts: a platform export (.xlsx/.csv/.json) uploaded by a
reviewer, or observations recorded by hand with screenshots as evidence. Stored in the checker schema;
the `import` data source (platforms/observed.py) checks an account from its latest observation."""
