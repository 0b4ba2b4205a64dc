"""Shared foundation of the govwatch services: settings, database, auth, scope, errors, S3."""
