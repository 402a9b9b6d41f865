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

    init(capacity: Int = 4096) { entries = BoundedCache(capacity: capacity) }

    /// The cached value, or `compute`'s; `nil` (nothing there) is not kept, as the thing may appear later.
    func value(_ key: String, compute: () async throws -> String?) async rethrows -> String? {
        if let hit = entries[key] { return hit }
        guard let value = try await compute() else { return nil }
        entries.keep(value, for: key)
        return value
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
