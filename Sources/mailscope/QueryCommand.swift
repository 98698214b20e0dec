import ArgumentParser
import Foundation
import MailScopeKit

/// `mailscope query …`: read-only investigations over a loaded database — URL clicks,
/// attachments, impersonation hits, one message's trace, threat activity, one person.
struct QueryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query",
        abstract: "Investigate a loaded database: clicks, attachments, impersonation, a message, threat activity, a person, an incident, a host.",
        discussion: """
        The database is opened read-only. Filters are bound as values, never spliced into SQL. \
        Times are UTC (ISO 8601); evidence is the input file and line of each row. The table \
        shows the main columns; --format csv or json has all of them.

        Examples:
          mailscope query url --domain acme-c0rp-secure.com --db case.db
          mailscope query message 8e794267a4779ee393db.12@mailer.acme-c0rp.example --db case.db
          mailscope query user helen.ashby@acme-corp.example --db case.db
          mailscope query incident 3 --db postgresql://analyst@db.example/acme
          mailscope query incident 1 --db case.db
          mailscope query host ws-0042 --since 2026-11-02 --db case.db
        """,
        subcommands: [URLClicks.self, Attachments.self, Impersonations.self, Message.self, ThreatActivitySummary.self, Person.self, Incident.self, Host.self]
    )

    // MARK: - Subcommands

    struct URLClicks: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "url",
            abstract: "URL Protect clicks: who clicked what, when, the verdict and what they chose.",
            discussion: """
            One row per click: time, user, action (allow, warn, block), scan result, what the user \
            chose on a warning page, category, the URL unwrapped and as seen, sender, subject, \
            Message-ID, evidence. Entry scans (Mimecast checking a link on delivery) are not clicks \
            and are left out unless --include-scans.

            Examples:
              mailscope query url --domain acme-c0rp-secure.com --db case.db
              mailscope query url --user priya.raman@acme-corp.example --since 2026-11-02 --format csv --db case.db
              mailscope query url --url login.acme-c0rp-secure.com/owa --include-scans --format json --db case.db
            """
        )

        @OptionGroup var options: QueryOptions
        @Option(help: ArgumentHelp("Who clicked.", valueName: "email")) var user: String?
        @Option(help: ArgumentHelp("The sender of the message the link was in.", valueName: "email")) var sender: String?
        @Option(help: ArgumentHelp("The clicked URL's domain or host, the sender's or the user's domain (subdomains included).", valueName: "domain")) var domain: String?
        @Option(help: ArgumentHelp("Text the URL contains, unwrapped or as seen (any case).", valueName: "text")) var url: String?
        @Option(name: .customLong("message-id"), help: ArgumentHelp("The message the link was in (with or without <>).", valueName: "id")) var messageID: String?
        @OptionGroup var period: PeriodOptions
        @Flag(name: .customLong("include-scans"), help: "Also list entry scans (checks on delivery, not clicks).") var includeScans = false

        func filter() throws -> InvestigationFilter {
            try QueryOptions.checked {
                try InvestigationFilter(user: user, sender: sender, domain: domain, url: url, messageID: messageID,
                                        since: period.since, until: period.until)
            }
        }

        func validate() throws { _ = try filter() }

        func run() throws {
            let filter = try filter()
            try options.run { db in
                options.print(try InvestigationQuery.urlClicks(includingEntryScans: includeScans).run(db, filter: filter, limit: options.limit))
            }
        }
    }

    struct Attachments: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "attachment",
            abstract: "Attachment Protect results: which file reached whom, and the verdict.",
            discussion: """
            One row per result: time, recipient, sender, file name, SHA-256, result (safe, \
            malicious, …), action, details, subject, Message-ID, evidence. A SIEM event logged once \
            for the whole message lists the message's recipients.

            Examples:
              mailscope query attachment --sha256 ca9dc54aea090f1984fe86550934c0b3961addf0819196f1356b59719077af83 --db case.db
              mailscope query attachment --domain halvorsen-billing.example --format csv --db case.db
              mailscope query attachment --user helen.ashby@acme-corp.example --since 2026-11-02T13:00:00Z --db case.db
            """
        )

        @OptionGroup var options: QueryOptions
        @Option(help: ArgumentHelp("The recipient.", valueName: "email")) var user: String?
        @Option(help: ArgumentHelp("The sender.", valueName: "email")) var sender: String?
        @Option(help: ArgumentHelp("The sender's or the recipient's domain (subdomains included).", valueName: "domain")) var domain: String?
        @Option(help: ArgumentHelp("The file's SHA-256.", valueName: "hash")) var sha256: String?
        @Option(name: .customLong("message-id"), help: ArgumentHelp("The message (with or without <>).", valueName: "id")) var messageID: String?
        @OptionGroup var period: PeriodOptions

        func filter() throws -> InvestigationFilter {
            try QueryOptions.checked {
                try InvestigationFilter(user: user, sender: sender, domain: domain, sha256: sha256, messageID: messageID,
                                        since: period.since, until: period.until)
            }
        }

        func validate() throws { _ = try filter() }

        func run() throws {
            let filter = try filter()
            try options.run { db in
                options.print(try InvestigationQuery.attachments.run(db, filter: filter, limit: options.limit))
            }
        }
    }

    struct Impersonations: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "impersonation",
            abstract: "Impersonation Protect hits: who was targeted, by whom, and how Mimecast tagged it.",
            discussion: """
            One row per hit: time, recipient, sender, identifiers that fired (internal user name, \
            reply-address mismatch, new domain, …), action, whether the message was tagged \
            (malicious, external), hits, definition, who the sender resembles, subject, Message-ID, evidence.

            Examples:
              mailscope query impersonation --db case.db
              mailscope query impersonation --sender dana.whitfield.exec@swiftmail-free.example --format json --db case.db
              mailscope query impersonation --user priya.raman@acme-corp.example --db case.db
            """
        )

        @OptionGroup var options: QueryOptions
        @Option(help: ArgumentHelp("The recipient.", valueName: "email")) var user: String?
        @Option(help: ArgumentHelp("The sender.", valueName: "email")) var sender: String?
        @Option(help: ArgumentHelp("The sender's or the recipient's domain (subdomains included).", valueName: "domain")) var domain: String?
        @Option(name: .customLong("message-id"), help: ArgumentHelp("The message (with or without <>).", valueName: "id")) var messageID: String?
        @OptionGroup var period: PeriodOptions

        func filter() throws -> InvestigationFilter {
            try QueryOptions.checked {
                try InvestigationFilter(user: user, sender: sender, domain: domain, messageID: messageID,
                                        since: period.since, until: period.until)
            }
        }

        func validate() throws { _ = try filter() }

        func run() throws {
            let filter = try filter()
            try options.run { db in
                options.print(try InvestigationQuery.impersonations.run(db, filter: filter, limit: options.limit))
            }
        }
    }

    struct Message: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "message",
            abstract: "Trace one message: receipt, processing, delivery and every protection event, in time order.",
            discussion: """
            Rows of mail_message (receipt, process, delivery per recipient) and of url_click, \
            attachment_scan, impersonation and mail_event for the Message-ID, with rows logged \
            without a Message-ID joined through the message's aggregate id (column linked_by).

            Examples:
              mailscope query message '<cf83fc60d3bb7bbc74864185$a81f8535@mail.halvorsen-billing.example>' --db case.db
              mailscope query message 8e794267a4779ee393db.12@mailer.acme-c0rp.example --format json --db case.db
            """
        )

        @Argument(help: ArgumentHelp("The Message-ID, with or without <> (quote it in the shell).", valueName: "message-id"))
        var messageID: String

        @OptionGroup var options: QueryOptions

        func validate() throws { _ = try QueryOptions.checked { try InvestigationFilter.messageID(messageID, option: "MESSAGE-ID") } }

        func run() throws {
            try options.run { db in
                let trace = try MessageTrace.run(db, messageID: messageID, limit: options.limit)
                if trace.rows.isEmpty { Terminal.write(TerminalText.safe("no rows for Message-ID \(messageID)") + "\n") }
                options.print(trace)
            }
        }
    }

    struct ThreatActivitySummary: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "threat-activity",
            abstract: "Summarize threat events: totals, by type and verdict, most targeted people, senders, clicked domains.",
            discussion: """
            For the whole database, one person (--user) or one domain (--domain: the recipient's \
            or the sender's), over a period. Threat events: URL clicks, Attachment Protect, \
            Impersonation Protect, antivirus, spam, Internal Email Protect, mail rejected at \
            receipt. "threats" counts those Mimecast judged malicious or acted on. JSON is one \
            object with an array per section; CSV one table with a section column.

            Examples:
              mailscope query threat-activity --db case.db
              mailscope query threat-activity --user helen.ashby@acme-corp.example --since 2026-11-02 --until 2026-11-02 --db case.db
              mailscope query threat-activity --domain acme-c0rp.example --format json --db case.db
            """
        )

        @OptionGroup var options: QueryOptions
        @Option(help: ArgumentHelp("Only events concerning this person (clicker, recipient).", valueName: "email")) var user: String?
        @Option(help: ArgumentHelp("Only events whose recipient's or sender's domain is this (subdomains included).", valueName: "domain")) var domain: String?
        @OptionGroup var period: PeriodOptions
        @Option(help: "How many rows each ranking keeps.") var top: Int = 10

        func filter() throws -> InvestigationFilter {
            try QueryOptions.checked {
                try InvestigationFilter(user: user, domain: domain, since: period.since, until: period.until)
            }
        }

        func validate() throws {
            if user != nil && domain != nil { throw ValidationError("give --user or --domain, not both") }
            if top < 1 { throw ValidationError("--top must be at least 1") }
            _ = try filter()
        }

        func run() throws {
            let filter = try filter()
            try options.run { db in
                options.print(try ThreatActivity.run(db, filter: filter, top: top, limit: options.limit))
            }
        }
    }

    struct Person: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "user",
            abstract: "Everything about one person: hosts, mail, clicks, attachments, endpoint activity, findings, incidents.",
            discussion: """
            Sections: hosts and accounts (identity map), mail counts, flagged and newest mail \
            received, URL clicks, attachments, impersonation hits, endpoint activity on their \
            hosts by action, endpoint rows a finding or threat-intel match names, findings, and \
            the incidents they are in with their stage; from the Mimecast administration \
            exports, their Awareness Training risk, admin-console and API activity (audit log), \
            archive searches and views by them or of their mail, and DLP events of their mail. \
            --since/--until bound the events; an incident is listed when its activity overlaps \
            the period.

            Examples:
              mailscope query user helen.ashby@acme-corp.example --db case.db
              mailscope query user lisa.campbell@acme-corp.example --since 2026-11-02T08:00:00Z --format json --db case.db
            """
        )

        @Argument(help: ArgumentHelp("The person's email address.", valueName: "email"))
        var email: String

        @OptionGroup var options: QueryOptions
        @OptionGroup var period: PeriodOptions
        @Option(help: "How many flagged or recent messages to list.") var top: Int = 10

        func filter() throws -> InvestigationFilter {
            try QueryOptions.checked { try InvestigationFilter(since: period.since, until: period.until) }
        }

        func validate() throws {
            _ = try QueryOptions.checked { try InvestigationFilter.address(email, option: "EMAIL") }
            if top < 1 { throw ValidationError("--top must be at least 1") }
            _ = try filter()
        }

        func run() throws {
            let filter = try filter()
            try options.run { db in
                let sections = try UserProfile.run(db, user: email, period: filter, top: top, limit: options.limit)
                let nothing = sections.allSatisfy { section in
                    guard section.key == "mail" else { return section.table.rows.isEmpty }
                    return ["received", "sent"].allSatisfy { (section.table.values($0)?.first?.intValue ?? 0) == 0 }
                }
                if nothing { Terminal.write(TerminalText.safe("nothing in \(options.db) mentions \(email)") + "\n") }
                options.print(sections)
            }
        }
    }
}

/// Options every query takes: the database, the output format and the row limit.
struct QueryOptions: ParsableArguments {
    @Option(help: "The SQLite database (opened read-only), or a PostgreSQL one (postgresql://USER@HOST:PORT/DBNAME; read in a READ ONLY snapshot).")
    var db: String

    @Option(help: "table, csv or json.")
    var format: OutputFormat = .table

    @Option(help: "At most this many rows per table (0 = all); rows left out are reported on stderr.")
    var limit: Int = 1000

    func validate() throws {
        if limit < 0 { throw ValidationError("--limit must be 0 (all) or more") }
    }

    /// Runs `body` on the database opened read-only; a database that cannot be read is one
    /// clear line on stderr and exit code 2, a problem with the query one line and exit code 1.
    func run(_ body: (Database) throws -> Void) throws {
        let database = try ReadableStore.open(db, application: "mailscope query")
        do {
            try body(database)
        } catch let error as DatabaseError {
            throw InvestigationError.queryFailed(database: db, message: error.message)
        }
    }

    /// A library error about an option's value, shown as a usage error.
    static func checked<T>(_ body: () throws -> T) throws -> T {
        do { return try body() } catch let error as InvestigationError { throw ValidationError(error.description) }
    }

    func print(_ table: InvestigationTable) {
        if format == .table {
            let shown = QueryOptions.terminalColumns(table)
            QueryOptions.write(ResultPrinter.render(columns: shown.columns, rows: shown.rows, format: .table))
        } else {
            QueryOptions.write(ResultPrinter.render(columns: table.columns, rows: table.rows, format: format))
        }
        if table.isTruncated {
            Terminal.write("showing the first \(table.rows.count) of \(table.totalRows) rows; --limit 0 shows all\n")
        }
    }

    /// Results to stdout, unbuffered, so a note on stderr about cut rows follows them.
    static func write(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }

    /// The compact columns, with evidence cut from the left so the table (which cuts cells
    /// at `ResultPrinter.cellLimit` characters from the right) keeps the file name and line.
    static func terminalColumns(_ table: InvestigationTable) -> (columns: [String], rows: [[SQLValue]]) {
        let shown = table.compact
        guard let e = shown.columns.firstIndex(of: "evidence") else { return shown }
        let rows = shown.rows.map { row -> [SQLValue] in
            guard let text = row[e].stringValue, text.count > ResultPrinter.cellLimit else { return row }
            var cut = row
            cut[e] = .text("…" + text.suffix(ResultPrinter.cellLimit - 1))
            return cut
        }
        return (shown.columns, rows)
    }

    func print(_ sections: [InvestigationSection]) {
        QueryOptions.write(SectionPrinter.render(sections, format: format))
        for section in sections where section.table.isTruncated {
            Terminal.write("\(section.key): showing \(section.table.rows.count) of \(section.table.totalRows) rows; \(section.limitOption) sets how many\n")
        }
    }
}

/// The period options: `--since` and `--until`.
struct PeriodOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only events at or after this time: 2026-11-02, 2026-11-02T09:00:00Z (UTC unless an offset is given).", valueName: "time"))
    var since: String?

    @Option(help: ArgumentHelp("Only events up to this time; a bare date includes that whole day.", valueName: "time"))
    var until: String?
}

/// Summaries of several sections: titled tables, one JSON object with an array per section,
/// or one CSV table with a `section` column.
enum SectionPrinter {
    static func render(_ sections: [InvestigationSection], format: OutputFormat, terminal: Bool = Terminal.stdoutIsTTY) -> String {
        switch format {
        case .table:
            return sections.map { section in
                let title = TerminalText.safe(section.title)
                let table = QueryOptions.terminalColumns(section.table)
                return title + "\n" + String(repeating: "=", count: title.count) + "\n"
                    + ResultPrinter.render(columns: table.columns, rows: table.rows, format: .table)
            }.joined(separator: "\n")
        case .json:
            var object: [String: Any] = [:]
            for section in sections {
                object[section.key] = section.table.rows.map { row in
                    Dictionary(uniqueKeysWithValues: zip(section.table.columns, row).map { ($0, ResultPrinter.json($1)) })
                }
            }
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data("{}".utf8)
            return JSONText.safe(String(decoding: data, as: UTF8.self)) + "\n"
        case .csv:
            var columns: [String] = []
            for section in sections { for c in section.table.columns where !columns.contains(c) { columns.append(c) } }
            var lines = [(["section"] + columns).map { CSVText.cell($0, forTerminal: terminal) }.joined(separator: ",")]
            for section in sections {
                let index = Dictionary(uniqueKeysWithValues: section.table.columns.enumerated().map { ($1, $0) })
                for row in section.table.rows {
                    let cells = columns.map { name -> String in
                        guard let i = index[name], !row[i].isNull else { return "" }
                        return row[i].description
                    }
                    lines.append(([section.key] + cells).map { CSVText.cell($0, forTerminal: terminal) }.joined(separator: ","))
                }
            }
            return lines.joined(separator: "\r\n") + "\r\n"
        }
    }
}
