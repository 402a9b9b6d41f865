import Foundation
import GRDB
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
}
