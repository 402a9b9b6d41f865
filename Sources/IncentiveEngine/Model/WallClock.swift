import Foundation

/// Where "now" comes from. Every front end and library that needs today's date or a timestamp takes
/// one (`.system` in production, `.fixed` in tests), so that advice "as of today" and recorded
/// timestamps are reproducible under test.
public struct WallClock: Sendable {
    /// The current instant.
    public var now: @Sendable () -> Date

    public init(now: @escaping @Sendable () -> Date) {
        self.now = now
    }

    /// The machine's clock.
    public static let system = WallClock { Date() }

    /// A clock that always reads `date`.
    public static func fixed(_ date: Date) -> WallClock { WallClock { date } }

    /// A clock that always reads midnight UTC of `day`.
    public static func fixed(_ day: Day) -> WallClock {
        fixed(Date(timeIntervalSince1970: TimeInterval(Int64(day.daysSinceEpoch) * 86_400)))
    }

    /// Today's date in UTC.
    public var today: Day { Day(containing: now()) }
}

extension Day {
    /// The UTC day that contains `date`.
    public init(containing date: Date) {
        let seconds = Int64(date.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        self.init(daysSinceEpoch: Int32(clamping: days))
    }
}
