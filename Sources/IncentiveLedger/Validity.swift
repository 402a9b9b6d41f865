import IncentiveEngine

/// How long approved MDF funds stay usable (ledger.md): from the approval date through the day before the same
/// calendar date `months` later, a day past that month's end clamped to its last day.
public enum Validity {
    /// The last usable day of funds approved on `approvedOn`: approved 2023-08-15 for 12 months, usable
    /// through 2024-08-14; approved 2023-08-31 for 6 months, through 2024-02-28.
    public static func lastUsableDay(approvedOn: Day, months: Int) -> Day {
        let (year, month, day) = approvedOn.components
        let monthIndex = (year * 12 + (month - 1)) + months
        let targetYear = monthIndex / 12
        let targetMonth = monthIndex % 12 + 1
        let targetDay = min(day, Day.daysIn(month: targetMonth, year: targetYear))
        let sameDate = Day(year: targetYear, month: targetMonth, day: targetDay) ?? approvedOn
        return Day(daysSinceEpoch: sameDate.daysSinceEpoch - 1)
    }
}
