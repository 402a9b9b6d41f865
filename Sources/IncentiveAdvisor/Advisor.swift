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

        let paces = Paces(programs: input.programs, traced: input.totals.traced, day: day)
        // The partner's CSAT reports come at one pace: that of the VIP program whose period, holding the advice day,
        // began first (ties: the first by id), over its days so far.
        var csatPace: (found: Int, elapsed: Int, start: Day)?
        for (index, program) in input.programs.enumerated() where program.period.start <= day && day <= program.period.end {
            guard case .vip = program.rules,
                let check = whatIf.programs[index].partners.first(where: { $0.partnerID == partnerID })?.rows.lazy
                    .flatMap(\.checks).first(where: { $0.code == .csat }),
                case .csat(let found, _, _) = check.facts
            else { continue }
            let elapsed = Int(day.daysSinceEpoch - program.period.start.daysSinceEpoch) + 1
            if csatPace.map({ program.period.start < $0.start }) ?? true { csatPace = (found, elapsed, program.period.start) }
        }
        var programs: [ProgramAdvice] = []
        for (programIndex, program) in input.programs.enumerated() {
            let period = program.period
            let daysInPeriod = Int(period.end.daysSinceEpoch - period.start.daysSinceEpoch) + 1
            let elapsed = max(0, min(daysInPeriod, Int(day.daysSinceEpoch - period.start.daysSinceEpoch) + 1))
            var programAdvice = ProgramAdvice(
                program: program, daysElapsed: elapsed, daysInPeriod: daysInPeriod, subtracks: [], mdf: nil, periodOver: day > period.end)
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
                    let attachLeftOut = late ? row.leftOut?.attachBeforeEnrollmentVolume ?? .zero : .zero
                    // The pace is that of the subtrack's lines in the window (a late enrolment's left-out lines
                    // included), the booked volume what counts.
                    let forecast = paces.forecast(program: programIndex, subtrack: entry.path, booked: row.qualifyingVolume)
                    let projection = (
                        volume: forecast?.expected ?? row.qualifyingVolume,
                        reachedOn: forecast?.minimumReachedOn(row.threshold, adviceDay: day, periodEnd: period.end)
                    )
                    let attach = row.rebate?.attach?.volume
                    let projectedAttach = attach.map {
                        project($0, leftOut: attachLeftOut, elapsed: elapsed, days: daysInPeriod)
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
                    advice.forecast = forecast
                    advice.outlook = outlook
                    if enrollment != nil, let actualRow = actualRows.first(where: { $0.item == entry.path }) {
                        advice.missed = actualRow.missedSplit(
                            period: period, on: day, volumeWithinReach: projection.volume >= actualRow.threshold)
                    }
                    advice.csat = csatForecast(
                        failing, elapsed: elapsed, days: daysInPeriod, periodEnd: period.end, pace: csatPace.map { ($0.found, $0.elapsed) })
                    if row.rebate != nil {
                        v2Facts(
                            &advice, outlook: outlook, row: row, attach: attach ?? .zero, projectedAttach: projectedAttach ?? .zero,
                            cutoff: rules.fullCreditEnrollmentUntil)
                    }
                    programAdvice.subtracks.append(advice)
                }
            case .mdf(let rules):
                if let row = actualRows.first {
                    let forecast = paces.forecast(program: programIndex, subtrack: nil, booked: row.qualifyingVolume)
                    programAdvice.mdf = mdf(
                        row: row, rules: rules, input: input, partnerIndex: partnerIndex, programIndex: programIndex, forecast: forecast,
                        reachedOn: forecast?.minimumReachedOn(row.threshold, adviceDay: day, periodEnd: period.end))
                    // Split what tagging the orders would add (credit notes apart), not the engine's net missed amount.
                    var orders = row
                    orders.missedAmount = programAdvice.mdf?.mdfLost ?? row.missedAmount
                    programAdvice.mdf?.missed = orders.missedSplit(
                        period: period, on: day, volumeWithinReach: (forecast?.expected ?? row.qualifyingVolume) >= row.threshold)
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
    /// projected at the pace so far, less those left out. With nothing left out, `project(volume, ...)`. The
    /// attach volume is projected this way, in a straight line (its lines are not split like `Forecast`'s).
    static func project(_ volume: Money, leftOut: Money, elapsed: Int, days: Int) -> Money {
        guard leftOut.cents != 0 else { return project(volume, elapsed: elapsed, days: days) }
        let all = project(Money(cents: volume.cents + leftOut.cents), elapsed: elapsed, days: days)
        return Money(cents: all.cents - leftOut.cents)
    }

    /// `round(volume × days / elapsed)`, half to even: the volume at the period end at the pace so far.
    static func project(_ volume: Money, elapsed: Int, days: Int) -> Money {
        guard elapsed > 0 else { return .zero }
        return Money(cents: Int64(clamping: Rounding.divideHalfEven(Int128(volume.cents) * Int128(days), by: Int128(elapsed))))
    }

    /// The CSAT check's reports at their own pace, while the period runs and the check fails: the reports found so
    /// far plus ⌊reports × remaining days / days⌋ at the partner's pace (`pace`: reports over days, else this
    /// period's own).
    static func csatForecast(_ failing: [Check], elapsed: Int, days: Int, periodEnd: Day, pace: (found: Int, elapsed: Int)?) -> CSATForecast? {
        guard elapsed > 0, elapsed < days,
            let facts = failing.first(where: { $0.code == .csat })?.facts, case .csat(let found, let required, _) = facts
        else { return nil }
        let (reports, over) = pace ?? (found, elapsed)
        let expected = found + reports * (days - elapsed) / over
        return CSATForecast(found: found, required: required, expected: expected, by: periodEnd)
    }

    /// The credentials the failing credential checks ask for: one id for a `requires_all` check, the
    /// alternatives of a `requires_any` check.
    static func missingCredentials(_ failing: [Check]) -> [[String]] {
        failing.compactMap { $0.code == .credential ? $0.facts.credentialRequirement?.ids : nil }
    }

    /// "Tagged" is tagged with an intended use the program's rules ask for (`MDFRules.tags`). Shares and re-tag
    /// candidates are of orders (positive lines); credit notes are counted apart. What tagging the untagged orders
    /// would add is the engine's own evaluation with only those tagged.
    static func mdf(
        row: ResultRow, rules: MDFRules, input: LoadedInput, partnerIndex: Int, programIndex: Int, forecast: Forecast?, reachedOn: Day?
    ) -> MDFAdvice {
        let traced = input.totals.traced
        var inPeriod: Int64 = 0, tagged: Int64 = 0
        var credits = (lines: 0, volume: Int64(0), tagged: Int64(0), untagged: Int64(0))
        var untagged: [(line: TracedLine, amount: Money)] = []
        for line in traced {
            let amount: Money, isUntagged: Bool
            switch line.outcomes[programIndex] {
            case .qualifying(let a), .otherTag(let a), .noRule(let a): (amount, isUntagged) = (a, false)
            case .untagged(let a): (amount, isUntagged) = (a, true)
            default: continue
            }
            if amount.cents < 0 {
                credits.lines += 1
                credits.volume += amount.cents
                if rules.isTag(line.intendedUse) { credits.tagged += amount.cents }
                if isUntagged { credits.untagged += amount.cents }
                continue
            }
            inPeriod += amount.cents
            if rules.isTag(line.intendedUse) { tagged += amount.cents }
            if isUntagged && amount.cents > 0 { untagged.append((line, amount)) }
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
        let untaggedOrders = untagged.reduce(Int64(0)) { $0 + $1.amount.cents }
        // The engine's missed amount counts every untagged line tagged, credit notes too; what tagging the orders
        // adds is the engine's evaluation with only the orders' volume untagged.
        var lost = row.missedAmount
        if credits.untagged != 0, case .mdf = input.programs[programIndex].rules {
            var programTotals = input.totals.programs[programIndex]
            programTotals.mdf[partnerIndex].untaggedVolume = Money(cents: untaggedOrders)
            let orders = MDFEvaluation.evaluate(
                program: input.programs[programIndex], rules: rules, dataset: input.dataset, totals: programTotals, partnerIndex: partnerIndex)
            lost = orders.rows.first?.missedAmount ?? lost
        }
        let perMille = inPeriod > 0 ? Int(Rounding.divideHalfEven(Int128(tagged) * 1000, by: Int128(inPeriod))) : 0
        return MDFAdvice(
            tier: row.item, tags: rules.tags, qualifyingVolume: row.qualifyingVolume, minimum: row.threshold,
            projectedVolume: forecast?.expected ?? row.qualifyingVolume, minimumReachedOn: reachedOn, inPeriodVolume: Money(cents: inPeriod),
            taggedVolume: Money(cents: tagged), taggedPerMille: perMille, untaggedVolume: Money(cents: untaggedOrders),
            untaggedLines: untagged.count, mdfLost: lost, engineMissed: row.missedAmount, creditLines: credits.lines,
            creditVolume: Money(cents: credits.volume), taggedCreditVolume: Money(cents: credits.tagged),
            untaggedCreditVolume: Money(cents: credits.untagged), candidates: candidates, forecast: forecast)
    }
}
