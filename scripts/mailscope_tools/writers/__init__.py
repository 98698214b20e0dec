"""One module per export format: how a record of that format looks and how its files are
written (and, for the formats the checks re-read, parsed back).

  siem_v2       Mimecast API 2.0 SIEM events (NDJSON, gzip batches)
  siem_v1       Mimecast legacy SIEM: key=value lines and the JSON envelope
  ttp           Mimecast TTP URL, Attachment and Impersonation Protect logs
  mde           Microsoft Defender for Endpoint advanced-hunting CSV
  falcon        CrowdStrike Falcon event search CSV
  sentinelone   SentinelOne Deep Visibility CSV
  csv_export    generic RFC 4180 CSV with the line each row starts on
  output        gzip without name or time, and the manifest entry of each file written"""
