import Foundation

/// A blocking, bounded FIFO between two threads (the parser and the SQLite writer): `push`
/// waits while it is full, which is what keeps memory flat when one side is slower.
final class BoundedQueue<Element>: @unchecked Sendable {
    private var items: [Element] = []
    private var closed = false
    private let capacity: Int
    private let condition = NSCondition()

    init(capacity: Int) { self.capacity = capacity }

    /// Adds `item`, waiting for room; returns false when the queue was closed.
    @discardableResult
    func push(_ item: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while items.count >= capacity && !closed { condition.wait() }
        guard !closed else { return false }
        items.append(item)
        condition.broadcast()
        return true
    }

    /// The next item, waiting for one; nil once the queue is closed and empty.
    func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty && !closed { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// No more items will come; waiting consumers wake up.
    func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }
}
