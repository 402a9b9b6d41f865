import Foundation
import GRDB
import Synchronization
import Testing

@testable import IncentiveStore

/// `Workspace.snapshotRead`, the partner page's read with its own BEGIN and COMMIT: everything in it sees one
/// snapshot, whatever is committed meanwhile, and the connection is left outside any transaction (also when the
/// body throws), so the next read sees the new data.
@Suite struct SnapshotReadTests {
    struct Stop: Error {}

    @Test func aReadSeesOneSnapshotWhateverIsCommittedMeanwhile() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        let start = try workspace.revision()
        let (before, after) = try workspace.snapshotRead { db -> (Int, Int) in
            let before = try Workspace.revision(db)
            // Another writer commits a change between the read's two statements (on another thread, as a request would).
            let done = DispatchSemaphore(value: 0)
            let writer = Thread {
                _ = try? workspace.writeTransaction { _ in }
                done.signal()
            }
            writer.start()
            done.wait()
            return (before, try Workspace.revision(db))
        }
        #expect(before == start)
        #expect(after == start)
        #expect(try workspace.revision() == start + 1)
        // A body that throws ends its transaction too: the next reads see the writes after it.
        #expect(throws: Stop.self) { try workspace.snapshotRead { _ in throw Stop() } }
        try workspace.writeTransaction { _ in }
        for _ in 0..<8 { #expect(try workspace.snapshotRead { db in try Workspace.revision(db) } == start + 2) }
        #expect(try workspace.statementRead { db in db.isInsideTransaction } == false)
    }

    /// The short reads' own connections (`QuickReaders`): many reads at once each get a connection of their own and
    /// see the committed data; at most `QuickReaders.kept` stay idle afterwards; none of them can write.
    @Test func quickReadersServeReadsAtOnceKeepAFewAndCannotWrite() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try Workspace.create(at: sandbox.path("w.sqlite"))
        try workspace.writeTransaction { _ in }
        let expected = try workspace.revision()
        let readers = 12
        let seen = Mutex<[Int]>([])
        let inside = DispatchSemaphore(value: 0)
        let release = DispatchSemaphore(value: 0)
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<readers {
            // A thread each (Dispatch's concurrentPerform runs only as many at once as there are cores).
            Thread {
                let revision = try? workspace.snapshotRead { db -> Int in
                    inside.signal()
                    release.wait()
                    return try Workspace.revision(db)
                }
                seen.withLock { $0.append(revision ?? -1) }
                done.signal()
            }.start()
        }
        // Every read holds its connection until all of them are inside: twelve connections at once.
        for _ in 0..<readers { inside.wait() }
        for _ in 0..<readers { release.signal() }
        for _ in 0..<readers { done.wait() }
        #expect(seen.withLock { $0 } == Array(repeating: expected, count: readers))
        #expect(workspace.quickReaders.idleCount == QuickReaders.kept)
        #expect(throws: DatabaseError.self) {
            try workspace.statementRead { db in try db.execute(sql: "INSERT INTO workspace_info(key, value) VALUES ('x', 'y')") }
        }
        #expect(try workspace.statementRead { db in try String.fetchOne(db, sql: "SELECT value FROM workspace_info WHERE key = 'x'") } == nil)
    }
}
