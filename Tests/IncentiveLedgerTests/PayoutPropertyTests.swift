import IncentiveEngine
import IncentiveLedger
import Testing

/// A small deterministic random generator (SplitMix64), so that a failing sequence can be replayed.
struct PayoutRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite struct PayoutPropertyTests {
    static let partners = ["A", "B", "C"]
    static let items = ["x", "y"]

    /// Random sequences of approvals (new runs, and runs approved before again) and payments. After every step:
    /// each partner's balance (the statement's) equals the plain sum of its entries; the sum of an item's deltas
    /// equals its latest approved entitlement; approving the latest run again posts nothing.
    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func balancesAreSumsAndApprovalsTrueUp(seed: UInt64) {
        var random = PayoutRandom(seed: seed)
        var entries: [LedgerEntry] = []
        var approvals: [ApprovalRecord] = []
        var payments: [PaymentRecord] = []
        var runs: [[EntitlementKey: Money]] = []
        var latest: [EntitlementKey: Money] = [:]
        var day = Day(iso: "2024-01-01")!
        for step in 0..<60 {
            day = Day(daysSinceEpoch: day.daysSinceEpoch + Int32(random.next() % 5))
            if random.next() % 3 != 0 {
                // An approval: a new run (keys may vanish, amounts change), or an earlier run again.
                var run: [EntitlementKey: Money] = [:]
                if !runs.isEmpty && random.next() % 3 == 0 {
                    run = runs[Int(random.next() % UInt64(runs.count))]
                } else {
                    for partner in Self.partners {
                        for item in Self.items where random.next() % 4 != 0 {
                            run[EntitlementKey(partnerID: partner, item: item)] = Money(cents: Int64(random.next() % 300_000))
                        }
                    }
                    runs.append(run)
                }
                let id = approvals.count + 1
                approvals.append(
                    ApprovalRecord(id: id, runID: runs.count, programID: "P", kind: .interim, approvedOn: day, at: "\(step)", actor: "t"))
                let lines = TrueUp.lines(run: run, posted: Self.posted(entries))
                #expect(lines.allSatisfy { $0.delta != .zero })
                entries += TrueUp.entries(lines, program: "P", kind: .vip, currency: "EUR", approvedOn: day, validThrough: nil, approval: id)
                latest = run
                // The same run approved again posts nothing.
                #expect(TrueUp.lines(run: run, posted: Self.posted(entries)).isEmpty, "seed \(seed) step \(step)")
            } else {
                let id = payments.count + 1
                let payment = PaymentRecord(
                    id: id, reference: "PAY-\(id)", programID: "P", partnerID: Self.partners[Int(random.next() % 3)],
                    amount: Money(cents: Int64(random.next() % 200_000) + 1), currency: "EUR", paidOn: day)
                payments.append(payment)
                entries.append(payment.entry(id: id))
            }
            // The sum of an item's deltas is its latest approved entitlement (0 once it vanished from the run).
            let posted = Self.posted(entries)
            for partner in Self.partners {
                for item in Self.items {
                    let key = EntitlementKey(partnerID: partner, item: item)
                    #expect((posted[key] ?? .zero) == (latest[key] ?? .zero), "seed \(seed) step \(step) \(partner) \(item)")
                }
                let statement = Statement(
                    partnerID: partner, programID: "P", kind: .vip, currency: "EUR", asOf: day, approvals: approvals, entries: entries,
                    payments: payments)
                let sum = entries.filter { $0.partnerID == partner }.reduce(0) { $0 + $1.amount.cents }
                #expect(statement.balance.cents == sum, "seed \(seed) step \(step) \(partner)")
                let entitled = Self.items.reduce(0) { $0 + (latest[EntitlementKey(partnerID: partner, item: $1)]?.cents ?? 0) }
                let paid = payments.filter { $0.partnerID == partner }.reduce(0) { $0 + $1.amount.cents }
                #expect(statement.entitled.cents == entitled)
                #expect(statement.paid.cents == paid)
                #expect(statement.balance.cents == entitled - paid)
                // The last approval shows each item's entitlement after it: the latest run's amounts.
                if let last = statement.approvals.last {
                    for line in last.items { #expect(line.entitlement == latest[EntitlementKey(partnerID: partner, item: line.item)] ?? .zero) }
                }
            }
        }
    }

    static func posted(_ entries: [LedgerEntry]) -> [EntitlementKey: Money] {
        var sums: [EntitlementKey: Money] = [:]
        for entry in entries where entry.kind == .entitlement {
            let key = EntitlementKey(partnerID: entry.partnerID, item: entry.item ?? "")
            sums[key] = Money(cents: (sums[key]?.cents ?? 0) + entry.amount.cents)
        }
        return sums
    }
}
