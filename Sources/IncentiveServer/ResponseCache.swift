import Synchronization

/// Values the server computed and may reuse, by key. Bounded: when full it starts over.
final class BoundedCache<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private let entries = Mutex<[Key: Value]>([:])
    let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    subscript(key: Key) -> Value? { entries.withLock { $0[key] } }

    /// How many values are kept.
    var count: Int { entries.withLock { $0.count } }

    func keep(_ value: Value, for key: Key) {
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
    }
}

/// What the server computed and may reuse: a stored run never changes, and anything computed from the
/// workspace is keyed by its revision, which moves on with every change.
final class ResponseCache: Sendable {
    private let entries: BoundedCache<String, String>
    /// The computations under way, by key (`sharedValue`).
    private let running = Mutex<[String: Task<String?, any Error>]>([:])

    init(capacity: Int = 4096) { entries = BoundedCache(capacity: capacity) }

    /// The cached value, or `compute`'s; `nil` (nothing there) is not kept, as the thing may appear later.
    func value(_ key: String, compute: () async throws -> String?) async rethrows -> String? {
        if let hit = entries[key] { return hit }
        guard let value = try await compute() else { return nil }
        entries.keep(value, for: key)
        return value
    }

    /// `value(_:compute:)` for a value that many requests may ask for at once (a list page right after the
    /// workspace's revision moved on): the first computes it and the others wait for that one computation.
    /// Without this, 50 clients asking for a page not yet kept computed it 50 times over on two cores: the page's
    /// first quarter second answered in up to 270 ms (bench/serve.sh, the program list sorted by paid).
    func sharedValue(_ key: String, compute: @escaping @Sendable () async throws -> String?) async throws -> String? {
        if let hit = entries[key] { return hit }
        let task = running.withLock { running in
            if let task = running[key] { return task }
            let task = Task { try await compute() }
            running[key] = task
            return task
        }
        let result = await task.result
        running.withLock { running in
            // The first waiter to come back keeps the value and lets go of the computation.
            if running[key] == task {
                running[key] = nil
                if case .success(let value?) = result { entries.keep(value, for: key) }
            }
        }
        return try result.get()
    }

    subscript(key: String) -> String? { entries[key] }

    func keep(_ value: String, for key: String) { entries.keep(value, for: key) }

    /// `value(_:compute:)` for a caller that does not wait: the cached value, or `compute`'s.
    func value(_ key: String, compute: () throws -> String?) rethrows -> String? {
        if let hit = entries[key] { return hit }
        guard let value = try compute() else { return nil }
        entries.keep(value, for: key)
        return value
    }
}
