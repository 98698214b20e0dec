"""The checks scripts/test runs besides the tests: every Mimecast field kept (coverage), every
rule's SQL parses as PostgreSQL (postgres_sql), the bundled rules and templates compiled in are
current (bundle_rules)."""
