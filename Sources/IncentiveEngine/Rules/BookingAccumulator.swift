/// Adds booking lines into the bucket of (program, partner, item) they belong to: the one pass of
/// formats.md over bookings, whatever they come from (a CSV file or a workspace).
///
/// A value type on purpose: held in a local variable, its hot state needs no exclusivity checks.
public struct BookingAccumulator: Sendable {
    private let programs: [Program]
    private let tracePartner: Int?

    private struct VIPPlan {
        var patterns: [(subtrack: Int, pattern: SKUPattern)]
    }

    private struct MDFPlan {
        var ruleStarts: [Int32]
        var rules: [IntendedUseRule]
        /// Per rule, per tag id: 1 allowed, 0 not, -1 not computed yet.
        var allowed: [[Int8]]
    }

    /// A VIP program with the rules of formats.md §5.2-5.4 (`Program.usesV2Rules`).
    private struct V2Plan {
        var subtrackCount: Int
        /// Every product entry in document order: its subtrack, pattern and dates (`Int32.min`/`max` when open).
        var entrySubtrack: [Int32] = []
        var entryPattern: [SKUPattern] = []
        var entryFrom: [Int32] = []
        var entryUntil: [Int32] = []
        /// Per SKU id: where the entries whose pattern matches it start in `skuEntries` (a run ended by -1); -2 not computed yet.
        var skuStart: [Int32] = []
        var skuEntries: [Int32] = []
        /// Per subtrack: its `attach_bonus.products` (empty without a bonus).
        var attachPatterns: [[SKUPattern]] = []
        var hasAttach = false
        /// Per SKU id: where the subtracks whose attach products match it start in `skuAttach` (ended by -1); -2 not computed yet.
        var attachStart: [Int32] = []
        var skuAttach: [Int32] = []
        /// Per subtrack: its baseline period (start > end without one).
        var baselineStart: [Int32] = []
        var baselineEnd: [Int32] = []
        /// `partner × subtrackCount + subtrack`: the enrolment date when after `full_credit_enrollment_until`, else
        /// `Int32.min`; empty without that key.
        var cutOff: [Int32] = []
    }

    private struct Plan {
        var start: Int32
        var end: Int32
        var byShipped: Bool
        var currency: UInt32
        var vip: VIPPlan?
        var mdf: MDFPlan?
        /// Index into `v2Plans`; -1 for a program without the rules of formats.md §5.2-5.4.
        var v2 = -1
        /// Per SKU id: subtrack index, -1 none, -2 not computed yet.
        var subtrackOfSKU: [Int32] = []
    }

    private var plans: [Plan] = []
    /// Kept apart from `plans` (not as an optional inside a plan), so the pass reads and writes them in place.
    private var v2Plans: [V2Plan] = []
    /// SKUs outside the catalogue: few, usually none (a one-partner read for a page built an 8,192-slot table each time).
    private var skus = ByteInterner(capacity: 64)
    /// The dataset's products; `BookingLine.catalogueSKU` indexes it.
    private let catalogue: ByteInterner?
    private let catalogueCount: Int32
    /// Entries of every plan's `subtrackOfSKU`.
    private var skuSlots = 0
    private var tags = ByteInterner(capacity: 64)
    private var fx: [UInt32: [(day: Int32, rate: Int64)]] = [:]
    private var fxCache: [UInt64: Int64] = [:]
    /// The rate looked up last (lines of one order share currency and date).
    private var lastRateKey = UInt64.max
    private var lastRate: Int64?
    /// The sum of |amount| over every (line, program) counted. While it stays within `sumLimit`, no
    /// total the engine makes from these lines can overflow: a bucket, a partner's or a program's
    /// total, an MDF volume with its untagged lines, a minimum minus a volume, a run's total.
    private var counted: Int64 = 0
    /// How far `counted` may go: `sumLimit`, less what earlier chunks counted when this accumulator
    /// continues them (`continueAfter`); -1 once it was passed, so no later line is counted.
    private var room = BookingAccumulator.sumLimit
    /// Where `counted` first passed `room`.
    private var overflow: Overflow?
    private let partners: [Partner]
    /// For the tier of an MDF item in a message (formats.md §5.5).
    private let tierChanges: [[TierChange]]
    private var totals: BookingTotals

    /// The most the amounts counted may add up to, in cents of the programs' currency (9 × 10^18, that is
    /// 90,000,000,000,000,000.00 units): less than `Int64.max` by more than any single amount or minimum volume.
    public static let sumLimit: Int64 = 9_000_000_000_000_000_000

    /// The line with which the amounts counted passed `sumLimit`.
    private struct Overflow {
        var line: Int
        var orderID: String
        var lineID: String
        var partner: Int
        var program: Int
        var item: String
        /// As written, in the line's currency.
        var amount: Int64
    }

    public init(programs: [Program], dataset: Dataset, tracePartner: Int? = nil) {
        self.programs = programs
        self.tracePartner = tracePartner
        catalogue = dataset.products
        catalogueCount = Int32(dataset.products?.count ?? 0)
        partners = dataset.partners
        tierChanges = dataset.tierChanges
        totals = BookingTotals(programs: programs.map { ProgramTotals(program: $0, partnerCount: dataset.partners.count) })
        _ = tags.intern("")
        for program in programs {
            var plan = Plan(
                start: program.period.start.daysSinceEpoch, end: program.period.end.daysSinceEpoch,
                byShipped: program.countBookingsBy == .shippedOn, currency: FieldParsing.currencyKey(program.currency))
            switch program.rules {
            case .vip(let rules):
                var patterns: [(Int, SKUPattern)] = []
                for (index, entry) in rules.subtrackPaths.enumerated() {
                    for pattern in entry.subtrack.products { patterns.append((index, pattern)) }
                }
                plan.vip = VIPPlan(patterns: patterns)
                if rules.usesV2Rules {
                    plan.v2 = v2Plans.count
                    v2Plans.append(Self.v2Plan(program: program, rules: rules, dataset: dataset))
                }
            case .mdf(let rules):
                plan.mdf = MDFPlan(
                    ruleStarts: rules.intendedUseRules.map { $0.from?.daysSinceEpoch ?? Int32.min },
                    rules: rules.intendedUseRules,
                    allowed: Array(repeating: [], count: rules.intendedUseRules.count))
            }
            plans.append(plan)
        }
        for (currency, rates) in dataset.fxRates {
            fx[FieldParsing.currencyKey(currency)] = rates.map { ($0.validFrom.daysSinceEpoch, $0.rate.units) }
        }
    }

    /// Adds one valid line. A line that cannot be converted into a program's currency is reported
    /// against `file` (its physical line, or its order and line id when `line.line` is 0).
    public mutating func add(_ line: BookingLine, file: String, collector: inout DiagnosticCollector) {
        totals.lineCount += 1
        let currency = FieldParsing.currencyKey(line.currency)
        // SKU ids: the catalogue's first (the reader has looked them up), then the others seen.
        let skuID = line.catalogueSKU >= 0 ? line.catalogueSKU : catalogueCount + skus.intern(line.sku)
        if Int(skuID) >= skuSlots {
            skuSlots = Int(skuID) + 1
            for index in plans.indices {
                plans[index].subtrackOfSKU.append(contentsOf: repeatElement(-2, count: skuSlots - plans[index].subtrackOfSKU.count))
            }
            for index in v2Plans.indices {
                v2Plans[index].skuStart.append(contentsOf: repeatElement(-2, count: skuSlots - v2Plans[index].skuStart.count))
                v2Plans[index].attachStart.append(contentsOf: repeatElement(-2, count: skuSlots - v2Plans[index].attachStart.count))
            }
        }
        let tag = line.intendedUse.isEmpty ? 0 : tags.intern(line.intendedUse)
        let bookedDay = line.bookedOn.daysSinceEpoch
        let partnerIndex = line.partner
        let tracing = tracePartner == partnerIndex
        var outcomes: [LineOutcome] = []
        var attachUses: [AttachUse] = []

        func location() -> (line: Int?, what: String) {
            line.line > 0
                ? (line.line, "")
                : (nil, "order \(String(decoding: line.orderID, as: UTF8.self)) line \(String(decoding: line.lineID, as: UTF8.self)): ")
        }

        for index in 0..<plans.count {
            if plans[index].v2 >= 0 {
                let done = addV2(
                    line, program: index, plan: plans[index].v2, skuID: skuID, currency: currency, tracing: tracing, outcomes: &outcomes,
                    attach: &attachUses, file: file, collector: &collector)
                if !done { return }
                continue
            }
            var subtrack: Int32 = -1
            let isVIP = plans[index].vip != nil
            if isVIP {
                subtrack = plans[index].subtrackOfSKU[Int(skuID)]
                if subtrack == -2 {
                    subtrack = -1
                    let name = skuID < catalogueCount ? catalogue!.bytes(skuID) : skus.bytes(skuID - catalogueCount)
                    for entry in plans[index].vip!.patterns where entry.pattern.matches(name) {
                        subtrack = Int32(entry.subtrack)
                        break
                    }
                    plans[index].subtrackOfSKU[Int(skuID)] = subtrack
                }
                if subtrack < 0 {
                    totals.programs[index].unmatchedLines[partnerIndex] += 1
                    if tracing { outcomes.append(.noSubtrack) }
                    continue
                }
            }
            let slot = isVIP ? partnerIndex * totals.programs[index].subtrackCount + Int(subtrack) : partnerIndex
            let countingDay: Int32
            if plans[index].byShipped {
                guard let shipped = line.shippedOn else {
                    if isVIP {
                        totals.programs[index].subtracks[slot].undatedLines += 1
                    } else {
                        totals.programs[index].mdf[slot].undatedLines += 1
                    }
                    if tracing { outcomes.append(.undated(subtrack: subtrack < 0 ? nil : Int(subtrack))) }
                    continue
                }
                countingDay = shipped.daysSinceEpoch
            } else {
                countingDay = bookedDay
            }
            if countingDay < plans[index].start || countingDay > plans[index].end {
                if isVIP {
                    totals.programs[index].subtracks[slot].outsidePeriodLines += 1
                } else {
                    totals.programs[index].mdf[slot].outsidePeriodLines += 1
                }
                if tracing {
                    outcomes.append(.outsidePeriod(subtrack: subtrack < 0 ? nil : Int(subtrack), date: Day(daysSinceEpoch: countingDay)))
                }
                continue
            }
            // Convert into program currency, rounded to cents per line.
            guard let cents = convert(line, currency: currency, program: index, day: countingDay, file: file, collector: &collector) else {
                return
            }
            let (sum, overflowing) = counted.addingReportingOverflow(Int64(cents.magnitude))
            if overflowing || sum > room {
                if overflow == nil {
                    noteOverflow(line, program: index, subtrack: subtrack)
                }
                continue
            }
            counted = sum
            // No bucket can overflow now: each is at most `counted` in size, and `counted` is within `sumLimit`.
            if isVIP {
                totals.programs[index].subtracks[slot].volume.cents += cents
                totals.programs[index].subtracks[slot].lines += 1
                if tracing { outcomes.append(.counted(subtrack: Int(subtrack), amount: Money(cents: cents))) }
                continue
            }
            switch Self.mdfOutcome(&plans[index].mdf!, tag: tag, day: countingDay, tags: tags) {
            case 1:
                totals.programs[index].mdf[slot].qualifyingVolume.cents += cents
                totals.programs[index].mdf[slot].qualifyingLines += 1
                if tag == 0 { totals.programs[index].mdf[slot].qualifyingUntaggedLines += 1 }
                if tracing { outcomes.append(.qualifying(amount: Money(cents: cents))) }
            case 0 where tag == 0:
                totals.programs[index].mdf[slot].untaggedVolume.cents += cents
                totals.programs[index].mdf[slot].untaggedLines += 1
                if tracing { outcomes.append(.untagged(amount: Money(cents: cents))) }
            case 0:
                totals.programs[index].mdf[slot].otherTagVolume.cents += cents
                totals.programs[index].mdf[slot].otherTagLines += 1
                if tracing { outcomes.append(.otherTag(amount: Money(cents: cents))) }
            default:
                // No rule in force: neither qualifying nor untagged.
                totals.programs[index].mdf[slot].otherTagLines += 1
                if tracing { outcomes.append(.noRule(amount: Money(cents: cents))) }
            }
        }
        if tracing {
            totals.traced.append(
                TracedLine(
                    line: line.line, orderID: String(decoding: line.orderID, as: UTF8.self), lineID: String(decoding: line.lineID, as: UTF8.self),
                    sku: String(decoding: line.sku, as: UTF8.self), bookedOn: line.bookedOn, shippedOn: line.shippedOn,
                    amount: Money(cents: line.amount), currency: String(decoding: line.currency, as: UTF8.self).uppercased(),
                    intendedUse: tags.string(tag), outcomes: outcomes, attach: attachUses))
        }
    }

    /// Notes the line with which the amounts counted pass `room`; no later line is counted.
    private mutating func noteOverflow(_ line: BookingLine, program: Int, subtrack: Int32) {
        let item: String
        switch programs[program].rules {
        case .vip(let rules): item = rules.subtrackPaths[Int(subtrack)].path
        case .mdf:
            var tier = partners[line.partner].tier
            if line.partner < tierChanges.count {
                for change in tierChanges[line.partner] where change.validFrom <= programs[program].period.end { tier = change.tier }
            }
            item = tier.rawValue
        }
        overflow = Overflow(
            line: line.line, orderID: String(decoding: line.orderID, as: UTF8.self), lineID: String(decoding: line.lineID, as: UTF8.self),
            partner: line.partner, program: program, item: item, amount: line.amount)
        room = -1
    }

    /// Whether `later` (from the chunk after the lines added here) must be read again with an accumulator
    /// that `continueAfter`s this one: together they pass `sumLimit`, and only such a reading finds the line.
    public func mustReread(_ later: BookingAccumulator) -> Bool {
        overflow == nil && (later.overflow != nil || later.counted > room - counted)
    }

    /// Makes this (fresh) accumulator, about to take the lines after those of `earlier`, stop where the
    /// amounts counted by both pass `sumLimit`.
    public mutating func continueAfter(_ earlier: BookingAccumulator) {
        room = earlier.overflow == nil ? earlier.room - earlier.counted : Self.sumLimit
    }

    /// Adds what `other` (made for the same programs and dataset, from a later part of the same
    /// bookings) has added, its line numbers moved by `lineShift`.
    public mutating func absorb(_ other: BookingAccumulator, lineShift: Int) {
        totals.lineCount += other.totals.lineCount
        if overflow == nil {
            if var theirs = other.overflow {
                if theirs.line > 0 { theirs.line += lineShift }
                overflow = theirs
                room = -1
            } else {
                // Within `room` unless `mustReread(other)` was ignored; then the sum is reported without its line.
                let (sum, overflowing) = counted.addingReportingOverflow(other.counted)
                if overflowing || sum > room {
                    overflow = Overflow(line: -1, orderID: "", lineID: "", partner: -1, program: -1, item: "", amount: 0)
                    room = -1
                } else {
                    counted = sum
                }
            }
        }
        // The sums below stay within `sumLimit` (`counted` bounds them); they wrap, rather than trap, only
        // when an overflow without a line was noted above, and then the load fails and they are not used.
        for index in totals.programs.indices { totals.programs[index].add(other.totals.programs[index]) }
        for var line in other.totals.traced {
            if line.line > 0 { line.line += lineShift }
            totals.traced.append(line)
        }
    }

    /// The totals; amounts that add up beyond `sumLimit` are reported against `file`.
    public func finish(file: String, collector: inout DiagnosticCollector) -> BookingTotals {
        reportOverflow(file: file, collector: &collector)
        return totals
    }

    /// Reports the line with which the amounts counted passed `sumLimit`, if they did: an error naming
    /// the partner, program and item of that line.
    public func reportOverflow(file: String, collector: inout DiagnosticCollector) {
        guard let overflow else { return }
        let currency = programs.first?.currency ?? ""
        let limit = "\(Money(cents: Self.sumLimit).groupedText) \(currency)"
        guard overflow.program >= 0 else {
            collector.error(
                file: file, line: nil, "the booking amounts counted add up beyond \(limit), the most the engine adds up exactly")
            return
        }
        let program = programs[overflow.program]
        let partner = partners[overflow.partner].id
        let what = overflow.line > 0 ? "" : "order \(overflow.orderID) line \(overflow.lineID): "
        collector.error(
            file: file, line: overflow.line > 0 ? overflow.line : nil, column: "amount", value: Money(cents: overflow.amount).plainText,
            "\(what)partner \(partner), program \(program.id), item \(overflow.item): with this line the booking amounts counted "
                + "(over all programs, credits as their size) add up beyond \(limit), the most the engine adds up exactly")
    }

    /// 1 when the line qualifies, 0 when it does not, -1 when no rule is in force.
    private static func mdfOutcome(_ plan: inout MDFPlan, tag: Int32, day: Int32, tags: ByteInterner) -> Int {
        var rule = -1
        for position in 0..<plan.ruleStarts.count where plan.ruleStarts[position] <= day { rule = position }
        if rule < 0 { return -1 }
        let tagIndex = Int(tag)
        if tagIndex >= plan.allowed[rule].count {
            plan.allowed[rule].append(contentsOf: repeatElement(-1, count: tagIndex + 1 - plan.allowed[rule].count))
        }
        if plan.allowed[rule][tagIndex] < 0 {
            plan.allowed[rule][tagIndex] = plan.rules[rule].allows(tags.string(tag)) ? 1 : 0
        }
        return Int(plan.allowed[rule][tagIndex])
    }

    private static func rate(_ currency: UInt32, _ day: Int32, fx: [UInt32: [(day: Int32, rate: Int64)]], cache: inout [UInt64: Int64]) -> Int64? {
        let key = UInt64(currency) << 32 | UInt64(UInt32(bitPattern: day))
        if let cached = cache[key] { return cached < 0 ? nil : cached }
        var found: Int64 = -1
        if let rates = fx[currency] {
            for entry in rates where entry.day <= day { found = entry.rate }
        }
        cache[key] = found
        return found < 0 ? nil : found
    }
}

/// The rules of formats.md §5.2-5.4 in the one pass: dated product entries, the late-enrolment cut-off, attach
/// volumes and growth baselines, added per partner and subtrack. Only programs that use them take this path.
extension BookingAccumulator {
    private static func v2Plan(program: Program, rules: VIPRules, dataset: Dataset) -> V2Plan {
        let paths = rules.subtrackPaths
        var plan = V2Plan(subtrackCount: paths.count)
        for (index, entry) in paths.enumerated() {
            for product in entry.subtrack.productEntries {
                plan.entrySubtrack.append(Int32(index))
                plan.entryPattern.append(product.pattern)
                plan.entryFrom.append(product.from?.daysSinceEpoch ?? Int32.min)
                plan.entryUntil.append(product.until?.daysSinceEpoch ?? Int32.max)
            }
            plan.attachPatterns.append(entry.subtrack.attachBonus?.products ?? [])
            if entry.subtrack.attachBonus != nil { plan.hasAttach = true }
            plan.baselineStart.append(entry.subtrack.baseline?.period.start.daysSinceEpoch ?? Int32.max)
            plan.baselineEnd.append(entry.subtrack.baseline?.period.end.daysSinceEpoch ?? Int32.min)
        }
        if let fullCredit = rules.fullCreditEnrollmentUntil {
            plan.cutOff = Array(repeating: Int32.min, count: dataset.partners.count * paths.count)
            for enrollment in dataset.enrollments where enrollment.enrolledOn > fullCredit && enrollment.program.isExactly(program.id) {
                guard let partner = dataset.partnerIndex(enrollment.partnerID),
                    let subtrack = paths.firstIndex(where: { $0.path.isExactly(enrollment.subtrack) })
                else { continue }
                plan.cutOff[partner * paths.count + subtrack] = enrollment.enrolledOn.daysSinceEpoch
            }
        }
        return plan
    }

    /// The bytes of SKU `skuID`.
    private func skuBytes(_ skuID: Int32) -> ArraySlice<UInt8> {
        skuID < catalogueCount ? catalogue!.bytes(skuID) : skus.bytes(skuID - catalogueCount)
    }

    /// Adds `line` to program `index`, which has a `V2Plan`; false when the line cannot be converted (reported).
    private mutating func addV2(
        _ line: BookingLine, program index: Int, plan v2: Int, skuID: Int32, currency: UInt32, tracing: Bool, outcomes: inout [LineOutcome],
        attach attachUses: inout [AttachUse], file: String, collector: inout DiagnosticCollector
    ) -> Bool {
        let sku = Int(skuID)
        let partner = line.partner
        let count = v2Plans[v2].subtrackCount
        if v2Plans[v2].skuStart[sku] == -2 {
            let name = skuBytes(skuID)
            var start = Int32(v2Plans[v2].skuEntries.count)
            var matches: [Int32] = []
            for entry in v2Plans[v2].entryPattern.indices where v2Plans[v2].entryPattern[entry].matches(name) {
                matches.append(Int32(entry))
            }
            if matches.isEmpty {
                start = -1
            } else {
                v2Plans[v2].skuEntries.append(contentsOf: matches)
                v2Plans[v2].skuEntries.append(-1)
            }
            v2Plans[v2].skuStart[sku] = start
        }
        if v2Plans[v2].hasAttach && v2Plans[v2].attachStart[sku] == -2 {
            let name = skuBytes(skuID)
            var matches: [Int32] = []
            for (subtrack, patterns) in v2Plans[v2].attachPatterns.enumerated() where patterns.contains(where: { $0.matches(name) }) {
                matches.append(Int32(subtrack))
            }
            if matches.isEmpty {
                v2Plans[v2].attachStart[sku] = -1
            } else {
                v2Plans[v2].attachStart[sku] = Int32(v2Plans[v2].skuAttach.count)
                v2Plans[v2].skuAttach.append(contentsOf: matches)
                v2Plans[v2].skuAttach.append(-1)
            }
        }
        // The first entry, in document order, whose pattern and dates match; the first whose pattern alone does.
        let booked = line.bookedOn.daysSinceEpoch
        var subtrack: Int32 = -1
        var missed: Int32 = -1
        var position = Int(v2Plans[v2].skuStart[sku])
        if position >= 0 {
            while v2Plans[v2].skuEntries[position] >= 0 {
                let entry = Int(v2Plans[v2].skuEntries[position])
                if v2Plans[v2].entryFrom[entry] <= booked && booked <= v2Plans[v2].entryUntil[entry] {
                    subtrack = v2Plans[v2].entrySubtrack[entry]
                    break
                }
                if missed < 0 { missed = v2Plans[v2].entrySubtrack[entry] }
                position += 1
            }
        }
        let attachFirst = v2Plans[v2].hasAttach ? Int(v2Plans[v2].attachStart[sku]) : -1
        if subtrack < 0 {
            totals.programs[index].unmatchedLines[partner] += 1
            if missed < 0 && attachFirst < 0 {
                if tracing { outcomes.append(.noSubtrack) }
                return true
            }
        }
        let slotBase = partner * count
        let countingDay: Int32
        if plans[index].byShipped {
            guard let shipped = line.shippedOn else {
                if subtrack >= 0 { totals.programs[index].subtracks[slotBase + Int(subtrack)].undatedLines += 1 }
                if tracing { outcomes.append(subtrack >= 0 ? .undated(subtrack: Int(subtrack)) : .noSubtrack) }
                return true
            }
            countingDay = shipped.daysSinceEpoch
        } else {
            countingDay = booked
        }
        let inPeriod = countingDay >= plans[index].start && countingDay <= plans[index].end
        let inBaseline =
            subtrack >= 0 && v2Plans[v2].baselineStart[Int(subtrack)] <= countingDay
            && countingDay <= v2Plans[v2].baselineEnd[Int(subtrack)]
        if !inPeriod {
            if subtrack >= 0 { totals.programs[index].subtracks[slotBase + Int(subtrack)].outsidePeriodLines += 1 }
            if !inBaseline {
                if tracing {
                    let day = Day(daysSinceEpoch: countingDay)
                    if subtrack >= 0 {
                        outcomes.append(.outsidePeriod(subtrack: Int(subtrack), date: day))
                    } else if missed >= 0 && v2Plans[v2].baselineStart[Int(missed)] <= countingDay
                        && countingDay <= v2Plans[v2].baselineEnd[Int(missed)]
                    {
                        outcomes.append(.baselineOutsideProductDates(subtrack: Int(missed), date: day))
                    } else {
                        outcomes.append(.noSubtrack)
                    }
                }
                return true
            }
        }
        let hasCutOff = !v2Plans[v2].cutOff.isEmpty
        // Every bucket the amount goes into: each counts towards the limit on sums.
        var uses: Int64 = inBaseline ? 1 : 0
        if inPeriod {
            if subtrack >= 0 || missed >= 0 { uses += 1 }
            if attachFirst >= 0 {
                var position = attachFirst
                // Counted in the attach volume, or in what the cut-off left out of it: a total either way.
                while v2Plans[v2].skuAttach[position] >= 0 {
                    uses += 1
                    position += 1
                }
            }
        }
        if uses == 0 {
            if tracing { outcomes.append(.noSubtrack) }
            return true
        }
        guard let cents = convert(line, currency: currency, program: index, day: countingDay, file: file, collector: &collector) else { return false }
        let (size, tooLarge) = Int64(cents.magnitude).multipliedReportingOverflow(by: uses)
        let (sum, overflowing) = counted.addingReportingOverflow(size)
        if tooLarge || overflowing || sum > room {
            if overflow == nil {
                let item = subtrack >= 0 ? subtrack : missed >= 0 ? missed : v2Plans[v2].skuAttach[attachFirst]
                noteOverflow(line, program: index, subtrack: item)
            }
            return true
        }
        counted = sum
        if inBaseline { totals.programs[index].extras[slotBase + Int(subtrack)].baselineVolume.cents += cents }
        var outcome: LineOutcome = .noSubtrack
        if !inPeriod {
            outcome = .baseline(subtrack: Int(subtrack), amount: Money(cents: cents), date: Day(daysSinceEpoch: countingDay))
        } else if subtrack >= 0 {
            let slot = slotBase + Int(subtrack)
            let lateOn = hasCutOff ? v2Plans[v2].cutOff[slot] : Int32.min
            if countingDay < lateOn {
                totals.programs[index].extras[slot].beforeEnrollmentVolume.cents += cents
                totals.programs[index].extras[slot].beforeEnrollmentLines += 1
                outcome = .beforeEnrollment(subtrack: Int(subtrack), amount: Money(cents: cents), enrolledOn: Day(daysSinceEpoch: lateOn))
            } else {
                totals.programs[index].subtracks[slot].volume.cents += cents
                totals.programs[index].subtracks[slot].lines += 1
                outcome = .counted(subtrack: Int(subtrack), amount: Money(cents: cents))
            }
        } else if missed >= 0 {
            let slot = slotBase + Int(missed)
            totals.programs[index].extras[slot].outsideProductDatesVolume.cents += cents
            totals.programs[index].extras[slot].outsideProductDatesLines += 1
            outcome = .outsideProductDates(subtrack: Int(missed), amount: Money(cents: cents))
        }
        if inPeriod && attachFirst >= 0 {
            var position = attachFirst
            while v2Plans[v2].skuAttach[position] >= 0 {
                let attached = Int(v2Plans[v2].skuAttach[position])
                if !hasCutOff || countingDay >= v2Plans[v2].cutOff[slotBase + attached] {
                    totals.programs[index].extras[slotBase + attached].attachVolume.cents += cents
                    if tracing { attachUses.append(AttachUse(program: index, subtrack: attached, amount: Money(cents: cents))) }
                } else {
                    totals.programs[index].extras[slotBase + attached].attachBeforeEnrollmentVolume.cents += cents
                    totals.programs[index].extras[slotBase + attached].attachBeforeEnrollmentLines += 1
                    if tracing {
                        let late = Day(daysSinceEpoch: v2Plans[v2].cutOff[slotBase + attached])
                        attachUses.append(AttachUse(program: index, subtrack: attached, amount: Money(cents: cents), enrolledLateOn: late))
                    }
                }
                position += 1
            }
        }
        if tracing { outcomes.append(outcome) }
        return true
    }

    /// The line's amount in the currency of program `index`, converted with the rate in force on `day` and rounded to
    /// cents; `nil` when no rate is in force or the result is too large (both reported against `file`).
    @inline(__always)
    private mutating func convert(
        _ line: BookingLine, currency: UInt32, program index: Int, day: Int32, file: String, collector: inout DiagnosticCollector
    ) -> Int64? {
        if currency == plans[index].currency { return line.amount }
        let key = UInt64(currency) << 32 | UInt64(UInt32(bitPattern: day))
        if key != lastRateKey {
            lastRateKey = key
            lastRate = Self.rate(currency, day, fx: fx, cache: &fxCache)
        }
        /// Where the line is, for a message: its physical line, or its order and line id (a workspace line).
        func location() -> (line: Int?, what: String) {
            line.line > 0
                ? (line.line, "")
                : (nil, "order \(String(decoding: line.orderID, as: UTF8.self)) line \(String(decoding: line.lineID, as: UTF8.self)): ")
        }
        guard let rate = lastRate else {
            let (number, what) = location()
            let code = String(decoding: line.currency, as: UTF8.self)
            collector.error(
                file: file, line: number, column: "currency", value: code,
                "\(what)no fx rate for \(code.uppercased()) on or before \(Day(daysSinceEpoch: day)) (needed to convert into \(programs[index].currency) for \(programs[index].id)); add it to fx.csv"
            )
            return nil
        }
        guard let value = Rounding.convert(Money(cents: line.amount), rate: ScaledDecimal(units: rate, scale: 6)),
            value.cents.magnitude <= UInt64(FieldParsing.maximumCents)
        else {
            let (number, what) = location()
            collector.error(
                file: file, line: number, column: "amount", value: Money(cents: line.amount).plainText,
                "\(what)too large once converted into \(programs[index].currency)")
            return nil
        }
        return value.cents
    }
}
