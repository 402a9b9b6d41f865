import Synchronization

/// What the server computed and may reuse: a stored run never changes, and anything computed from the
/// workspace is keyed by its revision, which moves on with every change. Bounded: when full it starts over.
final class ResponseCache: Sendable {
    private let entries = Mutex<[String: String]>([:])
    let capacity: Int

    init(capacity: Int = 4096) { self.capacity = capacity }

    /// The cached value, or `compute`'s; `nil` (nothing there) is not kept, as the thing may appear later.
    func value(_ key: String, compute: () async throws -> String?) async rethrows -> String? {
        if let hit = entries.withLock({ $0[key] }) { return hit }
        guard let value = try await compute() else { return nil }
        entries.withLock { entries in
            if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            entries[key] = value
        }
        return value
    }
}
