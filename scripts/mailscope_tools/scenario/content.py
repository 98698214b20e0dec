"""Content pools: subjects per kind of mail, partner attachment names, URL categories and TLS
pairs, filled in with fill()."""

from __future__ import annotations

import random

TOPICS = ["cloud cost control", "zero trust", "supply chain risk", "AI governance", "hybrid work",
          "payments modernisation", "data retention", "edge computing", "ESG reporting",
          "customer retention", "warehouse automation", "IFRS 17"]
NEWSLETTER_SUBJECTS = ["Your weekly digest", "Top stories this week", "Webinar: {topic}",
                       "Last chance: 20% off everything", "November product updates",
                       "Monday briefing", "Report: {topic} trends 2026",
                       "New on the blog: {topic}", "Your invitation: {topic} summit",
                       "Café & Co. — November offers", "Price update | November",
                       "5 lessons on {topic}", "Grüße aus Berlin: event recap",
                       "Don't miss: {topic} masterclass", "Your account summary"]
PARTNER_SUBJECTS = ["RE: PO {n} delivery schedule", "Updated contract draft",
                    "Invoice {n} for October services", "Meeting notes {n}",
                    "Shipment {n} confirmation", "Proposal for Q1 2027", "FW: Audit checklist",
                    "Statement of work v{d}", "RE: Follow-up from Thursday",
                    "Quarterly business review", "Remittance advice {n}",
                    "Réunion de suivi projet {d}", "Certificate of insurance renewal"]
INTERNAL_SUBJECTS = ["Weekly report", "Team lunch on Friday", "Q4 planning | agenda",
                     "Re: budget review", "Onboarding checklist", "Réunion d'équipe",
                     "Updated slides", "Holiday schedule", "IT maintenance window Saturday",
                     "Sprint {d} retro notes", "1:1 follow-up", "Expense report approval",
                     "RE: customer escalation {n}", "Draft press release", "Lunch?",
                     "Board pack — final version", "Access request for shared drive"]
OUTBOUND_SUBJECTS = ["RE: PO {n} delivery schedule", "Quote {n}", "Signed contract",
                     "Follow-up from our call", "Payment confirmation {n}", "RE: Updated contract draft",
                     "Introductions", "RE: Meeting notes {n}", "Order {n} shipped"]
SPAM_SUBJECTS = ["You have WON a $1000 gift card", "Cheap meds online", "Crypto x10 guaranteed",
                 "Re: your package is waiting", "Hot singles in your area", "Lose 10kg fast",
                 "URGENT: account verification", "Exclusive VIP offer just for you"]
PARTNER_ATTACHMENTS = [("PO-{n}.pdf", "pdf", "application/pdf"),
                       ("Statement-October-2026.xlsx", "xlsx",
                        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
                       ("Contract_draft_v{d}.docx", "docx",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                       ("site-photo-{d}.png", "png", "image/png"),
                       ("Shipping-label-{n}.pdf", "pdf", "application/pdf"),
                       ("Remittance_{n}.pdf", "pdf", "application/pdf"),
                       ("QBR deck Q3.pptx", "pptx",
                        "application/vnd.openxmlformats-officedocument.presentationml.presentation")]
URL_CATEGORIES = ["Business", "News & Media", "Shopping", "Computers & Technology", "Travel",
                  "Education"]
TLS = [("TLSv1.3", "TLS_AES_256_GCM_SHA384"), ("TLSv1.2", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"),
       ("TLSv1.3", "TLS_AES_128_GCM_SHA256")]
SPF_INFO = ["ALLOW", "SPF_PASS"]


def fill(r: random.Random, s: str) -> str:
    return s.format(topic=r.choice(TOPICS), n=r.randrange(10000, 99999), d=r.randint(2, 9))
