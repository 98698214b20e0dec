"""The scale data set (scripts/make-scale-data): Acme Corp grown to M mailboxes over N days, in
the real export formats, generated day by day in parallel processes.

  common    parameters, seeded streams, fast ids      world      people, hosts, correspondents, web
  mail_day  one day's mail, family by family          waves      the day's stopped threats
  campaigns the planted campaigns and their truth     edr_day    one day's Defender rows per host
  day       one day generated and written             run        the whole set, its truth, the CLI
  verify    --verify and --check-report"""
