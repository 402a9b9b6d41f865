import GRDB
import Synchronization

/// Read-only connections for the short reads every request makes (`Workspace.snapshotRead` and
/// `statementRead`: a partner page, a session, a page of a list), taken and given back under one lock.
///
/// GRDB's pool found a reader for every read through a generic key path that it made anew each time
/// (`Pool.get`: 3% of the CPU of a partner page at 100,000 partners, perf). These connections are opened as
/// GRDB opens its readers (read-only, the workspace's configuration); at most `kept` wait idle between reads,
/// and a read that finds none idle opens one. A connection holds no transaction between reads (GRDB stops the
/// process when an access ends with one open), so it never keeps a checkpoint waiting or serves an old snapshot.
final class QuickReaders: Sendable {
    /// Idle connections kept for the next reads: as many as reads run at once in a busy server (the short-work
    /// threads, one per core, and a few others).
    static let kept = 4

    let path: String
    private let idle = Mutex<[DatabaseQueue]>([])

    init(path: String) {
        self.path = path
    }

    /// How many connections wait idle now.
    var idleCount: Int { idle.withLock { $0.count } }

    /// `body` on an idle connection (or a new one), given back afterwards.
    func read<T>(_ body: (Database) throws -> T) throws -> T {
        let queue = try idle.withLock { $0.popLast() } ?? Self.open(path)
        defer { idle.withLock { if $0.count < Self.kept { $0.append(queue) } } }
        return try queue.inDatabase(body)
    }

    static func open(_ path: String) throws -> DatabaseQueue {
        var configuration = Workspace.configuration()
        configuration.readonly = true
        configuration.label = "incentives.quick"
        return try DatabaseQueue(path: path, configuration: configuration)
    }
}
