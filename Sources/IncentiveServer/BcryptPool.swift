import Dispatch
import Foundation
import Synchronization

/// bcrypt work on threads of its own: at most `width` hashes at a time, each on a serial queue of this
/// pool, and at most `waitingLimit` more waiting; anything beyond is refused at once. A burst of
/// sign-ins thus keeps at most `width` cores busy and never holds up the threads that answer the API.
final class BcryptPool: Sendable {
    /// The pool is full: the caller answers 503 and asks the client to come back.
    struct Busy: Error {}

    /// Half the cores, at least one, at most two: a 2-core server keeps one core for everything else.
    static var defaultWidth: Int { min(2, max(1, ProcessInfo.processInfo.activeProcessorCount / 2)) }

    let width: Int
    let waitingLimit: Int
    private let queues: [DispatchQueue]
    /// Jobs given to each queue and not yet finished (running or waiting).
    private let pending: Mutex<[Int]>

    init(width: Int = defaultWidth, waitingLimit: Int = 16) {
        precondition(width >= 1 && waitingLimit >= 0)
        self.width = width
        self.waitingLimit = waitingLimit
        queues = (0..<width).map { DispatchQueue(label: "incentives.bcrypt.\($0)", qos: .utility) }
        pending = Mutex(Array(repeating: 0, count: width))
    }

    /// Runs `body` on the least busy queue, or throws `Busy` when `width + waitingLimit` jobs are pending.
    func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws -> T {
        let index = try pending.withLock { pending -> Int in
            guard pending.reduce(0, +) < width + waitingLimit else { throw Busy() }
            let index = pending.indices.min { pending[$0] < pending[$1] }!
            pending[index] += 1
            return index
        }
        return await withCheckedContinuation { continuation in
            queues[index].async {
                let result = body()
                self.pending.withLock { $0[index] -= 1 }
                continuation.resume(returning: result)
            }
        }
    }

    /// Jobs running or waiting (for tests).
    var load: Int { pending.withLock { $0.reduce(0, +) } }
}
