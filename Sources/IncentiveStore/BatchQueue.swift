import Foundation

/// A bounded queue of batches from one producing thread to one consuming thread, and what the producer found
/// in the end (its problems, say). The producer waits while the consumer is `depth` batches behind, so memory
/// stays at a few batches whatever the size of the file or table.
final class BatchQueue<Batch: Sendable, Result: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Batch] = []
    private var finished = false
    private var stopped = false
    private var final: Result?
    let depth: Int

    init(depth: Int = 4) { self.depth = depth }

    /// Hands on a batch (waits while the queue is full); false once the consumer has stopped.
    @discardableResult
    func put(_ batch: Batch) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while queue.count >= depth && !stopped { condition.wait() }
        if stopped { return false }
        queue.append(batch)
        condition.broadcast()
        return true
    }

    /// The producer is done; `result` is what it found.
    func finish(_ result: Result?) {
        condition.lock()
        final = result
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next batch, or nil once the producer has finished and every batch was taken.
    func take() -> Batch? {
        condition.lock()
        defer { condition.unlock() }
        while queue.isEmpty && !finished { condition.wait() }
        if queue.isEmpty { return nil }
        let batch = queue.removeFirst()
        condition.broadcast()
        return batch
    }

    /// The consumer gives up: batches not yet taken are dropped and `put` returns false from now on.
    func stop() {
        condition.lock()
        stopped = true
        queue.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    /// Whether the consumer has stopped (checked by a producer between batches).
    var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    /// The producer's result, once `take` returned nil.
    var result: Result? {
        condition.lock()
        defer { condition.unlock() }
        return final
    }
}
