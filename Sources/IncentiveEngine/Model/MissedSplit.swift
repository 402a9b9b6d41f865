/// What a row missed (formats.md §4 `missed_amount`), split by whether it can still be had in its period as things
/// stand on a day: `fixable` once what `toFix` names is put right before the period ends, `lost` for good
/// (`lostBecause`). The one home of that rule; the advisor, `explain` and the pages read it.
///
/// - After the period's last day nothing can be fixed (`periodOver`); on the last day the period still runs.
/// - A failing tier check loses everything: no action within the period changes the tier it is judged on.
/// - A volume under the minimum that the caller's forecast does not see reached is lost (`volume`); otherwise the
///   missing volume, CSAT reports, credentials (held by the deadline, or by re-enrolling when the deadline is the
///   enrolment date) and strategic services can still be put right.
/// - MDF's missed amount is what tagging the untagged orders adds (`untagged`), with whatever else fails.
public struct MissedSplit: Sendable, Hashable {
    public enum Obstacle: String, Sendable, Hashable, CaseIterable {
        case tier, csat, credential, volume
        case strategicService = "strategic_service"
        case untagged
        case periodOver = "period_over"
    }

    public var fixable: Money
    public var lost: Money
    public var toFix: [Obstacle]
    public var lostBecause: [Obstacle]

    public init(fixable: Money, lost: Money, toFix: [Obstacle], lostBecause: [Obstacle]) {
        self.fixable = fixable
        self.lost = lost
        self.toFix = toFix
        self.lostBecause = lostBecause
    }
}

extension ResultRow {
    /// The missed amount split as `MissedSplit` says, for a row of a program whose period is `period`, on `day`;
    /// `nil` when nothing is missed. `volumeWithinReach`: whether the volume still missing to the minimum is expected
    /// within the period (the advisor's forecast; without one, it is assumed while the period runs).
    public func missedSplit(period: DayRange, on day: Day, volumeWithinReach: Bool = true) -> MissedSplit? {
        guard missedAmount.cents > 0 else { return nil }
        let all = missedAmount
        if day > period.end { return MissedSplit(fixable: .zero, lost: all, toFix: [], lostBecause: [.periodOver]) }
        var failing: [MissedSplit.Obstacle] = []
        for check in checks where !check.passed {
            let obstacle: MissedSplit.Obstacle =
                switch check.code {
                case .tier: .tier
                case .csat: .csat
                case .credential: .credential
                case .volume: .volume
                case .strategicService: .strategicService
                }
            if !failing.contains(obstacle) { failing.append(obstacle) }
        }
        if failing.contains(.tier) { return MissedSplit(fixable: .zero, lost: all, toFix: [], lostBecause: [.tier]) }
        if failing.contains(.volume) && !volumeWithinReach {
            return MissedSplit(fixable: .zero, lost: all, toFix: [], lostBecause: [.volume])
        }
        if kind == .mdf { failing.insert(.untagged, at: 0) }
        return MissedSplit(fixable: all, lost: .zero, toFix: failing, lostBecause: [])
    }
}
