"""The world outside Acme Corp: newsletter and partner domains (each with its sending IP), junk
domains, and the attackers' infrastructure of the three planted attacks."""

from __future__ import annotations

from .common import rng_for
from .org import FIRST, LAST

NEWSLETTER_DOMAINS = [
    "brightpath-news.example", "cloudnine-weekly.example", "metro-business-daily.example",
    "techpulse-digest.example", "greenleaf-offers.example", "skyline-travel-deals.example",
    "quantum-insights.example", "fintrack-bulletin.example", "northstar-webinars.example",
    "urbanfit-club.example", "bookhaven-picks.example", "codecraft-updates.example",
    "marketwatchers-brief.example", "harvest-table-recipes.example", "ai-frontier-letter.example",
    "securityweek-roundup.example", "devops-dispatch.example", "hr-leaders-forum.example",
    "supplychain-today.example", "cfo-insider-brief.example", "legal-tech-notes.example",
    "datacenter-world-news.example", "saas-pricing-report.example", "event-horizon-conf.example",
    "office-supply-direct.example", "travel-rewards-club.example", "procurement-pulse.example",
    "cyber-defense-digest.example", "smallbiz-growth-tips.example", "insurance-matters.example",
]
PARTNER_DOMAINS = [
    "harborline-freight.example", "bluepeak-consulting.example", "orion-legal.example",
    "vertex-components.example", "silverlake-bank.example", "meridian-audit.example",
    "cobalt-systems.example", "pinecrest-logistics.example", "redwood-manufacturing.example",
    "atlas-insurance-group.example", "lumen-design-studio.example", "kestrel-capital.example",
    "northwind-traders.example", "fabrikam-industries.example", "contoso-partners.example",
    "tailspin-aero.example", "wingtip-toys.example", "adventure-works-supply.example",
    "litware-software.example", "proseware-analytics.example", "woodgrove-finance.example",
    "alpine-ski-house.example", "coho-vineyard.example", "margie-travel.example",
    "trey-research.example", "fourth-coffee.example", "datum-corp.example",
    "humongous-insurance.example", "lucerne-publishing.example", "graphic-design-institute.example",
]
# benign domains that send on 2026-11-02 but not on 2026-11-01 (so "new domain" is not unique
# to the attacks)
BENIGN_NEW_ON_DAY = ["event-horizon-conf.example", "saas-pricing-report.example",
                     "trey-research.example"]
JUNK_WORDS = ["mega", "deal", "prize", "crypto", "pharma", "lucky", "bonus", "promo", "winner",
              "cheap", "rapid", "loan", "gold", "vip", "flash", "smart", "boost", "secret"]


ATTACK1 = {
    "sender": "billing@halvorsen-billing.example", "display_name": "Halvorsen Billing",
    "ip": "203.0.113.77", "subject": "Invoice INV-88341 overdue",
    "file": "INV-88341.xlsm", "mime": "application/vnd.ms-excel.sheet.macroEnabled.12",
    "size": 48213, "t0": (13, 5, 22, 418),
    "release_times": [(14, 6, 31), (14, 19, 2), (14, 47, 45)],
}
ATTACK2 = {
    "sender": "it-support@acme-c0rp.example", "display_name": "ACME IT Service Desk",
    "ip": "198.51.100.203", "subject": "Password expiry notice",
    "host": "login.acme-c0rp-secure.com", "registrable_domain": "acme-c0rp-secure.com",
    "path": "/owa/auth.php", "t0": (8, 4, 10, 233), "n": 25,
}
ATTACK3 = {
    "sender": "dana.whitfield.exec@swiftmail-free.example", "display_name": "Dana Whitfield",
    "reply_to": "dana.whitfield.ceo@fastpost-mail.example", "ip": "203.0.113.151",
    "subject": "Urgent wire transfer request", "t0": (15, 42, 17, 904),
}
RESERVED_IPS = {ATTACK1["ip"], ATTACK2["ip"], ATTACK3["ip"]}


def build_world(users):
    r = rng_for("world")
    pool = [f"{net}.{i}" for net in ("192.0.2", "198.51.100", "203.0.113") for i in range(2, 255)]
    pool = [ip for ip in pool if ip not in RESERVED_IPS]
    r.shuffle(pool)
    domains = {}
    for d in NEWSLETTER_DOMAINS:
        sub = r.choice(["mail.", "news.", "em.", ""])
        domains[d] = {"domain": d, "kind": "newsletter", "ip": pool.pop(),
                      "envelope": f"bounce-{r.randrange(1000, 9999)}@{sub}{d}" if sub else f"news@{d}",
                      "header": r.choice(["news", "newsletter", "noreply", "hello", "events"]) + "@" + d,
                      "link_host": f"{r.choice(['www', 'news', 'click', 'go'])}.{d}"}
    for d in PARTNER_DOMAINS:
        people = []
        for _ in range(r.randint(2, 4)):
            f, l = r.choice(FIRST), r.choice(LAST)
            people.append(f"{f.lower()}.{l.lower()}@{d}")
        people = sorted(set(people))
        domains[d] = {"domain": d, "kind": "partner", "ip": pool.pop(), "people": people,
                      "link_host": f"www.{d}"}
    # the partner whose sales manager shares a name with an internal user (benign IP hit)
    domains["harborline-freight.example"]["people"] = sorted(
        set(domains["harborline-freight.example"]["people"]) | {"chris.morgan@harborline-freight.example"})
    junk = []
    while len(junk) < 28:
        d = f"{r.choice(JUNK_WORDS)}-{r.choice(JUNK_WORDS)}{r.randrange(10, 99)}.example"
        if d not in junk:
            junk.append(d)
    junk_ips = [pool.pop() for _ in range(40)]
    internal_ips = [f"10.20.{r.randrange(1, 8)}.{r.randrange(2, 250)}" for _ in range(6)]
    return domains, junk, junk_ips, internal_ips, pool
