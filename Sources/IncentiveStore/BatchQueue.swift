import Foundation
import IncentiveEngine

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

/// The checks of a run's result rows as stored (`CheckBlobs`), one blob per row, worked out on a thread of their own in
/// the order `Workspace.writeResults` writes the rows (program, partner, row), while the writing thread binds and steps
/// SQLite: wording the 769,327 explanations at 100,000 partners took a fifth of the writing.
/// Unchecked: `batch` and `next` are used by the writing thread only; the encoding thread touches only the queue and the
/// semaphore, which lock themselves.
final class CheckBlobFeed: @unchecked Sendable {
    /// The blobs of up to `rowsPerBatch` rows, one after the other: row `i` ends at `ends[i]` (an empty blob: no checks).
    struct Batch: Sendable {
        var bytes: [UInt8] = []
        var ends: [Int] = []
    }

    static let rowsPerBatch = 4096
    private let queue = BatchQueue<Batch, Int>(depth: 8)
    private let done = DispatchSemaphore(value: 0)
    private var batch = Batch()
    private var next = 0

    init(_ result: ComputeResult) {
        let queue = self.queue, done = self.done
        let thread = Thread {
            defer { done.signal() }
            var batch = Batch()
            batch.ends.reserveCapacity(Self.rowsPerBatch)
            for program in result.programs {
                for partner in program.partners {
                    for row in partner.rows {
                        CheckBlobs.append(row.checks, to: &batch.bytes)
                        batch.ends.append(batch.bytes.count)
                        if batch.ends.count == Self.rowsPerBatch {
                            guard queue.put(batch) else { return }
                            batch.bytes.removeAll(keepingCapacity: true)
                            batch.ends.removeAll(keepingCapacity: true)
                        }
                    }
                }
            }
            queue.put(batch)
            queue.finish(nil)
        }
        thread.start()
    }

    /// Binds the next row's blob to `binder` (NULL when the row has no checks).
    func bindNext(to binder: inout StatementBinder) {
        while next == batch.ends.count {
            guard let taken = queue.take() else { preconditionFailure("fewer check blobs than rows") }
            (batch, next) = (taken, 0)
        }
        let start = next == 0 ? 0 : batch.ends[next - 1], end = batch.ends[next]
        next += 1
        if start == end {
            binder.bindNull()
        } else {
            batch.bytes.withUnsafeBytes { binder.bind(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
        }
    }

    /// Stops the thread (when the writing stopped early) and waits for it.
    func finish() {
        queue.stop()
        done.wait()
    }
}

/// A value worked out on a thread of its own while the caller goes on (a run's summary figures, counted while its
/// rows are written); `value` waits for it. The thread ends on its own if the caller gives up without waiting.
/// Unchecked: `worked` is written by the thread before it signals `done`, and read only after `done` was waited for.
final class Beside<Value: Sendable>: @unchecked Sendable {
    private var worked: Value?
    private let done = DispatchSemaphore(value: 0)
    private var waited = false

    init(_ work: @escaping @Sendable () -> Value) {
        let thread = Thread { [self] in
            worked = work()
            done.signal()
        }
        thread.start()
    }

    /// The value, once the thread has worked it out.
    var value: Value {
        if !waited {
            done.wait()
            waited = true
        }
        return worked!
    }
}

/// Gives the C library's free memory back to the system (glibc's `malloc_trim`, looked up at run time; nothing
/// elsewhere). After a large buffer is let go in the middle of the heap, with SQLite's pages made above it, glibc keeps
/// that memory as the process's until the heap's top is free: given back before the first import's bookings, 12 MB
/// of the 10M-line import's memory through them (171 → 159 MB).
enum FreeMemory {
    #if canImport(Glibc)
    private typealias Trim = @convention(c) (Int) -> Int32
    private static let trim: Trim? = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim").map { unsafeBitCast($0, to: Trim.self) }
    #endif

    static func giveBack() {
        #if canImport(Glibc)
        _ = trim?(0)
        #endif
    }
}
