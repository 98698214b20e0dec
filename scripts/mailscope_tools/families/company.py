"""A family seed's company: 32 people of acme-corp.example, each with a workstation covered by
one EDR product (taken in turn), handed out to the planted cases one by one."""

import hashlib
import random

ORG = "acme-corp.example"
FIRST = ["ana", "ben", "carla", "dev", "emma", "femi", "gus", "hana", "ivan", "jo", "kai", "lena", "milo", "nora", "omar", "pia",
         "raj", "sara", "tom", "uma", "vera", "wes", "xena", "yuri", "zoe"]
LAST = ["lima", "okafor", "berg", "nair", "costa", "ito", "moreau", "quinn", "roth", "silva", "tanaka", "vogel", "wu", "young", "zhou"]
PRODUCTS = ["mde", "crowdstrike", "sentinelone"]
DAY0 = 1_793_577_600_000   # 2026-11-02T00:00:00Z


def sha(text):
    return hashlib.sha256(text.encode()).hexdigest()


def delay(r):
    """Seconds to a day, spread over the orders of magnitude an analyst sees."""
    return r.choice([r.randrange(2, 60), r.randrange(60, 3600), r.randrange(3600, 6 * 3600), r.randrange(6 * 3600, 86_400)]) * 1000


class Company:
    """The people (email, sam, host, product, host_id, pid), shuffled; take() hands one out."""

    def __init__(self, r):
        self.r = r
        names = set()
        while len(names) < 24:
            names.add((r.choice(FIRST), r.choice(LAST)))
        self.people = []
        for i, (f, l) in enumerate(sorted(names)):
            product = PRODUCTS[i % 3]
            self.people.append({"email": f"{f}.{l}@{ORG}", "sam": f"{f[0]}{l}", "host": f"WS-{1000 + i}", "product": product,
                                "host_id": sha(f"host{i}{r.random()}")[:32], "pid": r.randrange(1000, 9000)})
        r.shuffle(self.people)
        # Eight more for the administration families, drawn from their own stream so the
        # earlier families' data stays what it was for a seed.
        extra = random.Random(sha(f"extra-{r.getstate()}"))
        more = set()
        while len(more) < 8:
            n = (extra.choice(FIRST), extra.choice(LAST))
            if n not in names:
                more.add(n)
        for j, (f, l) in enumerate(sorted(more)):
            i = 24 + j
            self.people.append({"email": f"{f}.{l}@{ORG}", "sam": f"{f[0]}{l}", "host": f"WS-{1000 + i}", "product": PRODUCTS[i % 3],
                                "host_id": sha(f"host{i}{extra.random()}")[:32], "pid": extra.randrange(1000, 9000)})
        self.free = list(self.people)

    def take(self, product=None):
        for p in self.free:
            if product is None or p["product"] == product:
                self.free.remove(p)
                return p
        raise SystemExit("scenario-families: ran out of people")
