import IncentiveEngine

/// One booking line in a forecast: where it came from and what it counted (program currency).
public struct ForecastLine: Sendable, Hashable {
    public var orderID: String
    public var lineID: String
    public var sku: String
    /// The day the program counts it on (`booked_on` or `shipped_on`).
    public var countedOn: Day
    public var amount: Money

    public init(orderID: String, lineID: String, sku: String, countedOn: Day, amount: Money) {
        self.orderID = orderID
        self.lineID = lineID
        self.sku = sku
        self.countedOn = countedOn
        self.amount = amount
    }
}

/// Where a volume leads by the period end, and how sure that is (docs/advice.md "Forecast").
///
/// The lines of the pace window are split three ways: **credit notes** (negative lines) are booked once and
/// are not projected; **one-off orders** are positive lines that are each more than a quarter of the positive
/// volume and more than four times the median of the other positive lines (a single positive line is one too: one
/// order sets no pace); every other positive line is **recurring**. Then, with `remaining` the days of the period
/// after the advice day and `days` those of the pace window:
///
/// - expected = booked + round(recurring × remaining / days)
/// - low = booked + the slower of the window's two halves (first ⌊days/2⌋ days, then the rest), each projected as
///   round(recurring in the half × remaining / days in the half)
/// - high = booked + the faster half, plus round(one-offs × remaining / days): one-offs that keep coming
///
/// `booked` is what counts so far (credits included). All rounding is half to even, to the cent.
public struct Forecast: Sendable, Hashable {
    /// What counts so far.
    public var booked: Money
    /// The pace window: its first day and length (the advice day is its last day), and the program whose period
    /// gave it.
    public var paceFrom: Day
    public var paceDays: Int
    public var paceProgram: String
    /// Days of the period after the advice day.
    public var remainingDays: Int
    /// Positive lines of the window that recur, and their sum.
    public var recurring: Money
    public var recurringLines: Int
    public var oneOffs: [ForecastLine]
    public var credits: [ForecastLine]
    public var low: Money
    public var expected: Money
    public var high: Money
    /// Other programs whose subtrack of the same path projects with this pace: the same orders count in each.
    public var sharedWith: [String]

    public var oneOffVolume: Money { Money(cents: oneOffs.reduce(0) { $0 + $1.amount.cents }) }
    public var creditVolume: Money { Money(cents: credits.reduce(0) { $0 + $1.amount.cents }) }

    /// The first day on which the expected pace reaches `minimum` (`booked` below it), within `period`; `nil` when
    /// it does not.
    public func minimumReachedOn(_ minimum: Money, adviceDay: Day, periodEnd: Day) -> Day? {
        guard booked < minimum, recurring.cents > 0 else { return nil }
        // The least whole number of days n with booked + recurring × n / paceDays >= minimum.
        let missing = Int128(minimum.cents - booked.cents) * Int128(paceDays)
        let needed = (missing + Int128(recurring.cents) - 1) / Int128(recurring.cents)
        guard needed <= Int128(remainingDays) else { return nil }
        return Day(daysSinceEpoch: adviceDay.daysSinceEpoch + Int32(needed))
    }
}

/// The pace of a partner's lines in a window ending on the advice day, split as `Forecast` says.
struct Pace {
    var from: Day
    var days: Int
    var program: String
    var recurring: Int64 = 0
    var recurringLines = 0
    /// Recurring volume in the first ⌊days/2⌋ days and in the rest.
    var firstHalf: Int64 = 0
    var secondHalf: Int64 = 0
    var oneOffs: [ForecastLine] = []
    var credits: [ForecastLine] = []

    /// The pace of `lines`, every one counted on a day in `from ... from + days - 1`.
    init(lines: [ForecastLine], from: Day, days: Int, program: String) {
        self.from = from
        self.days = days
        self.program = program
        let positive = lines.filter { $0.amount.cents > 0 }
        let total = positive.reduce(Int128(0)) { $0 + Int128($1.amount.cents) }
        let amounts = positive.map(\.amount.cents).sorted()
        let split = from.daysSinceEpoch + Int32(days / 2)
        for line in lines {
            guard line.amount.cents > 0 else {
                if line.amount.cents < 0 { credits.append(line) }
                continue
            }
            if Self.isOneOff(line.amount.cents, sorted: amounts, total: total) {
                oneOffs.append(line)
                continue
            }
            recurring += line.amount.cents
            recurringLines += 1
            if line.countedOn.daysSinceEpoch < split { firstHalf += line.amount.cents } else { secondHalf += line.amount.cents }
        }
    }

    /// More than a quarter of the positive volume and more than four times the median of the other positive lines;
    /// the only positive line is one-off too.
    static func isOneOff(_ amount: Int64, sorted amounts: [Int64], total: Int128) -> Bool {
        guard Int128(amount) * 4 > total else { return false }
        var others = amounts
        if let index = others.firstIndex(of: amount) { others.remove(at: index) }
        guard !others.isEmpty else { return true }
        // Twice the median, exactly: the middle one doubled, or the two middle ones added.
        let middle = others.count / 2
        let twiceMedian = others.count % 2 == 1 ? Int128(others[middle]) * 2 : Int128(others[middle - 1]) + Int128(others[middle])
        return Int128(amount) * 2 > twiceMedian * 4
    }

    /// `round(volume × remaining / days)`, half to even.
    static func scaled(_ volume: Int64, _ remaining: Int, _ days: Int) -> Int64 {
        guard days > 0 else { return 0 }
        return Int64(clamping: Rounding.divideHalfEven(Int128(volume) * Int128(remaining), by: Int128(days)))
    }

    /// The forecast of `booked` (what counts so far) with this pace over `remaining` more days.
    func forecast(booked: Money, remaining: Int, sharedWith: [String]) -> Forecast {
        let expected = booked.cents + Self.scaled(recurring, remaining, days)
        var slow = Self.scaled(recurring, remaining, days), fast = slow
        let firstDays = days / 2
        if firstDays > 0 {
            let first = Self.scaled(firstHalf, remaining, firstDays), second = Self.scaled(secondHalf, remaining, days - firstDays)
            slow = min(first, second)
            fast = max(first, second)
        }
        let oneOffs = self.oneOffs.reduce(Int64(0)) { $0 + $1.amount.cents }
        return Forecast(
            booked: booked, paceFrom: from, paceDays: days, paceProgram: program, remainingDays: remaining, recurring: Money(cents: recurring),
            recurringLines: recurringLines, oneOffs: self.oneOffs, credits: credits, low: Money(cents: booked.cents + slow),
            expected: Money(cents: expected), high: Money(cents: booked.cents + fast + Self.scaled(oneOffs, remaining, days)),
            sharedWith: sharedWith)
    }
}

/// CSAT reports at their own pace (docs/advice.md "Forecast"): the reports submitted in the period so far, and
/// those the same pace brings by the period end, `found + ⌊found × remaining / elapsed⌋` (a report is whole).
public struct CSATForecast: Sendable, Hashable {
    public var found: Int
    public var required: Int
    public var expected: Int
    /// The period end: the last day a report counts.
    public var by: Day

    public init(found: Int, required: Int, expected: Int, by: Day) {
        self.found = found
        self.required = required
        self.expected = expected
        self.by = by
    }

    /// Reports still to collect beyond what the pace brings (0 when it brings enough).
    public var shortAtPace: Int { max(0, required - expected) }
    /// Reports still to collect, whatever the pace.
    public var stillNeeded: Int { max(0, required - found) }
}

/// The paces of one partner's lines, per program and VIP subtrack (and per MDF program), as of the advice day.
///
/// One projection of a partner's bookings feeds every program that counts them: subtracks of the same path and the
/// same product entries in programs whose periods hold the advice day count the same orders (by `booked_on` or by
/// `shipped_on`, a few days apart), so they share the pace of the one with the longest window so far (the earliest
/// start; ties: the first program by id), measured by that program's counting date. A program whose period has not begun has no forecast; one whose period has ended projects
/// nothing more.
struct Paces {
    private struct Key: Hashable {
        var program: Int
        var subtrack: String?
    }

    private var paces: [Key: Pace] = [:]
    /// The program whose pace a key takes, and the programs sharing it.
    private var source: [Key: (key: Key, sharedWith: [String])] = [:]
    private var remaining: [Int?] = []

    init(programs: [Program], traced: [TracedLine], day: Day) {
        // Each program's subtracks with their paths.
        let paths = programs.map { program -> [SubtrackPath] in
            if case .vip(let rules) = program.rules { return rules.subtrackPaths }
            return []
        }
        var windows: [(from: Day, days: Int, holdsDay: Bool)?] = []
        for program in programs {
            let period = program.period
            let length = Int(period.end.daysSinceEpoch - period.start.daysSinceEpoch) + 1
            let elapsed = max(0, min(length, Int(day.daysSinceEpoch - period.start.daysSinceEpoch) + 1))
            windows.append(elapsed == 0 ? nil : (period.start, elapsed, day <= period.end))
            remaining.append(elapsed == 0 ? nil : length - elapsed)
        }
        for (index, program) in programs.enumerated() {
            guard let window = windows[index] else { continue }
            func countedOn(_ line: TracedLine) -> Day? { program.countBookingsBy == .bookedOn ? line.bookedOn : line.shippedOn }
            switch program.rules {
            case .vip:
                var lines = Array(repeating: [ForecastLine](), count: paths[index].count)
                for line in traced {
                    let subtrack: Int, amount: Money
                    switch line.outcomes[index] {
                    case .counted(let s, let a), .beforeEnrollment(let s, let a, _): (subtrack, amount) = (s, a)
                    default: continue
                    }
                    guard let on = countedOn(line) else { continue }
                    lines[subtrack].append(ForecastLine(orderID: line.orderID, lineID: line.lineID, sku: line.sku, countedOn: on, amount: amount))
                }
                for (position, entry) in paths[index].enumerated() {
                    paces[Key(program: index, subtrack: entry.path)] = Pace(
                        lines: lines[position], from: window.from, days: window.days, program: program.id)
                }
            case .mdf:
                var lines: [ForecastLine] = []
                for line in traced {
                    guard case .qualifying(let amount) = line.outcomes[index], let on = countedOn(line) else { continue }
                    lines.append(ForecastLine(orderID: line.orderID, lineID: line.lineID, sku: line.sku, countedOn: on, amount: amount))
                }
                paces[Key(program: index, subtrack: nil)] = Pace(lines: lines, from: window.from, days: window.days, program: program.id)
            }
        }
        // Subtracks that count the same orders while their periods run.
        for (index, program) in programs.enumerated() {
            guard case .vip = program.rules, let window = windows[index], window.holdsDay else { continue }
            for entry in paths[index] {
                var group: [Int] = []
                for (other, candidate) in programs.enumerated() {
                    guard let otherWindow = windows[other], otherWindow.holdsDay, case .vip = candidate.rules,
                        let match = paths[other].first(where: { $0.path == entry.path }),
                        match.subtrack.productEntries == entry.subtrack.productEntries
                    else { continue }
                    group.append(other)
                }
                guard group.count > 1 else { continue }
                let longest = group.min { windows[$0]!.from < windows[$1]!.from || (windows[$0]!.from == windows[$1]!.from && $0 < $1) }!
                source[Key(program: index, subtrack: entry.path)] = (
                    Key(program: longest, subtrack: entry.path), group.filter { $0 != index }.map { programs[$0].id }
                )
            }
        }
    }

    /// The forecast of `booked` in program `program`'s subtrack `subtrack` (`nil`: the MDF program's qualifying
    /// volume); `nil` before the period begins.
    func forecast(program: Int, subtrack: String?, booked: Money) -> Forecast? {
        let key = Key(program: program, subtrack: subtrack)
        guard let remaining = remaining[program] else { return nil }
        let shared = source[key]
        guard let pace = paces[shared?.key ?? key] else { return nil }
        return pace.forecast(booked: booked, remaining: remaining, sharedWith: shared?.sharedWith ?? [])
    }
}
