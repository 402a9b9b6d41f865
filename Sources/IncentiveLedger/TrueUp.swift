import IncentiveEngine

/// Interim or final (ledger.md): a final approval closes its program until an explicit reopen.
public enum ApprovalKind: String, Sendable, Hashable, CaseIterable {
    case interim, final
}

/// One (partner, item) of a program: what an entitlement or an allocation is kept per.
public struct EntitlementKey: Sendable, Hashable, Comparable {
    public var partnerID: String
    public var item: String

    public init(partnerID: String, item: String) {
        self.partnerID = partnerID
        self.item = item
    }

    public static func < (a: EntitlementKey, b: EntitlementKey) -> Bool {
        a.partnerID != b.partnerID ? a.partnerID < b.partnerID : a.item < b.item
    }
}

/// What an approval changes for one key: the run's amount, the sum posted before, and the difference posted.
public struct TrueUpLine: Sendable, Hashable {
    public var key: EntitlementKey
    /// The run's amount for the key (0 when the run has no row for it any more).
    public var entitlement: Money
    /// The sum of the key's entitlement (or allocation) entries before the approval.
    public var postedBefore: Money
    /// `entitlement - postedBefore`: never zero (zero deltas are not posted); negative is a clawback.
    public var delta: Money

    public init(key: EntitlementKey, entitlement: Money, postedBefore: Money) {
        self.key = key
        self.entitlement = entitlement
        self.postedBefore = postedBefore
        self.delta = Money(cents: entitlement.cents - postedBefore.cents)
    }
}

/// The true-up of ledger.md: approving a run makes its amounts the entitlement of each (program, partner,
/// item); the entry posted is the difference to the sum already posted for that key. A key posted before but
/// absent from the run is taken back whole (its new entitlement is 0).
public enum TrueUp {
    /// The non-zero deltas, sorted by partner and item. `run` holds the run's amount per key (a key listed
    /// twice is a caller's error and counts once, the last), `posted` the sums posted before per key.
    public static func lines(run: [EntitlementKey: Money], posted: [EntitlementKey: Money]) -> [TrueUpLine] {
        var lines: [TrueUpLine] = []
        lines.reserveCapacity(run.count)
        for (key, amount) in run {
            let before = posted[key] ?? .zero
            if amount != before { lines.append(TrueUpLine(key: key, entitlement: amount, postedBefore: before)) }
        }
        for (key, before) in posted where run[key] == nil && before != .zero {
            lines.append(TrueUpLine(key: key, entitlement: .zero, postedBefore: before))
        }
        lines.sort { $0.key < $1.key }
        return lines
    }

    /// The entries an approval posts for `lines`: `entitlement` entries for a cash program (VIP), `allocation`
    /// entries usable through `validThrough` for an MDF program (`validThrough` given exactly for MDF).
    public static func entries(
        _ lines: [TrueUpLine], program: String, kind: ProgramKind, currency: String, approvedOn: Day, validThrough: Day?, approval: Int
    ) -> [LedgerEntry] {
        lines.map { line in
            LedgerEntry(
                kind: kind == .mdf ? .allocation : .entitlement, programID: program, partnerID: line.key.partnerID, item: line.key.item,
                amount: line.delta, currency: currency, effectiveOn: approvedOn, validThrough: kind == .mdf ? validThrough : nil,
                source: .approval(approval))
        }
    }
}
