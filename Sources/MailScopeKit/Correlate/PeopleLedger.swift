import Foundation

extension IncidentBuilder {
    /// Who a campaign reached and how far, read one evidence table at a time: mail rows
    /// (received, delivered), attachment scans (held, released), held-message releases,
    /// impersonation hits, URL clicks
    /// (entry scans, clicks, clicks through), then the findings (correlations onto hosts). Each
    /// reader is tested on its own; the scope runs them in a fixed order so the same rows always
    /// give the same people, stages and proofs.
    struct PeopleLedger {
        var people: [String: Person] = [:]
        /// Message-ID → recipients whose copy was delivered: what a purge has to remove.
        var deliveredCopies: [String: Set<String>] = [:]
        var senders: Set<String> = []
        /// Attachment hashes judged malicious (or not judged: unknown, timeout).
        var hashes: Set<String> = []
        /// Clicked domains and pages Mimecast judged malicious.
        var domains: Set<String> = []
        var resources: Set<String> = []
        /// A clicked page was a credential-phishing page.
        var credentialPage = false

        func person(_ user: String) -> Person { people[user] ?? Person() }

        static func row(_ table: EventTable, _ r: Row) -> EvidenceRow {
            EvidenceRow(table: table.rawValue, rowid: r.int("id") ?? 0)
        }

        /// Receipt and delivery rows of message `m`: every recipient received it; a delivery row
        /// that says delivered puts them at delivery.
        mutating func readMail(_ db: Database, message m: String) throws {
            for r in try db.cachedRows("""
                SELECT id, event, recipient, delivered, ts, sender FROM mail_message
                WHERE message_id = ? AND recipient IS NOT NULL AND event IN ('receipt', 'delivery')
                ORDER BY id
                """, [.text(m)]) {
                guard let user = r.text("recipient") else { continue }
                // The null sender `<>` (bounces) is no one to block and no indicator.
                if let s = r.text("sender"), s != EmailAddress.nullSender { senders.insert(s) }
                var p = person(user)
                p.received = true
                if r.text("event") == "delivery" && r.int("delivered") == 1 {
                    p.delivered = true
                    deliveredCopies[m, default: []].insert(user)
                    p.raise(.delivery, Self.row(.mailMessage, r), ts: r.int("ts"))
                } else {
                    p.raise(.targeted, Self.row(.mailMessage, r), ts: r.int("ts"))
                }
                people[user] = p
            }
        }

        /// Attachment Protect rows of message `m`: a hold, block or quarantine stopped the copy;
        /// a release delivered it and counts as interaction; a malicious (or unjudged) file's
        /// hash joins the campaign's.
        mutating func readAttachmentScans(_ db: Database, message m: String) throws {
            for r in try db.cachedRows("""
                SELECT id, recipient, action_triggered, ts, sha256, result FROM attachment_scan
                WHERE message_id = ? AND recipient IS NOT NULL ORDER BY id
                """, [.text(m)]) {
                guard let user = r.text("recipient") else { continue }
                var p = person(user)
                p.received = true
                p.raise(.targeted, Self.row(.attachmentScan, r), ts: r.int("ts"))
                let action = (r.text("action_triggered") ?? "").lowercased()
                if ["hold", "block", "reject", "quarantine"].contains(where: { action.contains($0) }) { p.stopped = true }
                if action.contains("release") {
                    p.delivered = true
                    deliveredCopies[m, default: []].insert(user)
                    p.reached = true
                    p.raise(.interaction, Self.row(.attachmentScan, r), ts: r.int("ts"))
                }
                if let h = r.text("sha256"), ["malicious", "unknown", "timeout"].contains(r.text("result") ?? "") { hashes.insert(h) }
                people[user] = p
            }
        }

        /// Held-message releases linked to message `m` (`ReleaseLinker`): a release put the held
        /// copy in the mailbox, so the person received it, it was delivered (the release row is
        /// the proof) and it reached them — by their own hand (interaction) or an admin's
        /// (delivery). A rejection from hold stopped the copy. Without a release row nothing is
        /// concluded: no release log is not "not released".
        mutating func readReleases(_ db: Database, message m: String) throws {
            for r in try db.cachedRows("""
                SELECT id, recipient, status, operator_role, ts FROM message_release
                WHERE message_id_linked = ? AND recipient IS NOT NULL ORDER BY id
                """, [.text(m)]) {
                applyRelease(r, message: m)
            }
        }

        /// A release a finding cites that no message was linked to (`ReleaseLinker` found none,
        /// or the mail logs are not in the data): the release itself still proves the copy reached
        /// the mailbox.
        mutating func readRelease(_ db: Database, rowid: Int64) throws {
            for r in try db.cachedRows("""
                SELECT id, recipient, status, operator_role, ts FROM message_release
                WHERE id = ? AND message_id_linked IS NULL AND recipient IS NOT NULL
                """, [.integer(rowid)]) {
                applyRelease(r, message: nil)
            }
        }

        private mutating func applyRelease(_ r: Row, message m: String?) {
            guard let user = r.text("recipient") else { return }
            var p = person(user)
            p.received = true
            switch r.text("status") {
            case "released":
                p.delivered = true
                p.reached = true
                if let m { deliveredCopies[m, default: []].insert(user) }
                let byRecipient = r.text("operator_role") == MessageReleaseParser.OperatorRole.recipient.rawValue
                p.raise(byRecipient ? .interaction : .delivery, Self.row(.messageRelease, r), ts: r.int("ts"))
            case "rejected":
                p.stopped = true
                p.raise(.targeted, Self.row(.messageRelease, r), ts: r.int("ts"))
            default:
                p.raise(.targeted, Self.row(.messageRelease, r), ts: r.int("ts"))
            }
            people[user] = p
        }

        /// Impersonation Protect hits of message `m`: the recipient was targeted.
        mutating func readImpersonations(_ db: Database, message m: String) throws {
            for r in try db.cachedRows("SELECT id, recipient, ts FROM impersonation WHERE message_id = ? AND recipient IS NOT NULL ORDER BY id", [.text(m)]) {
                guard let user = r.text("recipient") else { continue }
                var p = person(user)
                p.received = true
                p.raise(.targeted, Self.row(.impersonation, r), ts: r.int("ts"))
                people[user] = p
            }
        }

        /// URL clicks on the campaign's messages or pages, in row order; entry scans only say
        /// who received it. A click (even a blocked one) was made in a delivered copy; one let
        /// through reached the page.
        mutating func readClicks(_ db: Database, messages: [String], resources pages: [String]) throws {
            var clickRows: [Row] = []
            for m in messages {
                clickRows += try db.cachedRows("SELECT id, user, is_click, action, ts, url_domain, url_resource, scan_result, message_id, category, credential_theft FROM url_click WHERE message_id = ? AND user IS NOT NULL", [.text(m)])
            }
            for u in pages {
                clickRows += try db.cachedRows("SELECT id, user, is_click, action, ts, url_domain, url_resource, scan_result, message_id, category, credential_theft FROM url_click WHERE url_resource = ? AND user IS NOT NULL", [.text(u)])
            }
            var seen = Set<Int64>()
            for r in clickRows.sorted(by: { ($0.int("id") ?? 0) < ($1.int("id") ?? 0) }) {
                guard let id = r.int("id"), seen.insert(id).inserted, let user = r.text("user") else { continue }
                var p = person(user)
                p.received = true
                if r.int("is_click") == 1 {
                    p.delivered = true
                    if let m = r.text("message_id") { deliveredCopies[m, default: []].insert(user) }
                    p.raise(.interaction, Self.row(.urlClick, r), ts: r.int("ts"))
                    if ["allow", "warn"].contains(r.text("action") ?? "") { p.reached = true; p.clickedThrough = true }
                } else {
                    p.raise(.targeted, Self.row(.urlClick, r), ts: r.int("ts"))
                }
                // A page Mimecast called phishing or found credential-theft evidence on: whoever
                // went through to it may have typed a password there.
                if (r.text("category") ?? "").lowercased().contains("phish") || !(r.text("credential_theft") ?? "").isEmpty {
                    credentialPage = true
                }
                if r.text("scan_result") == "malicious" {
                    if let d = r.text("url_domain") { domains.insert(d) }
                    if let u = r.text("url_resource") { resources.insert(u) }
                }
                people[user] = p
            }
        }

        /// Findings about a person (not the sender) with a stage add them and their stage; a
        /// correlation onto a computer outside the recipients (spread) lists the person, not as
        /// a recipient.
        mutating func apply(_ findings: [Finding]) {
            for f in findings.sorted(by: { $0.id < $1.id }) {
                guard let user = f.user, user != f.sender else { continue }
                // An audit or archive finding names the account that acted, not a recipient.
                if AdministrationReader.tables.contains(f.table) { continue }
                if f.kind == .correlation && f.host != nil && !(people[user]?.received ?? false) {
                    var p = person(user)
                    p.raise(f.stage ?? .interaction, f.evidence, ts: f.ts)
                    p.reached = true
                    people[user] = p
                    continue
                }
                var p = person(user)
                p.received = true
                if f.kind == .correlation, let stage = f.stage {
                    p.reached = true
                    p.delivered = true
                    if let m = f.messageID { deliveredCopies[m, default: []].insert(user) }
                    p.raise(stage, f.evidence, ts: f.ts)
                } else {
                    p.raise(p.stage, p.evidence ?? f.evidence, ts: f.ts)
                }
                people[user] = p
            }
        }
    }
}
