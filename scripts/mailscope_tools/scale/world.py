"""The scale set's world, built once in the parent (worker processes inherit it): Acme Corp
grown to M mailboxes with one workstation each, its newsletter and partner correspondents, and
the web its hosts browse, every external address from the benchmark range 198.18.0.0/15."""

from __future__ import annotations

import random

from .. import pools
from ..scenario import org
from ..scenario import world as scenario_world
from ..scenario.common import ascii_fold
from ..scenario.hosts import (APP_DOMAINS, APPS, BACKGROUND_DOMAINS, COMMON_DOMAINS, HOST_DNS_SUFFIX,
                              IMAGE_SIZE, INTRANET_IP, PROTECT_HOST, edr_hashes, flast)
from ..scenario.org import FIXED_PEOPLE
from ..scenario.world import NEWSLETTER_DOMAINS, PARTNER_DOMAINS
from .common import ORG, PROTECT_IP, rng

SAAS_SENDERS = ["noreply", "notifications", "no-reply", "alerts", "billing", "support"]
WEB_EXTRA = ["fonts.gstatic.com", "cdn.jsdelivr.net", "static.licdn.com", "i.ytimg.com", "zoom.us",
             "ajax.googleapis.com", "www.dropbox.com", "www.wikipedia.org", "news.ycombinator.com",
             "www.reuters.com", "www.ft.com", "www.theguardian.com", "slack.com", "app.slack.com",
             "www.salesforce.com", "acmecorp.my.salesforce.com", "www.adobe.com", "www.apple.com"]
MS_HOSTS = ["login.microsoftonline.com", "outlook.office365.com", "graph.microsoft.com", "teams.microsoft.com",
            "officeclient.microsoft.com", "substrate.office.com", "ecs.office.com", "acmecorp.sharepoint.com",
            "acmecorp-my.sharepoint.com", "self.events.data.microsoft.com", "config.edge.skype.com"]
INTERNAL_SERVERS = [("dc01.corp." + ORG, "10.20.0.11", "389"), ("dc02.corp." + ORG, "10.20.0.12", "88"),
                    ("fs01.corp." + ORG, "10.20.0.30", "445"), ("print01.corp." + ORG, "10.20.0.35", "445"),
                    ("intranet." + ORG, INTRANET_IP, "443")]
JUNK_WORDS = [w for w in scenario_world.JUNK_WORDS]
GEN_SUFFIXES = ["-group", "-labs", "-partners", "-logistics", "-consulting", "-systems", "-supply", "-media",
                "-finance", "-legal", "-health", "-energy", "-studio", "-works", "-trading", "-digital"]


class User:
    """A mailbox and its workstation."""
    __slots__ = ("idx", "email", "display", "dept", "title", "sam", "host", "fqdn", "device_id", "ip")


class World:
    """Everything that does not change from day to day: the organisation, its hosts, its
    correspondents, the web. Built once in the parent; worker processes inherit it (fork)."""

    def __init__(self, seed: int, mailboxes: int):
        r = rng(seed, "world", mailboxes)
        self.seed, self.mailboxes = seed, mailboxes
        self.add_people(r, mailboxes)
        self.add_correspondents(r, mailboxes)
        self.add_web()

    def add_people(self, r, mailboxes):
        """The scenario's named people first, then generated ones; one host each."""
        firsts = sorted({f.capitalize() for f in pools.FIRST} | set(org.FIRST))
        lasts = sorted({l.capitalize() for l in pools.LAST} | set(org.LAST))
        depts = [("Engineering", 28), ("Sales", 20), ("Operations", 15), ("Marketing", 9), ("Customer Support", 12),
                 ("Finance", 5), ("IT", 4), ("HR", 3), ("Legal", 3), ("Executive", 1)]
        users, seen = [], set()
        for first, last, dept, title in FIXED_PEOPLE:
            email = f"{ascii_fold(first).lower()}.{ascii_fold(last).lower()}@{ORG}"
            seen.add(email)
            users.append((email, f"{first} {last}", dept, title))
        while len(users) < mailboxes:
            first, last = r.choice(firsts), r.choice(lasts)
            base = f"{first.lower()}.{last.lower()}"
            email, n = f"{base}@{ORG}", 2
            while email in seen:
                email, n = f"{base}{n}@{ORG}", n + 1
            seen.add(email)
            users.append((email, f"{first} {last}", r.choices([d for d, _ in depts], [w for _, w in depts])[0], None))
        users = users[:mailboxes]
        users.sort(key=lambda u: u[0])
        width = max(4, len(str(10 * mailboxes)))
        numbers = r.sample(range(1, 10 * mailboxes), mailboxes)
        ip_order = r.sample(range(mailboxes), mailboxes)
        taken = set()
        self.users = []
        for i, ((email, display, dept, title), num) in enumerate(zip(users, numbers)):
            u = User()
            u.idx, u.email, u.display, u.dept, u.title = i, email, display, dept, title
            base = flast(display)
            sam, n = base, 2
            while sam in taken:
                sam, n = f"{base}{n}", n + 1
            taken.add(sam)
            u.sam = sam
            u.host = f"WS-{num:0{width}d}"
            u.fqdn = f"ws-{num:0{width}d}.{HOST_DNS_SUFFIX}"
            u.device_id = "%040x" % r.getrandbits(160)
            k = ip_order[i]
            u.ip = f"10.{24 + k // 64516}.{(k // 254) % 254 + 1}.{k % 254 + 1}"
            self.users.append(u)
        self.by_email = {u.email: u for u in self.users}
        self.ceo = self.by_email["dana.whitfield@" + ORG]
        self.finance = [u.idx for u in self.users if u.dept == "Finance"]
        self.non_exec = [u.idx for u in self.users if u.dept not in ("Executive",)]
        self.internal_names = [u.display for u in self.users if u.dept in ("Executive", "Finance")][:40]
        self.firsts, self.lasts = firsts, lasts

    def add_correspondents(self, r, mailboxes):
        """Newsletter and partner domains (the scenario's first, then generated ones), with
        addresses from the benchmark range 198.18.0.0/15."""
        firsts, lasts = self.firsts, self.lasts
        ips = [f"198.{18 + (k >> 16)}.{(k >> 8) & 255}.{k & 255}" for k in range(1, 1 << 17) if k & 255 not in (0, 255)]
        r.shuffle(ips)
        self._ips = ips
        words = [w for w in pools.WORDS if w != "acme"]
        gen = set()

        def new_domain():
            while True:
                if r.random() < 0.5:
                    d = f"{r.choice(words)}-{r.choice(words)}.example"
                else:
                    d = f"{r.choice(words)}{r.choice(GEN_SUFFIXES)}.example"
                if d not in gen and d not in PARTNER_DOMAINS and d not in NEWSLETTER_DOMAINS:
                    gen.add(d)
                    return d

        self.newsletters = []
        n_news = max(40, mailboxes // 20)
        for k, d in enumerate(list(NEWSLETTER_DOMAINS) + [new_domain() for _ in range(n_news - len(NEWSLETTER_DOMAINS))]):
            sub = r.choice(["mail.", "news.", "em.", ""])
            env = f"bounce-{r.randrange(1000, 9999)}@{sub}{d}" if sub else f"news@{d}"
            hdr = r.choice(["news", "newsletter", "noreply", "hello", "events"]) + "@" + d
            if k % 5 == 4:   # SaaS notifications rather than newsletters
                env = hdr = f"{r.choice(SAAS_SENDERS)}@{d}"
            self.newsletters.append({"domain": d, "env": env, "hdr": hdr, "sdom": env.split("@")[1], "ip": ips.pop(),
                                     "link_host": f"{r.choice(['www', 'news', 'click', 'go', 'app'])}.{d}"})
        self.partners = []
        n_part = max(40, mailboxes // 3)
        for d in list(PARTNER_DOMAINS) + [new_domain() for _ in range(n_part - len(PARTNER_DOMAINS))]:
            people = sorted({f"{r.choice(firsts).lower()}.{r.choice(lasts).lower()}@{d}" for _ in range(r.randint(2, 5))})
            self.partners.append({"domain": d, "people": people, "ip": ips.pop(), "mx": f"mx{r.randint(1, 3)}.{d}",
                                  "mx_ip": ips.pop(), "link_host": f"www.{d}"})
        self.partner_by_domain = {p["domain"]: p for p in self.partners}
        self.core_partners = [self.partner_by_domain[d] for d in PARTNER_DOMAINS]
        self.words = words

    def add_web(self):
        """The web the hosts browse (each name gets one address) and the programs' image hashes."""
        ips = self._ips
        self.web_ip = {}
        for d in (COMMON_DOMAINS + BACKGROUND_DOMAINS + sorted(set(APP_DOMAINS.values())) + WEB_EXTRA + MS_HOSTS
                  + [n["link_host"] for n in self.newsletters] + [p["link_host"] for p in self.partners]):
            if d not in self.web_ip:
                self.web_ip[d] = INTRANET_IP if d.endswith("." + ORG) else ips.pop()
        self.web_ip[PROTECT_HOST] = PROTECT_IP
        self.browse = COMMON_DOMAINS + WEB_EXTRA + [p["link_host"] for p in self.partners[:60]]
        self.image_hashes = {}
        for key in APPS:
            name = key.split("#")[0]
            h = edr_hashes("image/" + (name if name != "update.exe" else "phish/update.exe"))
            size = IMAGE_SIZE.get(name, 250_000 + int(h["md5"][:4], 16) * 7)
            self.image_hashes[name] = (h["sha1"], h["sha256"], h["md5"], str(size))

    def fresh_domain(self, r: random.Random, suffix: str) -> str:
        """A domain seen for the first time (spam, malware, phishing): never from the pools above."""
        return f"{r.choice(JUNK_WORDS)}-{r.choice(JUNK_WORDS)}{r.randrange(10, 999)}{suffix}.example"
