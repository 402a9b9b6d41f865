/// What the booking lines of one partner add up to in one VIP subtrack.
public struct SubtrackTotals: Sendable, Hashable {
    /// Sum of the lines counted, in program currency (credits included).
    public var volume = Money.zero
    /// Lines counted: counting date inside the period.
    public var lines = 0
    /// Lines of this subtrack whose counting date lies outside the period.
    public var outsidePeriodLines = 0
    /// Lines of this subtrack without the counting date (`shipped_on` empty).
    public var undatedLines = 0

    public init() {}
}

extension SubtrackTotals {
    /// Adds `other`, the totals of other lines of the same partner and subtrack. The volumes wrap rather
    /// than trap: `BookingAccumulator` keeps every sum within its limit, or fails the load.
    mutating func add(_ other: SubtrackTotals) {
        volume.cents &+= other.volume.cents
        lines += other.lines
        outsidePeriodLines += other.outsidePeriodLines
        undatedLines += other.undatedLines
    }
}

/// What the booking lines of one partner add up to in one MDF program.
public struct MDFTotals: Sendable, Hashable {
    public var qualifyingVolume = Money.zero
    public var qualifyingLines = 0
    /// Of the qualifying lines, those without any intended use (counted under an `any` rule).
    public var qualifyingUntaggedLines = 0
    public var untaggedVolume = Money.zero
    public var untaggedLines = 0
    /// In period, tagged with an intended use the rule does not count (e.g. `resale`).
    public var otherTagVolume = Money.zero
    public var otherTagLines = 0
    public var outsidePeriodLines = 0
    public var undatedLines = 0

    public init() {}
}

extension MDFTotals {
    /// Adds `other`, the totals of other lines of the same partner. The volumes wrap rather than trap:
    /// `BookingAccumulator` keeps every sum within its limit, or fails the load.
    mutating func add(_ other: MDFTotals) {
        qualifyingVolume.cents &+= other.qualifyingVolume.cents
        qualifyingLines += other.qualifyingLines
        qualifyingUntaggedLines += other.qualifyingUntaggedLines
        untaggedVolume.cents &+= other.untaggedVolume.cents
        untaggedLines += other.untaggedLines
        otherTagVolume.cents &+= other.otherTagVolume.cents
        otherTagLines += other.otherTagLines
        outsidePeriodLines += other.outsidePeriodLines
        undatedLines += other.undatedLines
    }
}

/// What the rules of formats.md §5.2-5.4 add up for one partner and one VIP subtrack, besides its volume.
public struct SubtrackExtras: Sendable, Hashable {
    /// In-period lines matching the subtrack's `attach_bonus.products` (from the enrolment date on when it is late).
    public var attachVolume = Money.zero
    /// The subtrack's lines whose counting date lies in its baseline period (no enrolment cut-off).
    public var baselineVolume = Money.zero
    /// In-period lines of the subtrack counted before a late enrolment: left out.
    public var beforeEnrollmentVolume = Money.zero
    /// In-period lines whose SKU matched an entry of the subtrack by pattern, not by dates, and no other subtrack.
    public var outsideProductDatesVolume = Money.zero
    /// In-period lines matching `attach_bonus.products` counted before a late enrolment in the subtrack: left out of
    /// its attach volume (formats.md §5.4).
    public var attachBeforeEnrollmentVolume = Money.zero
    public var beforeEnrollmentLines: Int32 = 0
    public var outsideProductDatesLines: Int32 = 0
    public var attachBeforeEnrollmentLines: Int32 = 0

    public init() {}

    /// Adds `other`, the extras of other lines of the same partner and subtrack (wrapping, like `SubtrackTotals.add`).
    mutating func add(_ other: SubtrackExtras) {
        attachVolume.cents &+= other.attachVolume.cents
        baselineVolume.cents &+= other.baselineVolume.cents
        beforeEnrollmentVolume.cents &+= other.beforeEnrollmentVolume.cents
        outsideProductDatesVolume.cents &+= other.outsideProductDatesVolume.cents
        beforeEnrollmentLines &+= other.beforeEnrollmentLines
        outsideProductDatesLines &+= other.outsideProductDatesLines
        attachBeforeEnrollmentVolume.cents &+= other.attachBeforeEnrollmentVolume.cents
        attachBeforeEnrollmentLines &+= other.attachBeforeEnrollmentLines
    }
}

/// The totals of one program over all partners.
public struct ProgramTotals: Sendable, Equatable {
    /// Number of subtracks (VIP) in document order; 0 for MDF.
    public let subtrackCount: Int
    /// VIP: `partners × subtrackCount`, indexed `partner * subtrackCount + subtrack`.
    public var subtracks: [SubtrackTotals]
    /// VIP: per partner, in-period or not, lines whose SKU matched no subtrack.
    public var unmatchedLines: [Int]
    /// MDF: per partner.
    public var mdf: [MDFTotals]
    /// VIP programs that `usesV2Rules`: indexed like `subtracks`; empty otherwise.
    public var extras: [SubtrackExtras] = []

    init(program: Program, partnerCount: Int) {
        switch program.rules {
        case .vip(let rules):
            subtrackCount = rules.tracks.reduce(0) { $0 + $1.subtracks.count }
            subtracks = Array(repeating: SubtrackTotals(), count: partnerCount * subtrackCount)
            unmatchedLines = Array(repeating: 0, count: partnerCount)
            mdf = []
            if rules.usesV2Rules { extras = Array(repeating: SubtrackExtras(), count: partnerCount * subtrackCount) }
        case .mdf:
            subtrackCount = 0
            subtracks = []
            unmatchedLines = []
            mdf = Array(repeating: MDFTotals(), count: partnerCount)
        }
    }

    public func subtrack(partner: Int, subtrack: Int) -> SubtrackTotals { subtracks[partner * subtrackCount + subtrack] }

    /// Adds `other`, the totals of other lines of the same program and partners, slot by slot (wrapping, like
    /// `SubtrackTotals.add`): chunks of a file read in parallel, or a quote's lines on top of a partner's.
    mutating func add(_ other: ProgramTotals) {
        Self.addSlots(&subtracks, other.subtracks) { $0.add($1) }
        Self.addSlots(&unmatchedLines, other.unmatchedLines) { $0 &+= $1 }
        Self.addSlots(&mdf, other.mdf) { $0.add($1) }
        Self.addSlots(&extras, other.extras) { $0.add($1) }
    }

    /// Adds each slot of `theirs` into the same slot of `mine` with `add`.
    @inline(__always)
    private static func addSlots<Slot>(_ mine: inout [Slot], _ theirs: [Slot], _ add: (inout Slot, Slot) -> Void) {
        mine.withUnsafeMutableBufferPointer { mine in
            for slot in mine.indices { add(&mine[slot], theirs[slot]) }
        }
    }

    /// The extras of partner `partner` in subtrack `subtrack`; zero for a program without v2 rules.
    public func extras(partner: Int, subtrack: Int) -> SubtrackExtras {
        extras.isEmpty ? SubtrackExtras() : extras[partner * subtrackCount + subtrack]
    }
}

/// What happened to one booking line in one program (kept only for the partner being explained).
public enum LineOutcome: Sendable, Hashable {
    /// Counted in the subtrack at `subtrack` (index in document order), converted to `amount`.
    case counted(subtrack: Int, amount: Money)
    /// MDF: qualifying under the intended-use rule in force.
    case qualifying(amount: Money)
    /// MDF: in period, no intended use, and the rule in force needs one.
    case untagged(amount: Money)
    /// MDF: in period, tagged with an intended use the rule does not count.
    case otherTag(amount: Money)
    /// MDF: no intended-use rule in force on the counting date.
    case noRule(amount: Money)
    /// VIP: in the subtrack's products, but the counting date is outside the period.
    case outsidePeriod(subtrack: Int?, date: Day)
    /// No counting date (`shipped_on` empty while the program counts by it).
    case undated(subtrack: Int?)
    /// VIP: the SKU matches no subtrack of the program.
    case noSubtrack
    /// VIP (formats.md §5.3): in the subtrack and the period, but counted before a late enrolment on `enrolledOn`.
    case beforeEnrollment(subtrack: Int, amount: Money, enrolledOn: Day)
    /// VIP (formats.md §5.2): in the period, its SKU matches an entry of `subtrack` by pattern but its `booked_on`
    /// lies outside the entry's dates, and no other subtrack took it.
    case outsideProductDates(subtrack: Int, amount: Money)
    /// VIP (formats.md §5.4): outside the period, inside the baseline period of `subtrack`.
    case baseline(subtrack: Int, amount: Money, date: Day)
    /// VIP (formats.md §5.2, §5.4): inside the baseline period of `subtrack`, its SKU matches an entry of `subtrack` by
    /// pattern but its `booked_on` lies outside the entry's dates, so it is no baseline volume (not converted: it
    /// counts nowhere).
    case baselineOutsideProductDates(subtrack: Int, date: Day)
}

/// A line of the partner being explained that an attach bonus (formats.md §5.4) looked at: counted in the attach
/// volume of `subtrack` of program `program`, or left out of it by a late enrolment (§5.3) on `enrolledLateOn`.
public struct AttachUse: Sendable, Hashable {
    public var program: Int
    public var subtrack: Int
    /// Converted into the program's currency.
    public var amount: Money
    /// The late enrolment that left the line out of the attach volume; `nil`: counted.
    public var enrolledLateOn: Day?
}

/// One booking line of the partner being explained, with its outcome per program.
public struct TracedLine: Sendable, Hashable {
    public var line: Int
    public var orderID: String
    public var lineID: String
    public var sku: String
    public var bookedOn: Day
    public var shippedOn: Day?
    public var amount: Money
    public var currency: String
    public var intendedUse: String
    /// Indexed like the programs given to the aggregator.
    public var outcomes: [LineOutcome]
    /// The attach bonuses that looked at the line, in program and subtrack order.
    public var attach: [AttachUse] = []
}

/// The result of the one pass over `bookings.csv`.
public struct BookingTotals: Sendable, Equatable {
    /// Indexed like the programs given to the aggregator.
    public var programs: [ProgramTotals]
    /// Booking lines read (records, not physical lines).
    public var lineCount = 0
    /// The lines of the traced partner, in file order.
    public var traced: [TracedLine] = []
}
