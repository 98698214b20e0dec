import ArgumentParser
import Foundation
import MailScopeKit

extension QueryCommand {
    struct Incident: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "incident",
            abstract: "One incident: who was targeted and interacted, delivered copies, hosts and what ran on them, indicators, findings.",
            discussion: """
            N is the incident's number as the reports show it (3 or #3) or its stable key \
            (hash:…, domain:…, message:…; numbers can change when incidents are rebuilt, keys do \
            not). Without N, lists the incidents. Sections: the incident, why this severity and \
            what to do, people, delivered copies with their Message-IDs (what a purge needs), \
            hosts, what ran on each host (the endpoint rows linking it to the campaign and the \
            process chain that followed within 24 hours of the last one: started processes with \
            command lines and parents, files, DNS and connections), indicators, findings with \
            the input line behind each.

            Examples:
              mailscope query incident --db case.db
              mailscope query incident 1 --db case.db
              mailscope query incident hash:9f2c… --format json --db case.db
            """
        )

        @Argument(help: ArgumentHelp("The incident: its number (3 or #3) or its key.", valueName: "n"))
        var incident: String?

        @OptionGroup var options: QueryOptions

        func run() throws {
            try options.run { db in
                guard let incident else {
                    options.print(try IncidentDetail.list(db, limit: options.limit))
                    return
                }
                options.print(try IncidentDetail.run(db, incident: incident, limit: options.limit))
            }
        }
    }

    struct Host: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "host",
            abstract: "One computer's endpoint timeline: processes with command lines and parents, files, DNS, connections.",
            discussion: """
            Every endpoint row of HOST (its short name, any case) in the period, oldest first, \
            with the columns of an incident's host activity: time, action, process, process id, \
            command line, parent and its id, file, SHA-256, domain or address reached, account, \
            and the input line behind the row.

            Examples:
              mailscope query host ws-0042 --since 2026-11-02T09:00:00Z --until 2026-11-02T12:00:00Z --db case.db
              mailscope query host WS-0042 --format csv --limit 0 --db case.db
            """
        )

        @Argument(help: ArgumentHelp("The host's short name.", valueName: "host"))
        var host: String

        @OptionGroup var options: QueryOptions
        @OptionGroup var period: PeriodOptions

        func filter() throws -> InvestigationFilter {
            try QueryOptions.checked { try InvestigationFilter(since: period.since, until: period.until) }
        }

        func validate() throws {
            if host.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("HOST: give the computer's name, e.g. ws-0042") }
            _ = try filter()
        }

        func run() throws {
            let filter = try filter()
            try options.run { db in
                let short = String(host.lowercased().split(separator: ".").first ?? Substring(host))
                var table = HostActivity.table(try HostActivity.timeline(db, host: short, since: filter.since, until: filter.until))
                if table.rows.isEmpty { Terminal.write(TerminalText.safe("no endpoint rows for host \(host) in \(options.db)") + "\n") }
                table.totalRows = table.rows.count
                if options.limit > 0 && table.rows.count > options.limit { table.rows.removeLast(table.rows.count - options.limit) }
                options.print(table)
            }
        }
    }
}
