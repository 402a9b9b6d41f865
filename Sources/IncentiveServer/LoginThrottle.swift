import Foundation
import Synchronization

/// Sign-in attempts counted per user name and per client address, in memory.
///
/// The first `freeAttempts` attempts of a key go through at once; after that each attempt has to wait
/// `firstDelay`, doubling with every further attempt up to `maximumDelay`, counted from the attempt
/// before it; a refused attempt is not counted. An attempt counts from the moment it starts (so a
/// burst of simultaneous attempts is held back as well as a sequence), and is taken back when it
/// succeeds (the user name's count is then cleared) or could not be checked. A key is forgotten once
/// `memory` has passed after its delay ran out. At most `capacity` keys are held: when full, those
/// already forgotten go first, then the longest idle, so a flood of names cannot grow memory without limit.
final class LoginThrottle: Sendable {
    struct Policy: Sendable {
        var freeAttempts = 5
        var firstDelay: Duration = .seconds(1)
        var maximumDelay: Duration = .seconds(15 * 60)
        var memory: Duration = .seconds(15 * 60)
        var capacity = 10_000
    }

    /// What is counted: a user name (compared without case) or a client address.
    enum Key: Hashable, Sendable {
        case name(String)
        case address(String)

        /// The key of a typed user name: lower case, and no longer than any name can be.
        static func user(_ name: String) -> Key {
            .name(String(decoding: name.trimmingCharacters(in: .whitespacesAndNewlines).lowercased().utf8.prefix(256), as: UTF8.self))
        }
    }

    enum Decision: Equatable, Sendable {
        case allowed
        /// Not before this many whole seconds (at least 1): the `Retry-After` value.
        case refused(retryAfter: Int)
    }

    private struct Record {
        var attempts: Int
        var last: ContinuousClock.Instant
    }

    let policy: Policy
    let now: @Sendable () -> ContinuousClock.Instant
    private let records = Mutex<[Key: Record]>([:])

    init(policy: Policy = Policy(), now: @escaping @Sendable () -> ContinuousClock.Instant = { ContinuousClock.now }) {
        self.policy = policy
        self.now = now
    }

    /// How long after its latest attempt a key with `attempts` counted attempts must wait.
    func delay(after attempts: Int) -> Duration {
        guard attempts >= policy.freeAttempts else { return .zero }
        let doublings = min(attempts - policy.freeAttempts, 40)
        let delay = policy.firstDelay * (1 << doublings)
        return min(delay, policy.maximumDelay)
    }

    /// Checks an attempt against every key; when none is held back, counts it on every key.
    func begin(_ keys: [Key]) -> Decision {
        let now = self.now()
        return records.withLock { records in
            var wait = Duration.zero
            for key in keys {
                guard let record = live(records[key], now) else { continue }
                wait = max(wait, record.last + delay(after: record.attempts) - now)
            }
            if wait > .zero { return .refused(retryAfter: Self.wholeSeconds(wait)) }
            for key in keys {
                var record = live(records[key], now) ?? Record(attempts: 0, last: now)
                record.attempts += 1
                record.last = now
                if records[key] == nil { makeRoom(&records, now) }
                records[key] = record
            }
            return .allowed
        }
    }

    /// The attempt was right: the name starts afresh; the address only takes this attempt back, so one good
    /// account does not let an address go on guessing other users' passwords.
    func succeeded(name: Key, address: Key) {
        records.withLock { records in
            records[name] = nil
            Self.takeBack(&records, address)
        }
    }

    /// The attempt could not be checked (the server was busy): it does not count.
    func cancelled(_ keys: [Key]) {
        records.withLock { records in
            for key in keys { Self.takeBack(&records, key) }
        }
    }

    /// How many keys are held (for tests).
    var count: Int { records.withLock { $0.count } }

    private static func takeBack(_ records: inout [Key: Record], _ key: Key) {
        guard var record = records[key] else { return }
        record.attempts -= 1
        records[key] = record.attempts > 0 ? record : nil
    }

    /// The record, unless it is old enough to be forgotten.
    private func live(_ record: Record?, _ now: ContinuousClock.Instant) -> Record? {
        guard let record, now < record.last + delay(after: record.attempts) + policy.memory else { return nil }
        return record
    }

    private func makeRoom(_ records: inout [Key: Record], _ now: ContinuousClock.Instant) {
        guard records.count >= policy.capacity else { return }
        records = records.filter { live($0.value, now) != nil }
        guard records.count >= policy.capacity else { return }
        // Still full of live keys: drop the tenth that has been idle longest.
        let idle = records.sorted { $0.value.last < $1.value.last }.prefix(max(1, policy.capacity / 10)).map(\.key)
        for key in idle { records[key] = nil }
    }

    static func wholeSeconds(_ duration: Duration) -> Int {
        let (seconds, attoseconds) = duration.components
        return max(1, Int(seconds) + (attoseconds > 0 ? 1 : 0))
    }
}
