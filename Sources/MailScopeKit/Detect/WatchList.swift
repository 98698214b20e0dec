import Crypto
import Foundation

/// A named list of people the customer wants watched more closely (VIPs, finance, HR …),
/// read from a file and kept in the `watch_list` table, where DUET rules join it.
///
/// The file holds one person per line: an email address, optionally followed by a comma and
/// the display name (`dana.whitfield@acme-corp.example,Dana Whitfield`). Blank lines and lines
/// starting with `#` are skipped; a header line `email,display_name` is allowed. Loading a list
/// replaces every earlier entry of the same name, so the table always says what the last run
/// was told, with the file's SHA-256 for the audit trail.
public struct WatchList: Sendable, Equatable {
    /// One watched person.
    public struct Entry: Sendable, Equatable {
        public var address: String
        public var displayName: String?
        public var line: Int
    }

    /// A line that is not an email address, or a name that cannot be a list name.
    public struct Error: Swift.Error, CustomStringConvertible, Equatable {
        public var path: String
        public var line: Int?
        public var problem: String
        public var description: String { line.map { "\(path):\($0): \(problem)" } ?? "\(path): \(problem)" }
    }

    public let name: String
    public let path: String
    public let sha256: String
    public let entries: [Entry]

    /// Parses `NAME=FILE` as given on the command line.
    public static func load(argument: String) throws -> WatchList {
        guard let eq = argument.firstIndex(of: "="), eq != argument.startIndex else {
            throw Error(path: argument, line: nil, problem: "expected NAME=FILE, e.g. vip=vip.txt")
        }
        return try load(name: String(argument[..<eq]), path: String(argument[argument.index(after: eq)...]))
    }

    /// Reads the list `name` from `path`.
    public static func load(name: String, path: String) throws -> WatchList {
        guard !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_") }) else {
            throw Error(path: path, line: nil, problem: "list name \"\(name)\" must be letters, digits, - or _")
        }
        let data: Data
        do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch {
            throw Error(path: path, line: nil, problem: "cannot read the watch list: \(error.localizedDescription)")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Error(path: path, line: nil, problem: "not UTF-8 text")
        }
        var entries: [Entry] = []
        var seen = Set<String>()
        var sawData = false
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if index == 0, line.hasPrefix("\u{FEFF}") { line.removeFirst() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces.union(CharacterSet(charactersIn: "\""))) }
            if !sawData, fields[0].lowercased() == "email" { sawData = true; continue }
            sawData = true
            guard let address = EmailAddress.normalize(fields[0]), address.contains("@"), !address.hasPrefix("@"), !address.hasSuffix("@") else {
                throw Error(path: path, line: index + 1, problem: "\"\(fields[0])\" is not an email address")
            }
            guard seen.insert(address).inserted else { continue }
            let display = fields.count > 1 && !fields[1].isEmpty ? fields[1] : nil
            entries.append(Entry(address: address, displayName: display, line: index + 1))
        }
        let sha = SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
        return WatchList(name: name, path: path, sha256: sha, entries: entries)
    }

    /// Replaces the list's rows in `watch_list`.
    public func store(in db: Database) throws {
        try db.transaction {
            try db.run("DELETE FROM watch_list WHERE list = ?", [.text(name)])
            let insert = try db.prepare("""
                INSERT INTO watch_list (list, address, local_part, display_name, source_path, source_sha256, source_line)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """)
            for e in entries {
                let local = String(e.address[..<e.address.firstIndex(of: "@")!])
                try insert.bind([.text(name), .text(e.address), .text(local), e.displayName.map { .text($0.lowercased()) } ?? .null,
                                 .text(path), .text(sha256), .integer(Int64(e.line))])
                try insert.step()
            }
        }
    }
}
