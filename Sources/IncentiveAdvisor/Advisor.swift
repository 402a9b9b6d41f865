import IncentiveEngine

/// Computes advice from what the engine loaded, with the engine's own rules: nothing here decides
/// eligibility differently from `compute`.
public enum Advisor {
    /// Booking lines as they stood on `day`: lines booked later did not exist yet, and a line shipped
    /// later had not shipped.
    public static func bookings(asOf day: Day) -> @Sendable (BookingLine) -> BookingLine? {
        { line in
            guard line.bookedOn <= day else { return nil }
            var seen = line
            if let shipped = line.shippedOn, shipped > day { seen.shippedOn = nil }
            return seen
        }
    }

    /// The dataset as it stood on `day`: credentials achieved, reports submitted, services started and
    /// enrolments made on or before it.
    public static func dataset(_ dataset: Dataset, asOf day: Day) -> Dataset {
        var seen = dataset
        seen.credentials = dataset.credentials.map { $0.filter { $0.achievedOn <= day } }
        seen.csatDates = dataset.csatDates.map { $0.filter { $0 <= day } }
        seen.services = dataset.services.map { $0.filter { $0.activeFrom <= day } }
        seen.enrollments = dataset.enrollments.filter { $0.enrolledOn <= day }
        return seen
    }

    /// Whether `dataset(dataset, asOf: day)` is `dataset` itself: nothing in it is dated after `day`.
    static func isUnchanged(_ dataset: Dataset, asOf day: Day) -> Bool {
        dataset.credentials.allSatisfy { $0.allSatisfy { $0.achievedOn <= day } }
            && dataset.csatDates.allSatisfy { $0.allSatisfy { $0 <= day } }
            && dataset.services.allSatisfy { $0.allSatisfy { $0.activeFrom <= day } }
            && dataset.enrollments.allSatisfy { $0.enrolledOn <= day }
    }

    /// Advice for `partnerID` from `input` (loaded with `bookings(asOf:)` and the partner traced).
    /// - Parameter computed: `Engine.compute(input)` when the caller has it already; it is used when
    ///   nothing in the dataset is dated after `day` (the computation as of `day` is then the same).
    public static func advise(partnerID: String, input: LoadedInput, asOf day: Day, computed: ComputeResult? = nil) -> PartnerAdvice? {
        var input = input
        let unchanged = computed != nil && isUnchanged(input.dataset, asOf: day)
        if !unchanged { input.dataset = dataset(input.dataset, asOf: day) }
        guard let partnerIndex = input.dataset.partnerIndex(partnerID) else { return nil }
        let partner = input.dataset.partners[partnerIndex]
        let actual = unchanged ? computed! : Engine.compute(input)
        // What if the partner were enrolled in every subtrack it is not in, from `day` on.
        var hypothetical = input
        for program in input.programs {
            guard case .vip(let rules) = program.rules else { continue }
            for entry in rules.subtrackPaths
            where !input.dataset.enrollments.contains(where: { $0.partnerID == partnerID && $0.program == program.id && $0.subtrack == entry.path }) {
                hypothetical.dataset.enrollments.append(
                    Enrollment(partnerID: partnerID, program: program.id, subtrack: entry.path, enrolledOn: min(day, program.period.end)))
            }
        }
        // Enrolled in every subtrack already: what if is what is. Under a late-enrolment cut-off the booking pass
        // decides which lines count by the enrolments it saw when the input was loaded (every one in the data, also
        // those after `day`, and none of the supposed ones): the partner's lines are counted again with the
        // enrolments of the what-if.
        let cutOff = input.programs.contains { program in
            if case .vip(let rules) = program.rules { return rules.fullCreditEnrollmentUntil != nil }
            return false
        }
        let whatIf: ComputeResult
        if cutOff {
            whatIf = Engine.computeAgain(partnerID: partnerID, input: hypothetical, enrollments: hypothetical.dataset.enrollments) ?? actual
        } else if hypothetical.dataset.enrollments.count == input.dataset.enrollments.count {
            whatIf = actual
        } else {
            whatIf = Engine.compute(hypothetical)
        }

        var programs: [ProgramAdvice] = []
        for (programIndex, program) in input.programs.enumerated() {
            let period = program.period
            let daysInPeriod = Int(period.end.daysSinceEpoch - period.start.daysSinceEpoch) + 1
            let elapsed = max(0, min(daysInPeriod, Int(day.daysSinceEpoch - period.start.daysSinceEpoch) + 1))
            var programAdvice = ProgramAdvice(program: program, daysElapsed: elapsed, daysInPeriod: daysInPeriod, subtracks: [], mdf: nil)
            let actualRows = actual.programs[programIndex].partners.first { $0.partnerID == partnerID }?.rows ?? []
            let whatIfResult = whatIf.programs[programIndex].partners.first { $0.partnerID == partnerID }
            let whatIfRows = whatIfResult?.rows ?? []
            switch program.rules {
            case .vip(let rules):
                // The tier the engine took the percent by: that in force on the period's last day.
                let tier = whatIfResult?.tier?.tier ?? partner.tier
                for entry in rules.subtrackPaths {
                    guard let row = whatIfRows.first(where: { $0.item == entry.path }) else { continue }
                    let enrollment = input.dataset.enrollments.first {
                        $0.partnerID == partnerID && $0.program == program.id && $0.subtrack == entry.path
                    }
                    let outlook = RebateOutlook(
                        subtrack: entry.subtrack, tier: tier, minimum: row.threshold, baselineSum: row.rebate?.baseline?.sum ?? .zero,
                        period: period)
                    // Lines left out by a late enrolment are part of the partner's pace, not of what counts: the
                    // projection is that of every line of the subtrack, less those left out.
                    let late = row.leftOut?.enrolledLateOn != nil
                    let leftOut = late ? row.leftOut?.beforeEnrollmentVolume ?? .zero : .zero
                    let attachLeftOut = late ? row.leftOut?.attachBeforeEnrollmentVolume ?? .zero : .zero
                    let projection = project(
                        row.qualifyingVolume, leftOut: leftOut, minimum: row.threshold, start: period.start, elapsed: elapsed, days: daysInPeriod)
                    let attach = row.rebate?.attach?.volume
                    let projectedAttach = attach.map {
                        project($0, leftOut: attachLeftOut, minimum: .zero, start: period.start, elapsed: elapsed, days: daysInPeriod).volume
                    }
                    let failing = row.checks.filter { !$0.passed && $0.code != .volume }
                    let projectedRebate = outlook.rebate(volume: projection.volume, attach: projectedAttach ?? .zero)
                    var advice = SubtrackAdvice(
                        path: entry.path, name: entry.subtrack.name, rebatePercent: percent(entry.subtrack, tier: tier),
                        enrolledOn: enrollment?.enrolledOn, canEnroll: day <= period.end, qualifyingVolume: row.qualifyingVolume,
                        minimum: row.threshold, gap: Money(cents: max(0, row.threshold.cents - row.qualifyingVolume.cents)),
                        projectedVolume: projection.volume, minimumReachedOn: projection.reachedOn,
                        minimumAlreadyMet: row.qualifyingVolume >= row.threshold, failingChecks: failing,
                        missingCredentials: missingCredentials(failing),
                        rebateNow: enrollment == nil ? .zero : (actualRows.first { $0.item == entry.path }?.amount ?? .zero),
                        rebateAtProjection: projectedRebate)
                    if row.rebate != nil {
                        v2Facts(
                            &advice, outlook: outlook, row: row, attach: attach ?? .zero, projectedAttach: projectedAttach ?? .zero,
                            cutoff: rules.fullCreditEnrollmentUntil)
                    }
                    programAdvice.subtracks.append(advice)
                }
            case .mdf(let rules):
                if let row = actualRows.first {
                    programAdvice.mdf = mdf(
                        row: row, rules: rules, totals: input.totals.programs[programIndex].mdf[partnerIndex], traced: input.totals.traced,
                        programIndex: programIndex,
                        projection: project(row.qualifyingVolume, minimum: row.threshold, start: period.start, elapsed: elapsed, days: daysInPeriod))
                }
            }
            programs.append(programAdvice)
        }
        return PartnerAdvice(partner: partner, asOf: day, programs: programs)
    }

    /// The subtrack's `rebate_percent` for a partner of `tier` (the `default` unless its tier is listed; the only
    /// percent of a v1 subtrack); the first tier's percent with `rebate_tiers`.
    static func percent(_ subtrack: Subtrack, tier: Tier) -> ScaledDecimal {
        if case .percent(let byTier) = subtrack.rate { return byTier.percent(for: tier) }
        return subtrack.rebatePercent
    }

    /// The facts of the rules of formats.md §5.3-5.4 for a subtrack of a program that uses them (the what-if row
    /// carries a `RebateComputation`), each from `outlook`, that is from `RebateFormula.compute`.
    static func v2Facts(
        _ advice: inout SubtrackAdvice, outlook: RebateOutlook, row: ResultRow, attach: Money, projectedAttach: Money, cutoff: Day?
    ) {
        let volume = row.qualifyingVolume, projected = advice.projectedVolume
        if outlook.subtrack.attachBonus != nil {
            advice.attachVolume = attach
            advice.projectedAttachVolume = projectedAttach
        }
        advice.nextTier = outlook.nextTier(volume: volume, attach: attach)
        advice.nextTierAtProjection = outlook.nextTier(volume: projected, attach: projectedAttach)
        advice.nextAttachBand = outlook.nextAttachBand(volume: volume, attach: attach)
        advice.nextAttachBandAtProjection = outlook.nextAttachBand(volume: projected, attach: projectedAttach)
        advice.growth = outlook.growth(volume: volume, projected: projected)
        advice.cap = outlook.cap(volume: volume, attach: attach, projected: projected, projectedAttach: projectedAttach)
        // Enrolling on the advice day, for a subtrack not enrolled in that still can be: the what-if row is the
        // engine's computation of that enrolment, with the cut-off applied.
        guard let cutoff, !advice.enrolled, advice.canEnroll else { return }
        guard let leftOut = row.leftOut, let enrollOn = leftOut.enrolledLateOn else {
            advice.fullCreditEnrollmentUntil = cutoff
            return
        }
        let full = (
            volume: Money(cents: volume.cents + leftOut.beforeEnrollmentVolume.cents),
            attach: Money(cents: attach.cents + leftOut.attachBeforeEnrollmentVolume.cents),
            projected: Money(cents: projected.cents + leftOut.beforeEnrollmentVolume.cents),
            projectedAttach: Money(cents: projectedAttach.cents + leftOut.attachBeforeEnrollmentVolume.cents)
        )
        advice.lateEnrollmentForfeit = LateEnrollmentForfeit(
            fullCreditUntil: cutoff, enrollOn: enrollOn, lines: leftOut.beforeEnrollmentLines, volume: leftOut.beforeEnrollmentVolume,
            attachLines: leftOut.attachBeforeEnrollmentLines, attachVolume: leftOut.attachBeforeEnrollmentVolume,
            rebate: Money(
                cents: outlook.rebate(volume: full.volume, attach: full.attach).cents - outlook.rebate(volume: volume, attach: attach).cents),
            rebateAtProjection: Money(
                cents: outlook.rebate(volume: full.projected, attach: full.projectedAttach).cents - advice.rebateAtProjection.cents))
    }

    /// The projection of `volume` when `leftOut` more was booked but not counted (a late enrolment): every line
    /// projected at the pace so far, less those left out; the minimum is reached when the projection of every
    /// line reaches it plus what is left out. With nothing left out, `project(volume, ...)`.
    static func project(_ volume: Money, leftOut: Money, minimum: Money, start: Day, elapsed: Int, days: Int) -> (volume: Money, reachedOn: Day?) {
        guard leftOut.cents != 0 else { return project(volume, minimum: minimum, start: start, elapsed: elapsed, days: days) }
        let all = project(
            Money(cents: volume.cents + leftOut.cents), minimum: Money(cents: minimum.cents + leftOut.cents), start: start, elapsed: elapsed,
            days: days)
        return (Money(cents: all.volume.cents - leftOut.cents), all.reachedOn)
    }

    /// Volume at the period end at the pace so far, and the day the minimum is reached at that pace.
    static func project(_ volume: Money, minimum: Money, start: Day, elapsed: Int, days: Int) -> (volume: Money, reachedOn: Day?) {
        guard elapsed > 0 else { return (.zero, nil) }
        let projected = Money(cents: Int64(clamping: Rounding.divideHalfEven(Int128(volume.cents) * Int128(days), by: Int128(elapsed))))
        if volume >= minimum { return (projected, nil) }
        guard volume.cents > 0 else { return (projected, nil) }
        // The first day d (1-based) with volume × d / elapsed >= minimum.
        let numerator = Int128(minimum.cents) * Int128(elapsed)
        let needed = (numerator + Int128(volume.cents) - 1) / Int128(volume.cents)
        guard needed <= Int128(days) else { return (projected, nil) }
        return (projected, Day(daysSinceEpoch: start.daysSinceEpoch + Int32(needed) - 1))
    }

    /// The credentials the failing credential checks ask for: one id for a `requires_all` check, the
    /// alternatives of a `requires_any` check.
    static func missingCredentials(_ failing: [Check]) -> [[String]] {
        failing.compactMap { $0.code == .credential ? $0.facts.credentialRequirement?.ids : nil }
    }

    /// "Tagged" is tagged with an intended use the program's rules ask for (`MDFRules.tags`).
    static func mdf(
        row: ResultRow, rules: MDFRules, totals: MDFTotals, traced: [TracedLine], programIndex: Int, projection: (volume: Money, reachedOn: Day?)
    ) -> MDFAdvice {
        var inPeriod: Int64 = 0, tagged: Int64 = 0
        var untagged: [(line: TracedLine, amount: Money)] = []
        for line in traced {
            switch line.outcomes[programIndex] {
            case .qualifying(let amount), .otherTag(let amount), .noRule(let amount):
                inPeriod += amount.cents
                if rules.isTag(line.intendedUse) { tagged += amount.cents }
            case .untagged(let amount):
                inPeriod += amount.cents
                untagged.append((line, amount))
            default: break
            }
        }
        let taggedLines = traced.filter { rules.isTag($0.intendedUse) }
        let skus = Set(taggedLines.map(\.sku)), orders = Set(taggedLines.map(\.orderID))
        let candidates = untagged.compactMap { line, amount -> MDFAdvice.Candidate? in
            var matches: [String] = []
            if skus.contains(line.sku) { matches.append("sku") }
            if orders.contains(line.orderID) { matches.append("order") }
            guard !matches.isEmpty else { return nil }
            return MDFAdvice.Candidate(
                orderID: line.orderID, lineID: line.lineID, sku: line.sku, bookedOn: line.bookedOn, amount: amount, matches: matches)
        }
        let perMille = inPeriod > 0 ? Int(Rounding.divideHalfEven(Int128(tagged) * 1000, by: Int128(inPeriod))) : 0
        return MDFAdvice(
            tier: row.item, tags: rules.tags, qualifyingVolume: row.qualifyingVolume, minimum: row.threshold, projectedVolume: projection.volume,
            minimumReachedOn: projection.reachedOn, inPeriodVolume: Money(cents: inPeriod), taggedVolume: Money(cents: tagged),
            taggedPerMille: perMille,
            untaggedVolume: totals.untaggedVolume, untaggedLines: totals.untaggedLines, mdfLost: row.missedAmount, candidates: candidates)
    }
}
