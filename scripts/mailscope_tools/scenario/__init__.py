"""The Acme Corp scenario of fixtures/scenario/ (scripts/generate-scenario): a synthetic day of
Mimecast exports in every format MailScope reads, the endpoint traces of the same day in three
EDR products' exports, and the ground truth of the attacks planted in them.

  common      seed, days, ids, hashes, time formats      org, world   people; domains, attackers
  content     subjects, attachment names                  mail         one email (Msg), its ids
  main_day    Monday's mail, family by family             attacks      the three planted attacks
  legacy_day  Sunday in the legacy SIEM logs              truth        evidence, expected findings
  hosts       workstations, programs, the EDR event model workday      a normal day on one host
  identities  sAM names, products, identity groups        edr          the planted endpoint traces
  edr_files   the EDR exports and identities.csv          edr_truth    the "edr" ground truth
  readme      fixtures/scenario/README.md                 check, check_edr   --check
  generate    generate() and the command line

The export formats themselves are in mailscope_tools.writers."""
