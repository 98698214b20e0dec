"""MailScope's Python tools: the code behind the executables in scripts/ (each of those only
puts scripts/ on sys.path and calls a main() here).

  scenario/        generate-scenario: the Acme Corp scenario of fixtures/scenario/ and its check
  writers/         one module per export format (Mimecast SIEM v2 and v1, TTP logs, MDE, Falcon,
                   SentinelOne, generic CSV) and the gzip/manifest output
  families/        scenario-families and score-families: randomized cases and their scoring
  scale/           make-scale-data: the N-day, M-mailbox data set for scale benchmarks
  bench/           bench, bench-ingest, bench-detect: measurements, not tests
  checks/          check-mimecast-coverage, check-postgres-sql, bundle-rules
  distribution/    install, package-deb, generate-manpages: what goes on a server and where
  public_suffix    update-public-suffix-list: the Public Suffix List compiled in, with its version
  pools, timefmt, paths   name pools, time forms, repository paths shared by the above

The tests are in scripts/tests/ (python3 -m unittest discover -s scripts/tests -t scripts)."""
