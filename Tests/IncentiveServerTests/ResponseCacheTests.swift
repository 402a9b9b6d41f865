import Synchronization
import Testing

@testable import IncentiveServer

/// `ResponseCache.sharedValue`: many requests for a page not yet kept wait for one computation of it.
@Suite struct ResponseCacheTests {
    final class Counter: Sendable {
        let count = Mutex(0)
    }

    @Test func concurrentAsksComputeOnce() async throws {
        let cache = ResponseCache()
        let computed = Counter(), asked = Counter()
        let answers = try await withThrowingTaskGroup(of: String?.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    asked.count.withLock { $0 += 1 }
                    return try await cache.sharedValue("page") {
                        computed.count.withLock { $0 += 1 }
                        // Under way until every ask has been made: each finds this computation, or its kept value.
                        while asked.count.withLock({ $0 }) < 50 { await Task.yield() }
                        return "body"
                    }
                }
            }
            var answers: [String?] = []
            for try await answer in group { answers.append(answer) }
            return answers
        }
        #expect(answers.count == 50 && answers.allSatisfy { $0 == "body" })
        #expect(computed.count.withLock { $0 } == 1)
        // Kept: the next ask computes nothing.
        #expect(try await cache.sharedValue("page") { "other" } == "body")
    }

    /// Nothing (no such page) and a failure are not kept: the next ask computes again.
    @Test func nilAndFailuresAreNotKept() async throws {
        let cache = ResponseCache()
        #expect(try await cache.sharedValue("missing") { nil } == nil)
        #expect(try await cache.sharedValue("missing") { "now there" } == "now there")
        struct Broken: Error {}
        await #expect(throws: Broken.self) { try await cache.sharedValue("broken") { throw Broken() } }
        #expect(try await cache.sharedValue("broken") { "mended" } == "mended")
    }
}
