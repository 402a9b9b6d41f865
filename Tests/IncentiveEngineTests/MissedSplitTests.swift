import Testing

@testable import IncentiveEngine

/// `ResultRow.missedSplit`: what a row missed, split by whether it can still be had in its period on a day.
@Suite struct MissedSplitTests {
    static let period = DayRange(start: Day(iso: "2015-01-25")!, end: Day(iso: "2015-07-25")!)

    static func row(_ kind: ProgramKind = .vip, missed: Int64 = 70_000, failing: [Check.Code]) -> ResultRow {
        let checks = Check.Code.allCases.map { code in
            Check(code: code, passed: !failing.contains(code), reason: failing.contains(code) ? code.rawValue : nil, explanation: code.rawValue)
        }
        return ResultRow(
            program: "P", kind: kind, partnerID: "X", item: "a/b", qualifyingVolume: Money(cents: 1_000_000), threshold: .zero, eligible: false,
            amount: .zero, missedAmount: Money(cents: missed), checks: checks)
    }

    @Test func whatCanStillBePutRightWhileThePeriodRuns() throws {
        let split = try #require(Self.row(failing: [.csat, .credential]).missedSplit(period: Self.period, on: Day(iso: "2015-05-01")!))
        #expect(split == MissedSplit(fixable: Money(cents: 70_000), lost: .zero, toFix: [.csat, .credential], lostBecause: []))
    }

    /// The period's last day is inside it; the day after, everything missed is lost.
    @Test func theLastDayAndTheDayAfter() throws {
        let row = Self.row(failing: [.csat])
        #expect(row.missedSplit(period: Self.period, on: Day(iso: "2015-07-25")!)?.fixable == Money(cents: 70_000))
        #expect(
            row.missedSplit(period: Self.period, on: Day(iso: "2015-07-26")!)
                == MissedSplit(fixable: .zero, lost: Money(cents: 70_000), toFix: [], lostBecause: [.periodOver]))
    }

    @Test func aTierIsNotPutRightWithinThePeriod() throws {
        let split = try #require(Self.row(failing: [.tier, .csat]).missedSplit(period: Self.period, on: Day(iso: "2015-05-01")!))
        #expect(split == MissedSplit(fixable: .zero, lost: Money(cents: 70_000), toFix: [], lostBecause: [.tier]))
    }

    /// Missing volume is fixable only when the caller's forecast sees the minimum reached.
    @Test func volumeWithinTheForecastOrNot() throws {
        let row = Self.row(failing: [.volume])
        let day = Day(iso: "2015-05-01")!
        #expect(row.missedSplit(period: Self.period, on: day, volumeWithinReach: true)?.toFix == [.volume])
        #expect(row.missedSplit(period: Self.period, on: day, volumeWithinReach: false)?.lostBecause == [.volume])
    }

    /// MDF misses what tagging the untagged orders adds: that is always to put right, with any other failing check.
    @Test func mdfNamesTheTags() throws {
        let eligible = Self.row(.mdf, failing: [])
        #expect(eligible.missedSplit(period: Self.period, on: Day(iso: "2015-05-01")!)?.toFix == [.untagged])
        let noService = Self.row(.mdf, failing: [.strategicService])
        #expect(noService.missedSplit(period: Self.period, on: Day(iso: "2015-05-01")!)?.toFix == [.untagged, .strategicService])
        #expect(Self.row(missed: 0, failing: [.csat]).missedSplit(period: Self.period, on: Day(iso: "2015-05-01")!) == nil)
    }
}
