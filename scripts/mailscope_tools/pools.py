"""Name and word pools of the benchmark data (scripts/bench-ingest) that the scale data set
(scripts/make-scale-data) grows Acme Corp from: first and last names, words for domains and
file-name stems."""

FIRST = ("james mary robert patricia john jennifer michael linda david elizabeth william barbara "
         "richard susan joseph jessica thomas sarah charles karen chris nancy daniel lisa matthew "
         "betty anthony sandra mark ashley donald kimberly steven emily paul donna andrew michelle "
         "joshua carol kenneth amanda kevin melissa brian deborah george stephanie tim rebecca "
         "ronald sharon edward laura jason cynthia jeffrey kathleen ryan amy jacob angela gary "
         "shirley nicholas anna eric brenda jonathan pamela stephen emma larry nicole justin helen "
         "scott samantha brandon katherine benjamin christine samuel debra gregory rachel "
         "alexander carolyn frank janet patrick maria raymond heather jack diane dennis ruth jerry "
         "julie tyler olivia aaron joyce jose virginia adam victoria nathan kelly henry lauren "
         "zoe sven ingrid francois amelie jurgen aoife siobhan rahul priya wei mei hiroshi yuki").split()
LAST = ("smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez lopez "
        "gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson white "
        "harris sanchez clark ramirez lewis robinson walker young allen king wright scott torres "
        "nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter roberts "
        "gomez phillips evans turner diaz parker cruz edwards collins reyes stewart morris morales "
        "murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed kelly howard ramos "
        "kim cox ward richardson watson brooks chavez wood james bennett gray mendoza ruiz hughes "
        "price alvarez castillo sanders patel myers long ross foster jimenez oconnor muller "
        "schmidt dubois lefevre rossi bianchi kowalski novak tanaka suzuki chen wang singh").split()
WORDS = ("acme apex arcadia atlas aurora beacon blue bright cardinal cedar citadel cobalt concept "
         "crest crystal delta eagle echo ember evergreen falcon fusion global granite harbor "
         "horizon hudson iron juniper keystone lakeside legacy liberty lighthouse maple meridian "
         "metro midland monarch nova oak omega orbit pacific pilot pinnacle prairie prime quantum "
         "radiant redwood ridge river sage sierra silver spark sterling summit sun tandem terra "
         "titan trinity union unity valley vanguard vector venture vertex vista willow zenith").split()
FILE_STEMS = ["invoice", "statement", "scan", "report", "agreement", "image001", "image002",
              "Remittance Advice", "payslip", "PO", "quote", "minutes", "WinZip Attachments",
              "zero-day", "attach", "presentation", "resume", "policy", "schedule", "Form W-9"]
