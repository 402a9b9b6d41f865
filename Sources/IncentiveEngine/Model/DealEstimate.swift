/// What a quote adds to one partner's results (`Estimate.estimate`): per program and item (subtrack path or MDF
/// tier) before the deal, with it, and added; and per quote line, its share in the order of the quote.
public struct DealEstimate: Sendable {
    public var partner: Partner
    public var programs: [ProgramEstimate]
    public var lines: [LineEstimate]
    /// Warnings about the quote (a SKU not in products.csv).
    public var warnings: DiagnosticCollector

    /// Before, with and added, per currency of the programs (in the order the programs first use them).
    public var totals: [CurrencyTotal] {
        var totals: [CurrencyTotal] = []
        for program in programs {
            if let index = totals.firstIndex(where: { $0.currency == program.currency }) {
                totals[index].before.cents += program.before.cents
                totals[index].with.cents += program.with.cents
            } else {
                totals.append(CurrencyTotal(currency: program.currency, before: program.before, with: program.with))
            }
        }
        return totals
    }

    init(
        partner: Partner, programs: [Program], quote: [QuoteLine], results: [ComputeResult], outcomes: [[LineOutcome]], warnings: DiagnosticCollector
    ) {
        self.partner = partner
        self.warnings = warnings
        let first = results[0], last = results[results.count - 1]
        var estimates: [ProgramEstimate] = []
        for (index, program) in programs.enumerated() {
            let before = first.programs[index].partners.first?.rows ?? []
            let with = last.programs[index].partners.first?.rows ?? []
            var items = with.map { row in ItemEstimate(before: before.first { $0.item.isExactly(row.item) }, with: row) }
            // Subtracks the quote would count in, without an enrolment.
            if case .vip(let rules) = program.rules {
                let paths = rules.subtrackPaths
                var seen = Set<Int>()
                for line in outcomes {
                    guard case .counted(let subtrack, _) = line[index], !seen.contains(subtrack) else { continue }
                    seen.insert(subtrack)
                    let path = paths[subtrack].path
                    if !with.contains(where: { $0.item.isExactly(path) }) { items.append(ItemEstimate(notEnrolled: path)) }
                }
            }
            estimates.append(ProgramEstimate(id: program.id, name: program.name, kind: program.kind, currency: program.currency, items: items))
        }
        self.programs = estimates
        lines = quote.indices.map { position in
            let (earlier, later) = (results[position], results[position + 1])
            var shares: [LineShare] = []
            var notes: [String] = []
            for (index, program) in programs.enumerated() {
                let before = earlier.programs[index].partners.first?.rows ?? []
                let after = later.programs[index].partners.first?.rows ?? []
                var added = Money.zero
                for row in after {
                    let was = before.first { $0.item.isExactly(row.item) }?.amount ?? .zero
                    let share = Money(cents: row.amount.cents - was.cents)
                    added.cents += share.cents
                    if share.cents != 0 { shares.append(LineShare(program: program.id, item: row.item, added: share, currency: program.currency)) }
                }
                if added.cents == 0, position < outcomes.count {
                    notes.append("\(program.id): " + Self.note(outcomes[position][index], quote[position], program, before: before, after: after))
                }
            }
            return LineEstimate(line: quote[position], shares: shares, notes: notes)
        }
    }

    /// Why a line adds nothing to `program`, from what the one pass did with it and the rows before and after it.
    static func note(_ outcome: LineOutcome, _ line: QuoteLine, _ program: Program, before: [ResultRow], after: [ResultRow]) -> String {
        let paths: [String]
        if case .vip(let rules) = program.rules { paths = rules.subtrackPaths.map(\.path) } else { paths = [] }
        func reasons(_ row: ResultRow?, _ was: ResultRow?, item: String) -> String {
            guard let row else { return "subtrack \(item) is not enrolled" }
            let failed = row.checks.filter { !$0.passed }
            if !failed.isEmpty { return "\(item) is not paid: " + failed.map(\.explanation).joined(separator: "; ") }
            if let rebate = was?.rebate, rebate.capBound || rebate.cap.map({ rebate.uncapped == $0 }) == true {
                return "\(item) has reached its cap of \(rebate.cap!.groupedText) \(program.currency)"
            }
            if let rebate = row.rebate, rebate.base.cents <= 0 {
                return "\(item): the rebate base (\(rebate.rebateBase.rawValue)) is still 0 or less"
            }
            return "\(item): the line adds less than half a cent"
        }
        if case .mdf = program.rules, after.isEmpty {
            return "the partner does not take part (not a Partner Provider, or a tier the program does not list)"
        }
        switch outcome {
        case .counted(let subtrack, _):
            let item = paths[subtrack]
            return reasons(after.first { $0.item.isExactly(item) }, before.first { $0.item.isExactly(item) }, item: item)
        case .qualifying:
            return reasons(after.first, before.first, item: after.first?.item ?? "mdf")
        case .untagged: return "no intended use, and the rule in force counts only tagged lines"
        case .otherTag: return "intended use \(line.intendedUse) is not counted"
        case .noRule: return "no intended-use rule in force on its date"
        case .outsidePeriod(_, let date): return "counted on \(date), outside the period \(program.periodLabel)"
        case .undated: return "no shipped_on, and the program counts by shipped_on"
        case .noSubtrack: return "SKU \(line.sku) is on no subtrack's list"
        case .beforeEnrollment(let subtrack, _, let enrolledOn):
            return "counted before the late enrolment in \(paths[subtrack]) on \(enrolledOn): left out (late-enrolment cut-off)"
        case .outsideProductDates(let subtrack, _):
            return "SKU \(line.sku) is on the list of \(paths[subtrack]) only on other dates than \(line.bookedOn)"
        case .baseline(let subtrack, _, let date):
            return "counted on \(date), in the baseline period of \(paths[subtrack]), not in the period"
        case .baselineOutsideProductDates(let subtrack, let date):
            return "counted on \(date), in the baseline period of \(paths[subtrack]) but outside its product entry's dates, not in the period"
        }
    }
}

/// Before, with and added in one currency.
public struct CurrencyTotal: Sendable, Hashable {
    public var currency: String
    public var before: Money
    public var with: Money
    public var added: Money { Money(cents: with.cents - before.cents) }

    public init(currency: String, before: Money, with: Money) {
        self.currency = currency
        self.before = before
        self.with = with
    }
}

/// One program of an estimate.
public struct ProgramEstimate: Sendable {
    public var id: String
    public var name: String
    public var kind: ProgramKind
    public var currency: String
    /// The partner's items (enrolled subtracks, MDF tier), then subtracks the quote counts in without an enrolment.
    public var items: [ItemEstimate]

    public var before: Money { Money(cents: items.reduce(0) { $0 + $1.before.cents }) }
    public var with: Money { Money(cents: items.reduce(0) { $0 + $1.with.cents }) }
    public var added: Money { Money(cents: with.cents - before.cents) }
}

/// One item (subtrack or MDF tier) of an estimate.
public struct ItemEstimate: Sendable {
    public var item: String
    public var enrolled: Bool
    public var volumeBefore: Money
    public var volumeWith: Money
    /// The rebate (VIP) or accrual (MDF) paid.
    public var before: Money
    public var with: Money
    public var added: Money { Money(cents: with.cents - before.cents) }
    public var eligibleBefore: Bool
    public var eligibleWith: Bool
    /// What the deal changes: a minimum crossed, a tier reached, an attach band moved, a cap hit.
    public var events: [EstimateEvent]
    /// With the deal, the checks that still fail, besides the volume (a missing credential, CSAT reports, the tier).
    public var missing: [String]

    init(before: ResultRow?, with row: ResultRow) {
        item = row.item
        enrolled = true
        volumeBefore = before?.qualifyingVolume ?? .zero
        volumeWith = row.qualifyingVolume
        self.before = before?.amount ?? .zero
        with = row.amount
        eligibleBefore = before?.eligible ?? false
        eligibleWith = row.eligible
        missing = row.checks.filter { !$0.passed && $0.code != .volume }.map(\.explanation)
        var events: [EstimateEvent] = []
        let volumeBefore = before?.checks.first { $0.code == .volume }?.passed ?? false
        let volumeWith = row.checks.first { $0.code == .volume }?.passed ?? true
        if volumeWith && !volumeBefore {
            events.append(.crossesMinimum(minimum: row.threshold))
        } else if !volumeWith {
            events.append(.belowMinimum(short: Money(cents: row.threshold.cents - row.qualifyingVolume.cents)))
        }
        if let rebate = row.rebate {
            let was = before?.rebate
            switch rebate.tierMethod {
            case .retroactive?:
                if let reached = rebate.slices.last, reached.from.cents > 0, reached.from > (was?.slices.last?.from ?? Money(cents: -1)) {
                    events.append(.reachesTier(from: reached.from, percent: reached.percent, retroactive: true))
                }
            case .marginal?:
                for slice in rebate.slices where slice.from.cents > 0 && !(was?.slices.contains { $0.from == slice.from } ?? false) {
                    events.append(.reachesTier(from: slice.from, percent: slice.percent, retroactive: false))
                }
            case nil: break
            }
            if let attach = rebate.attach, attach.band != was?.attach?.band {
                events.append(
                    .attachBand(from: was?.attach?.band?.percent, to: attach.band?.percent, rate: attach.rate(qualifying: row.qualifyingVolume)))
            }
            if let cap = rebate.cap {
                if was?.capBound == true {
                    events.append(.alreadyCapped(cap: cap))
                } else if rebate.capBound {
                    events.append(.hitsCap(cap: cap, uncapped: rebate.uncapped))
                }
            }
        }
        self.events = events
    }

    init(notEnrolled path: String) {
        item = path
        enrolled = false
        (volumeBefore, volumeWith, before, with) = (.zero, .zero, .zero, .zero)
        (eligibleBefore, eligibleWith) = (false, false)
        events = [.notEnrolled]
        missing = []
    }
}

/// What a deal changes in one item.
public enum EstimateEvent: Sendable, Hashable {
    /// The qualifying volume reaches the minimum: the rebate is paid on the whole base.
    case crossesMinimum(minimum: Money)
    /// Still below the minimum with the deal, by `short`.
    case belowMinimum(short: Money)
    /// The base reaches the rebate tier starting at `from` (retroactive: its percent applies to the whole base).
    case reachesTier(from: Money, percent: ScaledDecimal, retroactive: Bool)
    /// The attach bonus moves from one band to another (`nil`: no band); `rate` is the attach rate with the deal.
    case attachBand(from: ScaledDecimal?, to: ScaledDecimal?, rate: ScaledDecimal?)
    /// With the deal the cap binds: more volume adds nothing.
    case hitsCap(cap: Money, uncapped: Money)
    /// The cap bound before the deal already: it adds nothing.
    case alreadyCapped(cap: Money)
    /// The quote counts in this subtrack but the partner is not enrolled in it.
    case notEnrolled

    /// A short code for machines (`crosses_minimum`, ...).
    public var code: String {
        switch self {
        case .crossesMinimum: return "crosses_minimum"
        case .belowMinimum: return "below_minimum"
        case .reachesTier: return "reaches_tier"
        case .attachBand: return "attach_band"
        case .hitsCap: return "hits_cap"
        case .alreadyCapped: return "already_capped"
        case .notEnrolled: return "not_enrolled"
        }
    }

    /// In words, amounts in `currency`.
    public func text(currency: String) -> String {
        func money(_ amount: Money) -> String { "\(amount.groupedText) \(currency)" }
        switch self {
        case .crossesMinimum(let minimum): return "crosses the minimum of \(money(minimum)): the rebate is paid on the whole volume"
        case .belowMinimum(let short): return "still \(money(short)) below the minimum: nothing is paid"
        case .reachesTier(let from, let percent, let retroactive):
            return retroactive
                ? "reaches the tier from \(money(from)): \(percent.text)% on the whole base"
                : "reaches the tier from \(money(from)): \(percent.text)% on the volume above it"
        case .attachBand(let from, let to, let rate):
            let rateText = rate.map { " (attach rate \($0.text)%)" } ?? ""
            return "attach bonus \(from.map { "+\($0.text) points" } ?? "none") -> \(to.map { "+\($0.text) points" } ?? "none")\(rateText)"
        case .hitsCap(let cap, let uncapped): return "hits the cap of \(money(cap)) (uncapped \(money(uncapped))): more volume adds nothing"
        case .alreadyCapped(let cap): return "the cap of \(money(cap)) was already reached: the deal adds nothing"
        case .notEnrolled: return "not enrolled: the deal's lines of this subtrack add nothing"
        }
    }
}

/// One quote line's share: what it adds, in the order of the quote, to each item it changes.
public struct LineEstimate: Sendable {
    public var line: QuoteLine
    public var shares: [LineShare]
    /// Per program it adds nothing to: why (`<program>: <reason>`).
    public var notes: [String]
}

/// What one quote line adds to one item.
public struct LineShare: Sendable, Hashable {
    public var program: String
    public var item: String
    public var added: Money
    public var currency: String

    public init(program: String, item: String, added: Money, currency: String) {
        self.program = program
        self.item = item
        self.added = added
        self.currency = currency
    }
}
