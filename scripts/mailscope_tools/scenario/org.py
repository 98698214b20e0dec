"""The people of Acme Corp: 200 mailboxes, the fixed cast (CEO, finance, the namesakes the
attacks need) first, then generated names."""

from __future__ import annotations

from .common import ORG_DOMAIN, ascii_fold, rng_for

FIRST = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David",
         "Elizabeth", "William", "Barbara", "Richard", "Susan", "Joseph", "Jessica", "Thomas",
         "Sarah", "Charles", "Karen", "Daniel", "Lisa", "Matthew", "Nancy", "Anthony", "Betty",
         "Mark", "Sandra", "Steven", "Ashley", "Paul", "Kimberly", "Andrew", "Emily", "Joshua",
         "Donna", "Kenneth", "Michelle", "Brian", "Carol", "George", "Amanda", "Ryan", "Melissa",
         "Jacob", "Deborah", "Gary", "Stephanie", "Eric", "Rebecca", "Aisha", "Wei", "Hiroshi",
         "Fatima", "Ravi", "Mei", "Omar", "Leila", "Sven", "Anika"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
        "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Taylor", "Thomas",
        "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson", "White", "Harris", "Sanchez",
        "Clark", "Ramirez", "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright",
        "Scott", "Torres", "Nguyen", "Hill", "Flores", "Green", "Adams", "Nelson", "Baker", "Hall",
        "Rivera", "Campbell", "Mitchell", "Carter", "Roberts", "Chen", "Patel", "Kim", "Tanaka",
        "Okafor", "Schmidt", "Novak", "Kowalski", "Haddad", "Lindgren"]

# (first, last, department, title) - fixed people; addresses are ASCII-folded first.last
FIXED_PEOPLE = [
    ("Dana", "Whitfield", "Executive", "Chief Executive Officer"),
    ("Gregory", "Stanton", "Executive", "Chief Operating Officer"),
    ("Priya", "Raman", "Finance", "Chief Financial Officer"),
    ("Marcus", "Okonkwo", "Finance", "Financial Controller"),
    ("Helen", "Ashby", "Finance", "Accounts Payable Lead"),
    ("Tomás", "Ribeiro", "Finance", "Treasury Analyst"),
    ("Grace", "Lindholm", "Finance", "Accountant"),
    ("Victor", "Salas", "Finance", "Accounts Payable Clerk"),
    ("Nadia", "Petrova", "Finance", "Payroll Specialist"),
    ("Owen", "Fitzgerald", "Finance", "Financial Analyst"),
    ("Ingrid", "Haugen", "Finance", "Accounts Receivable Clerk"),
    ("Kevin", "Marsh", "IT", "IT Service Desk Lead"),
    ("Zoë", "Brandt", "Marketing", "Brand Manager"),
    ("José", "Álvarez", "Sales", "Account Executive"),
    ("Søren", "Nygaard", "Engineering", "Software Engineer"),
    ("Łukasz", "Wróbel", "Engineering", "Site Reliability Engineer"),
    ("Chloé", "Dubois", "HR", "HR Business Partner"),
    ("Björn", "Lindqvist", "Operations", "Logistics Coordinator"),
    ("Chris", "Morgan", "Sales", "Sales Manager"),
]
DEPARTMENTS = [("Engineering", 30), ("Sales", 22), ("Operations", 16), ("Marketing", 10),
               ("Customer Support", 10), ("IT", 5), ("HR", 4), ("Legal", 3)]
N_MAILBOXES = 200


def build_org():
    r = rng_for("org")
    users = []
    seen = set()
    for first, last, dept, title in FIXED_PEOPLE:
        addr = f"{ascii_fold(first).lower()}.{ascii_fold(last).lower()}@{ORG_DOMAIN}"
        seen.add(addr)
        users.append({"address": addr, "display_name": f"{first} {last}", "department": dept,
                      "title": title})
    depts = [d for d, _ in DEPARTMENTS]
    dw = [w for _, w in DEPARTMENTS]
    while len(users) < N_MAILBOXES:
        first, last = r.choice(FIRST), r.choice(LAST)
        addr = f"{first.lower()}.{last.lower()}@{ORG_DOMAIN}"
        if addr in seen:
            continue
        seen.add(addr)
        users.append({"address": addr, "display_name": f"{first} {last}",
                      "department": r.choices(depts, dw)[0], "title": None})
    users.sort(key=lambda u: u["address"])
    return users
