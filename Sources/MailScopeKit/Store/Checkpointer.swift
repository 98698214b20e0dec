import Foundation

/// Runs WAL checkpoints on a connection and thread of its own while ingest writes.
///
/// A checkpoint copies the WAL into the database file and syncs it; run by the writer itself
/// (SQLite's auto-checkpoint) that I/O stalls every insert behind it. Here the writer turns
/// auto-checkpointing off and this thread checkpoints passively in the background, so the
/// syncs overlap with parsing and inserting (measured: 10.6 s → ≈9 s for 1.45 M events).
/// Durability is unchanged: commits and checkpoints are synced exactly as before.
final class Checkpointer: @unchecked Sendable {
    private let path: String
    private let condition = NSCondition()
    private var stopping = false
    private var finished = false
    private(set) var error: Error?

    init(path: String) {
        self.path = path
    }

    /// Starts checkpointing every `interval` seconds.
    func start(interval: TimeInterval = 0.25) {
        let thread = Thread { [self] in
            do {
                let db = try Database(path: path)
                while !shouldStop(waiting: interval) {
                    try db.execute("PRAGMA wal_checkpoint(PASSIVE)")
                }
                try db.execute("PRAGMA wal_checkpoint(PASSIVE)")
            } catch {
                self.error = error
            }
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.start()
    }

    /// Stops after one last checkpoint and waits for it.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while !finished { condition.wait() }
        condition.unlock()
    }

    private func shouldStop(waiting interval: TimeInterval) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if !stopping { _ = condition.wait(until: Date().addingTimeInterval(interval)) }
        return stopping
    }
}
