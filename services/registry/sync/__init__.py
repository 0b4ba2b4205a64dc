"""Integration with the national reporting systems: outbox, worker, reconciliation, bootstrap."""
