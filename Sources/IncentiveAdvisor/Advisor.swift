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
        // Enrolled in every subtrack already: what if is what is.
        let whatIf = hypothetical.dataset.enrollments.count == input.dataset.enrollments.count ? actual : Engine.compute(hypothetical)

        var programs: [ProgramAdvice] = []
        for (programIndex, program) in input.programs.enumerated() {
            let period = program.period
            let daysInPeriod = Int(period.end.daysSinceEpoch - period.start.daysSinceEpoch) + 1
            let elapsed = max(0, min(daysInPeriod, Int(day.daysSinceEpoch - period.start.daysSinceEpoch) + 1))
            var advice = ProgramAdvice(program: program, daysElapsed: elapsed, daysInPeriod: daysInPeriod, subtracks: [], mdf: nil)
            let actualRows = actual.programs[programIndex].partners.first { $0.partnerID == partnerID }?.rows ?? []
            let whatIfRows = whatIf.programs[programIndex].partners.first { $0.partnerID == partnerID }?.rows ?? []
            switch program.rules {
            case .vip(let rules):
                for entry in rules.subtrackPaths {
                    guard let row = whatIfRows.first(where: { $0.item == entry.path }) else { continue }
                    let enrollment = input.dataset.enrollments.first {
                        $0.partnerID == partnerID && $0.program == program.id && $0.subtrack == entry.path
                    }
                    let projection = project(row.qualifyingVolume, minimum: row.threshold, start: period.start, elapsed: elapsed, days: daysInPeriod)
                    let failing = row.checks.filter { !$0.passed && $0.code != .volume }
                    let projectedRebate = VIPEvaluation.rebate(entry.subtrack, at: projection.volume, minimum: row.threshold)
                    advice.subtracks.append(
                        SubtrackAdvice(
                            path: entry.path, name: entry.subtrack.name, rebatePercent: entry.subtrack.rebatePercent,
                            enrolledOn: enrollment?.enrolledOn, canEnroll: day <= period.end, qualifyingVolume: row.qualifyingVolume,
                            minimum: row.threshold, gap: Money(cents: max(0, row.threshold.cents - row.qualifyingVolume.cents)),
                            projectedVolume: projection.volume, minimumReachedOn: projection.reachedOn,
                            minimumAlreadyMet: row.qualifyingVolume >= row.threshold, failingChecks: failing,
                            missingCredentials: missingCredentials(failing),
                            rebateNow: enrollment == nil ? .zero : (actualRows.first { $0.item == entry.path }?.amount ?? .zero),
                            rebateAtProjection: projectedRebate))
                }
            case .mdf(let rules):
                if let row = actualRows.first {
                    advice.mdf = mdf(
                        row: row, rules: rules, totals: input.totals.programs[programIndex].mdf[partnerIndex], traced: input.totals.traced,
                        programIndex: programIndex,
                        projection: project(row.qualifyingVolume, minimum: row.threshold, start: period.start, elapsed: elapsed, days: daysInPeriod))
                }
            }
            programs.append(advice)
        }
        return PartnerAdvice(partner: partner, asOf: day, programs: programs)
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
