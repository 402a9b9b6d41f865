import Dispatch

/// Calls `body` for every index in `0..<count`, on as many threads as there are processors when
/// `parallel` is true (on the calling thread, in index order, otherwise), and returns the results
/// in index order.
///
/// This is the engine's one way to run work on several threads, and the one place that tells the
/// compiler to trust it: `body` is `@Sendable`, so everything it reads is `Sendable` and checked
/// where it is written; its result is `sending`, a value no other thread holds. What is not checked
/// by the compiler is below: each index runs exactly once and stores its result in a slot of its
/// own, and the slots are read only once every index has run.
func parallelMap<Result>(_ count: Int, parallel: Bool = true, _ body: @Sendable (Int) -> sending Result) -> [Result] {
    guard count > 0 else { return [] }
    guard parallel && count > 1 else { return (0..<count).map { body($0) } }
    let slots = ResultSlots<Result>(count: count)
    DispatchQueue.concurrentPerform(iterations: count) { index in slots.store(body(index), at: index) }
    return slots.take()
}

/// One slot per index of a `parallelMap`; each is written by one thread, then all are read by one.
private final class ResultSlots<Result>: @unchecked Sendable {
    private let slots: UnsafeMutableBufferPointer<Result?>

    init(count: Int) {
        slots = .allocate(capacity: count)
        slots.initialize(repeating: nil)
    }

    deinit {
        _ = slots.deinitialize()
        slots.deallocate()
    }

    func store(_ value: sending Result, at index: Int) { slots[index] = value }

    /// The results in index order (every slot must have been stored).
    func take() -> [Result] {
        var results: [Result] = []
        results.reserveCapacity(slots.count)
        for index in slots.indices {
            results.append(slots[index].take()!)
        }
        return results
    }
}
