import Foundation

/// A few buffers handed back for reuse across threads, under a lock: memory the process has
/// already touched, where a fresh allocation of that size costs a page fault per 4 KiB written
/// (page faults were about a tenth of ingest CPU). It holds at most `limit` of them, and only
/// those `keep` accepts: one that a huge record or line made grow is freed, not kept.
final class BufferPool<Element>: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Element] = []
    private let limit: Int
    private let keep: (Element) -> Bool

    init(limit: Int, keep: @escaping (Element) -> Bool) {
        self.limit = limit
        self.keep = keep
    }

    func put(_ item: Element) {
        guard keep(item) else { return }
        lock.lock(); defer { lock.unlock() }
        if items.count < limit { items.append(item) }
    }

    func take() -> Element? {
        lock.lock(); defer { lock.unlock() }
        return items.popLast()
    }
}
