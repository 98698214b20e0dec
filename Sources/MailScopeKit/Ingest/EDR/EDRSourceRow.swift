/// One exported EDR event as the row builder sees it: the value of each canonical field and
/// the source (CSV column or JSON key) it came from. The builder `take`s every value it
/// stores in a column; whatever non-empty source it did not take goes to `extra` under its
/// own name, so a value is never lost because a field's role did not apply to the row (an
/// acting process's command line on a process start is the parent's, not dropped).
///
/// Reused from row to row by one parsing thread.
final class EDRSourceRow {
    /// Per canonical field (by `EDRField.index`): its value in this row, if any.
    private(set) var values: [String?]
    /// Per canonical field: the source index that supplied the value (-1 for none).
    private(set) var sourceOf: [Int]
    /// Per source: whether it holds a value (not empty, `-` or `null`).
    private(set) var present: [Bool] = []
    /// Per source: taken into a column by the builder.
    private(set) var taken: [Bool] = []
    /// The sources' names (CSV header or JSON keys), as exported.
    private(set) var names: [String] = []
    /// The names as JSON strings (UTF-8), when the caller has them ready (a CSV header,
    /// quoted once).
    private(set) var quotedNames: [[UInt8]]?

    /// A record the builder scans a row's JSON details into (MDE AdditionalFields), reused.
    let scratchRecord = Record()

    init() {
        values = Array(repeating: nil, count: EDRField.allCases.count)
        sourceOf = Array(repeating: -1, count: EDRField.allCases.count)
    }

    /// The fields `set` since the last reset (only those are cleared).
    private var setFields: [Int] = []

    /// Starts a row with these sources (names as exported).
    func reset(names: [String], quoted: [[UInt8]]? = nil) {
        for i in setFields { values[i] = nil; sourceOf[i] = -1 }
        setFields.removeAll(keepingCapacity: true)
        self.names = names
        quotedNames = quoted
        if present.count != names.count {
            present = Array(repeating: false, count: names.count)
            taken = Array(repeating: false, count: names.count)
        } else {
            for i in present.indices { present[i] = false; taken[i] = false }
        }
    }

    /// Marks source `index` as holding a value.
    func markPresent(_ index: Int) { present[index] = true }

    /// Sets a field's value from source `index` (the first alias with a value wins).
    func set(_ field: EDRField, _ value: String, from index: Int) {
        guard values[field.index] == nil else { return }
        values[field.index] = value
        sourceOf[field.index] = index
        setFields.append(field.index)
    }

    /// The field's value without storing it anywhere (to decide a row's shape).
    func peek(_ field: EDRField) -> String? { Self.meaningful(values[field.index]) }

    /// The field's value, marking its source as stored in a column.
    func take(_ field: EDRField) -> String? {
        let s = sourceOf[field.index]
        if s >= 0 { taken[s] = true }
        return Self.meaningful(values[field.index])
    }

    /// Gives a taken value back (it did not fit its column: an all-zero hash, a port that is
    /// no number), so it is kept in `extra` instead of being lost.
    func release(_ field: EDRField) {
        let s = sourceOf[field.index]
        if s >= 0 { taken[s] = false }
    }

    /// The source a field came from (nil when the row has no value for it).
    func source(of field: EDRField) -> Int? {
        let s = sourceOf[field.index]
        return s >= 0 ? s : nil
    }

    /// Source indexes with a value that no column took, in export order.
    var leftovers: [Int] {
        var out: [Int] = []
        for i in present.indices where present[i] && !taken[i] { out.append(i) }
        return out
    }

    /// Appends source `i`'s name as a JSON string.
    func appendQuotedName(_ i: Int, to out: inout [UInt8]) {
        if let quotedNames { out.append(contentsOf: quotedNames[i]) } else { out.append(contentsOf: JSONScanner.quote(names[i]).utf8) }
    }

    /// Exports write "no value" as an empty cell, `-` or `null`.
    static func meaningful(_ s: String?) -> String? {
        guard let s, !s.isEmpty, s != "-", s != "null" else { return nil }
        return s
    }
}
