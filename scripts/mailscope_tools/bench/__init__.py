"""The benchmarks (measurements, not tests): scripts/bench, bench-ingest and bench-detect.

  compare        bench: MailScope against Python stdlib, sqlite-utils and DuckDB on a scale set
  peer_children  bench's peers (load and query), each run in its own process
  charts         bench's table and SVG charts
  ingest         bench-ingest: MailScope's ingest against Python and DuckDB on one big file
  siem_data      bench-ingest's Mimecast NDJSON input      edr_data   its Defender CSV input
  ingest_children  bench-ingest's children
  detect         bench-detect: every rule over ~10 M synthetic events, with query plans"""
