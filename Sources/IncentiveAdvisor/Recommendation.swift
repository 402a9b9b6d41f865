import Foundation
import IncentiveEngine
import Yams

/// What acquiring a credential costs and how long it takes (a credentials catalogue, YAML), and what renewing one
/// the partner holds costs and takes (`renewal_cost`, `renewal_lead_time_days`; by default the same as acquiring it).
public struct CredentialOffer: Sendable, Hashable {
    public var id: String
    public var name: String
    public var cost: Money
    public var leadTimeDays: Int
    public var renewalCost: Money
    public var renewalLeadTimeDays: Int

    public init(id: String, name: String, cost: Money, leadTimeDays: Int, renewalCost: Money? = nil, renewalLeadTimeDays: Int? = nil) {
        self.id = id
        self.name = name
        self.cost = cost
        self.leadTimeDays = leadTimeDays
        self.renewalCost = renewalCost ?? cost
        self.renewalLeadTimeDays = renewalLeadTimeDays ?? leadTimeDays
    }
}

public enum CredentialCatalogue {
    /// Reads `credentials: [{id, name, cost, lead_time_days, renewal_cost?, renewal_lead_time_days?}]`; problems name the
    /// file and the entry.
    public static func load(path: String) throws(DiagnosticReport) -> [CredentialOffer] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw DiagnosticReport(Diagnostic(file: path, line: nil, message: "cannot read file"))
        }
        return try parse(text, file: path)
    }

    public static func parse(_ text: String, file: String) throws(DiagnosticReport) -> [CredentialOffer] {
        var collector = DiagnosticCollector()
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw DiagnosticReport(ProgramLoader.yamlDiagnostic(error, file: file))
        } catch {
            throw DiagnosticReport(Diagnostic(file: file, line: nil, message: "not valid YAML"))
        }
        guard let entries = root?.mapping?["credentials"]?.sequence else {
            throw DiagnosticReport(Diagnostic(file: file, line: 1, column: "credentials", message: "expected a list under credentials:"))
        }
        var offers: [CredentialOffer] = []
        let keys = ["id", "name", "cost", "lead_time_days", "renewal_cost", "renewal_lead_time_days"]
        for entry in entries {
            let line = entry.mark.map { $0.line }
            guard let mapping = entry.mapping else {
                collector.error(file: file, line: line, "expected a mapping with id, name, cost, lead_time_days")
                continue
            }
            for key in mapping.keys.compactMap(\.string) where !keys.contains(key) {
                collector.error(file: file, line: line, column: key, "unknown key (expected \(keys.joined(separator: ", ")))")
            }
            guard let id = mapping["id"]?.string, !id.isEmpty else {
                collector.error(file: file, line: line, column: "id", "required")
                continue
            }
            func money(_ key: String) -> Money? {
                let text = mapping[key]?.string ?? ""
                var bytes = Array(text.utf8)
                switch bytes.withUnsafeMutableBufferPointer({ FieldParsing.decimal(UnsafeBufferPointer($0), scale: 2, allowNegative: false) }) {
                case .success(let cents): return Money(cents: cents)
                case .failure(let problem):
                    collector.error(file: file, line: line, column: key, value: text, FieldParsing.explain(problem, decimals: 2, what: "a cost"))
                    return nil
                }
            }
            let cost = money("cost") ?? .zero
            let renewalCost = mapping["renewal_cost"] == nil ? nil : money("renewal_cost")
            var renewalLead: Int?
            if let node = mapping["renewal_lead_time_days"] {
                if let days = node.int, days >= 0 {
                    renewalLead = days
                } else {
                    collector.error(file: file, line: line, column: "renewal_lead_time_days", value: node.string, "expected a whole number of days")
                }
            }
            guard let lead = mapping["lead_time_days"]?.int, lead >= 0 else {
                collector.error(
                    file: file, line: line, column: "lead_time_days", value: mapping["lead_time_days"]?.string, "expected a whole number of days")
                continue
            }
            if offers.contains(where: { $0.id == id }) { collector.error(file: file, line: line, column: "id", value: id, "listed twice") }
            offers.append(
                CredentialOffer(
                    id: id, name: mapping["name"]?.string ?? id, cost: cost, leadTimeDays: lead, renewalCost: renewalCost,
                    renewalLeadTimeDays: renewalLead))
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }
        return offers
    }
}

/// The subtracks to enrol in and the credentials to acquire (or renew) that maximise expected rebate minus
/// investment, with the reasoning and the steps dated.
public struct Recommendation: Sendable {
    public struct Choice: Sendable, Hashable {
        public var program: String
        public var path: String
        public var rebate: Money
        /// Already enrolled (no action), or to enrol in.
        public var enrolled: Bool
    }

    /// The credentials to acquire or renew (their catalogue entries).
    public var credentials: [CredentialOffer]
    public var subtracks: [Choice]
    /// This period's expected rebate of the subtracks chosen.
    public var expectedRebate: Money
    public var investment: Money
    public var net: Money { Money(cents: expectedRebate.cents - investment.cents) }
    /// Line by line: what each choice adds and costs, and why the others were left.
    public var reasoning: [String]
    /// Whether the search covered every combination (it does up to `Recommender.exactLimit` credentials).
    public var exact: Bool
    /// The periods a credential's cost is weighed over (`--horizon`, 1: this period only): the rebate of this period
    /// assumed again in each of the next `horizon − 1`.
    public var horizon: Int = 1
    /// Every step of the plan with its day, in date order (docs/advice.md, "Dated actions"), and the MDF lines to tag.
    public var actions: [DatedAction] = []
    /// `expectedRebate × horizon`, and that less the investment.
    public var expectedRebateOverHorizon: Money { Money(cents: expectedRebate.cents * Int64(horizon)) }
    public var netOverHorizon: Money { Money(cents: expectedRebateOverHorizon.cents - investment.cents) }
}

public enum Recommender {
    /// Up to this many candidate credentials the search is exhaustive (with pruning).
    public static let exactLimit = 64

    /// How a subtrack in the plan is entered: kept as it is, enrolled in by a day, or (under `knowledge_deadline:
    /// enrollment`, which tests the credentials on the enrolment day) enrolled in, or re-enrolled in, once the
    /// credentials are ready.
    enum Entry {
        case keep
        case enrollBy(Day)
        case enrollOnceReady
        case reEnrollOnceReady
    }

    struct Candidate {
        var program: String
        var path: String
        var rebate: Money
        var enrolled: Bool
        /// Missing credential groups: each needs one of its ids, from those that can still be acquired (or renewed) in time.
        var groups: [[String]]
        /// Other things still to do before the period ends (CSAT reports to collect).
        var conditions: [String]
        var entry: Entry = .keep
        /// Credentials the partner holds now that the old enrolment day did not see (re-enrolling is enough for them).
        var held: [String] = []
        /// The last day the credentials may be ready and the (re-)enrolment made.
        var limit = Day(daysSinceEpoch: 0)
        /// CSAT reports still missing, and the period end they are due by.
        var csatShortfall = 0
        var periodEnd = Day(daysSinceEpoch: 0)
        /// What the subtrack pays on the volume so far once every check but the volume check passes.
        var rebateSoFar = Money.zero
        /// The subtrack's rate (the engine's formula, the partner's tier), the volume booked and the attach volume so
        /// far: what a break-even volume is measured with.
        var outlook: RebateOutlook?
        var volumeSoFar = Money.zero
        var attachSoFar = Money.zero
        /// Other programs whose subtrack of this path counts the same orders (the forecast's one pace).
        var sharedWith: [String] = []
        var label: String { "\(program) \(path)" }

        /// The least qualifying volume at which this subtrack alone pays `cost` in a period (the attach volume so far
        /// held), to the cent, by the engine's formula; `nil` when no volume does (a cap under the cost).
        func breakEven(_ cost: Money) -> Money? {
            guard let outlook else { return nil }
            var high: Int64 = 1 << 50
            guard outlook.rebate(volume: Money(cents: high), attach: attachSoFar) >= cost else { return nil }
            var low: Int64 = -1
            // The rebate does not fall as the volume grows: the least volume paying `cost` is found by halving.
            while high - low > 1 {
                let middle = low + (high - low) / 2
                if outlook.rebate(volume: Money(cents: middle), attach: attachSoFar) >= cost { high = middle } else { low = middle }
            }
            return Money(cents: high)
        }
    }

    /// What one credential costs this partner: acquiring it, or renewing it when the partner holds a record of it
    /// that expires (or expired) before the day its check looks at.
    struct Terms {
        var offer: CredentialOffer
        /// The last valid day of the partner's latest record; `nil`: acquired, not renewed.
        var expiredOn: Day?
        var cost: Money { expiredOn == nil ? offer.cost : offer.renewalCost }
        var leadTimeDays: Int { expiredOn == nil ? offer.leadTimeDays : offer.renewalLeadTimeDays }
    }

    /// The partner's credentials as a credential check saw them; `nil` for a check read back as words.
    static func held(_ facts: Check.Facts) -> [Credential]? {
        switch facts {
        case .credential(_, let held, _, _), .anyCredential(_, let held, _, _): return held
        default: return nil
        }
    }

    /// What `subtrack` pays on its volume so far (and attach volume so far) once its other checks pass, with the
    /// engine's formula for the partner (`SubtrackAdvice.outlook`): nothing under the minimum.
    static func rebateSoFar(_ subtrack: SubtrackAdvice) -> Money {
        subtrack.outlook?.rebate(volume: subtrack.qualifyingVolume, attach: subtrack.attachVolume ?? .zero) ?? .zero
    }

    static func day(_ day: Day, plus days: Int) -> Day { Day(daysSinceEpoch: day.daysSinceEpoch + Int32(clamping: days)) }

    /// - Parameter horizon: the periods a credential's cost is weighed over (at least 1): the rebate a credential
    ///   unlocks in this period is assumed again in each of the next `horizon − 1` (docs/advice.md).
    public static func recommend(_ advice: PartnerAdvice, catalogue: [CredentialOffer], horizon: Int = 1) -> Recommendation {
        let horizon = max(1, horizon)
        let asOf = advice.asOf
        var reasoning: [String] = []
        var candidates: [Candidate] = []
        let offers = Dictionary(catalogue.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var terms: [String: Terms] = [:]
        for program in advice.programs {
            guard case .vip(let rules) = program.program.rules else { continue }
            let period = program.program.period
            for subtrack in program.subtracks {
                let label = "\(program.program.id) \(subtrack.path)"
                if !subtrack.enrolled && !subtrack.canEnroll {
                    reasoning.append("\(label): left out: enrolment closed with the period end")
                    continue
                }
                // A tier is what it is; CSAT reports can still come in until the period ends.
                let periodOver = program.periodOver
                let blocking = subtrack.failingChecks.filter { $0.code == .tier || ($0.code == .csat && periodOver) }
                let csat = subtrack.failingChecks.filter { $0.code == .csat && !periodOver }
                let conditions = csat.map(\.explanation)
                if !blocking.isEmpty {
                    reasoning.append("\(label): left out: \(blocking.map(\.explanation).joined(separator: "; ")) (no credential changes that)")
                    continue
                }
                if program.daysElapsed == 0 {
                    reasoning.append(
                        "\(label): left out for now: the period starts on \(program.program.period.start), there is no pace to project yet")
                    continue
                }
                if subtrack.rebateAtProjection.cents <= 0 {
                    reasoning.append(
                        "\(label): left out: at the current pace the volume (\(subtrack.projectedVolume.groupedText)) stays under the minimum \(subtrack.minimum.groupedText)"
                    )
                    continue
                }
                let credentialChecks = subtrack.failingChecks.filter { $0.code == .credential && $0.facts.credentialRequirement != nil }
                // Under `knowledge_deadline: enrollment` the credentials are tested on the enrolment day: a subtrack not
                // enrolled in is enrolled in once they are ready, one enrolled in before they were held is re-enrolled in.
                // Either by the period end; under a full-credit cut-off a re-enrolment only up to it (a later one would
                // leave out the lines counted before it), a first enrolment up to it or, past it, on the advice day (what
                // the advice computed).
                let onEnrolment = rules.knowledgeDeadline == .enrollment
                let cutoff = rules.fullCreditEnrollmentUntil
                var limit: Day
                let entry: Entry
                if onEnrolment && !credentialChecks.isEmpty {
                    entry = subtrack.enrolled ? .reEnrollOnceReady : .enrollOnceReady
                    limit = rules.knowledgeDeadline.credentialDeadline(enrolledOn: nil, period: period)
                    if let cutoff { limit = min(limit, subtrack.enrolled ? cutoff : max(cutoff, asOf)) }
                } else if !subtrack.enrolled {
                    limit = rules.knowledgeDeadline.credentialDeadline(enrolledOn: nil, period: period)
                    let requiresCredentials =
                        rules.subtrackPaths.first { $0.path == subtrack.path }.map {
                            !$0.subtrack.requiresAll.isEmpty || !$0.subtrack.requiresAny.isEmpty
                        } ?? false
                    // Past a cut-off every day later loses lines; under `enrollment` a later day tests the credentials
                    // on that day: the advice day, as computed.
                    let by: Day =
                        if let cutoff { asOf <= cutoff ? cutoff : asOf } else if onEnrolment && requiresCredentials { asOf } else { period.end }
                    entry = .enrollBy(min(by, period.end))
                } else {
                    limit = rules.knowledgeDeadline.credentialDeadline(enrolledOn: subtrack.enrolledOn, period: period)
                    entry = .keep
                }
                if case .reEnrollOnceReady = entry, asOf > limit {
                    reasoning.append(
                        "\(label): left out: its credentials were tested on the enrolment day \(subtrack.enrolledOn.map(\.description) ?? "-"); re-enrolling now, after the full-credit date \(cutoff.map(\.description) ?? limit.description), would leave out the lines counted before it (not weighed)"
                    )
                    continue
                }
                var groups: [[String]] = []
                var heldNow: [String] = []
                var outOfReach = false
                for check in credentialChecks {
                    let ids = check.facts.credentialRequirement!.ids
                    let records = held(check.facts) ?? []
                    // Held and valid today, only not on the old enrolment day: re-enrolling today is enough.
                    if onEnrolment, let id = ids.first(where: { Check.Facts.records(of: $0, in: records, on: asOf).contains(.valid) }) {
                        heldNow.append(id)
                        // It must still be valid on the new enrolment day (its last valid day is on or after today).
                        let expiries = records.filter { $0.credential.isExactly(id) && $0.isValid(on: asOf) }.map { $0.expiresOn }
                        if !expiries.contains(nil), let last = expiries.compactMap({ $0 }).max() { limit = min(limit, last) }
                        continue
                    }
                    var reachable: [String] = []
                    var unreachable: [String] = []
                    for id in ids {
                        guard let offer = offers[id] else {
                            unreachable.append("\(id) (not in the catalogue)")
                            continue
                        }
                        let expiries = Check.Facts.records(of: id, in: records, on: Day(daysSinceEpoch: Int32.max)).compactMap { standing -> Day? in
                            if case .expired(let day) = standing { return day }
                            return nil
                        }
                        let found = terms[id] ?? Terms(offer: offer, expiredOn: expiries.max())
                        terms[id] = found
                        let ready = day(asOf, plus: found.leadTimeDays)
                        if ready > limit {
                            let what = found.expiredOn == nil ? "" : "renewal "
                            unreachable.append("\(id) (\(what)out of reach: ready \(ready), after the deadline \(limit))")
                        } else {
                            reachable.append(id)
                        }
                    }
                    if reachable.isEmpty {
                        reasoning.append(
                            "\(label): left out: needs one of \(ids.joined(separator: ", ")), none within reach: \(unreachable.joined(separator: "; "))"
                        )
                        outOfReach = true
                        break
                    }
                    groups.append(reachable)
                }
                if outOfReach { continue }
                let shortfall =
                    csat.compactMap { check -> Int? in
                        if case .csatReports(let count) = check.facts.shortfall { return count }
                        return nil
                    }.max() ?? 0
                candidates.append(
                    Candidate(
                        program: program.program.id, path: subtrack.path, rebate: subtrack.rebateAtProjection, enrolled: subtrack.enrolled,
                        groups: groups, conditions: conditions, entry: entry, held: heldNow, limit: limit, csatShortfall: shortfall,
                        periodEnd: period.end, rebateSoFar: rebateSoFar(subtrack), outlook: subtrack.outlook,
                        volumeSoFar: subtrack.qualifyingVolume, attachSoFar: subtrack.attachVolume ?? .zero,
                        sharedWith: subtrack.forecast?.sharedWith ?? []))
            }
        }
        let costs = terms.mapValues(\.cost.cents)
        let relevant = Array(Set(candidates.flatMap { $0.groups.flatMap { $0 } })).sorted()
        let exact = relevant.count <= exactLimit
        let chosen = search(candidates, relevant: exact ? relevant : Array(relevant.prefix(exactLimit)), costs: costs, horizon: horizon)
        let satisfied = candidates.filter { candidate in candidate.groups.allSatisfy { group in group.contains(where: chosen.contains) } }
        let investment = chosen.reduce(Int64(0)) { $0 + costs[$1]! }
        let expected = satisfied.reduce(Int64(0)) { $0 + $1.rebate.cents }
        func ready(_ id: String) -> Day { day(asOf, plus: terms[id]!.leadTimeDays) }
        var lines: [String] = []
        var actions: [DatedAction] = []
        for candidate in satisfied {
            let target = DatedAction.Target(program: candidate.program, path: candidate.path)
            let with = candidate.groups.map { $0.filter(chosen.contains).joined(separator: "/") } + candidate.held
            let needs = with.isEmpty ? "" : " (with \(with.joined(separator: ", ")))"
            let todo = candidate.conditions.isEmpty ? "" : "; also still needed: \(candidate.conditions.joined(separator: "; "))"
            // The (re-)enrolment day: the day the last group's earliest chosen credential is ready, the advice day at the earliest.
            let readyOn = candidate.groups.map { $0.filter(chosen.contains).map(ready).min()! }.max().map { max($0, asOf) } ?? asOf
            switch candidate.entry {
            case .keep:
                lines.append("keep \(candidate.label): expected rebate \(candidate.rebate.groupedText)\(needs)\(todo)")
            case .enrollBy(let by):
                lines.append("enrol in \(candidate.label): expected rebate \(candidate.rebate.groupedText)\(needs)\(todo)")
                actions.append(
                    DatedAction(kind: .enrollBy, date: by, targets: [target], atStake: candidate.rebate, rebateSoFar: candidate.rebateSoFar))
            case .enrollOnceReady:
                lines.append(
                    "enrol in \(candidate.label) on or after \(readyOn), by \(candidate.limit) (the credentials are tested on the enrolment day: an earlier enrolment pays nothing): expected rebate \(candidate.rebate.groupedText)\(needs)\(todo)"
                )
                actions.append(
                    DatedAction(
                        kind: .enrollOnOrAfter, date: readyOn, until: candidate.limit, targets: [target], atStake: candidate.rebate,
                        rebateSoFar: candidate.rebateSoFar))
            case .reEnrollOnceReady:
                lines.append(
                    "re-enrol in \(candidate.label) on or after \(readyOn), by \(candidate.limit) (unenrol and enrol again: the credentials are tested on the new enrolment day): pays \(candidate.rebateSoFar.groupedText) on the volume so far, expected rebate \(candidate.rebate.groupedText)\(needs)\(todo)"
                )
                actions.append(
                    DatedAction(
                        kind: .reEnrollOnOrAfter, date: readyOn, until: candidate.limit, targets: [target], atStake: candidate.rebate,
                        rebateSoFar: candidate.rebateSoFar))
            }
        }
        // Subtracks of the plan that count the same orders: both pay on them, so both are expected; said once per path.
        var sharing: [String] = []
        for candidate in satisfied where !candidate.sharedWith.isEmpty && !sharing.contains(candidate.path) {
            let same = satisfied.filter {
                $0.path == candidate.path && ($0.program == candidate.program || candidate.sharedWith.contains($0.program))
            }
            guard same.count > 1 else { continue }
            sharing.append(candidate.path)
            lines.append(
                "\(same.map(\.label).joined(separator: " and ")) count the same orders: each pays on them, so their rebates add up (one pace for all)"
            )
        }
        for id in chosen.sorted() {
            let found = terms[id]!
            let offer = found.offer
            let unlocks = satisfied.filter { $0.groups.contains { $0.contains(id) } }
            let stake = Money(cents: unlocks.reduce(Int64(0)) { $0 + $1.rebate.cents })
            let until = unlocks.map(\.limit).min() ?? asOf
            let on = ready(id)
            let targets = unlocks.map { DatedAction.Target(program: $0.program, path: $0.path) }
            // What the money buys: the rebate on the volume booked so far, the expected rebate, and the volume at which the
            // subtrack it unlocks most in pays the cost alone.
            let soFar = Money(cents: unlocks.reduce(Int64(0)) { $0 + $1.rebateSoFar.cents })
            var tail =
                "costs \(found.cost.groupedText), ready in \(found.leadTimeDays) days, on \(on); needed for \(unlocks.map(\.label).joined(separator: ", "))"
                + "; rebate \(soFar.groupedText) on the volume booked so far, \(stake.groupedText) expected"
            if let main = unlocks.max(by: { $0.rebate < $1.rebate }) {
                if let volume = main.breakEven(found.cost) {
                    tail += "; pays for itself from \(volume.groupedText) of \(main.label) volume (\(main.volumeSoFar.groupedText) booked)"
                } else {
                    tail += "; no volume of \(main.label) alone pays for it"
                }
            }
            if let expiry = found.expiredOn {
                if expiry >= asOf {
                    lines.append("renew \(id) (\(offer.name)) before \(expiry), its last valid day (the check looks at \(until)): \(tail)")
                    actions.append(
                        DatedAction(
                            kind: .renewBefore, date: expiry, until: until, targets: targets, credential: id, cost: found.cost, atStake: stake))
                } else {
                    lines.append("renew \(id) (\(offer.name)), lapsed after \(expiry): \(tail)")
                    actions.append(
                        DatedAction(kind: .renew, date: on, until: until, targets: targets, credential: id, cost: found.cost, atStake: stake))
                }
            } else {
                lines.append("acquire \(id) (\(offer.name)): \(tail)")
                actions.append(
                    DatedAction(kind: .acquire, date: on, until: until, targets: targets, credential: id, cost: found.cost, atStake: stake))
            }
        }
        // CSAT reports are the partner's, per program: one step for the subtracks of the plan that wait for them.
        var csatPrograms: [String] = []
        for candidate in satisfied where candidate.csatShortfall > 0 && !csatPrograms.contains(candidate.program) {
            csatPrograms.append(candidate.program)
            let waiting = satisfied.filter { $0.program == candidate.program && $0.csatShortfall > 0 }
            actions.append(
                DatedAction(
                    kind: .submitCSATBy, date: candidate.periodEnd, targets: waiting.map { DatedAction.Target(program: $0.program, path: $0.path) },
                    count: waiting.map(\.csatShortfall).max(), atStake: Money(cents: waiting.reduce(Int64(0)) { $0 + $1.rebate.cents })))
        }
        actions += AdviceCalendar.tagActions(advice)
        for candidate in candidates where !satisfied.contains(where: { $0.program == candidate.program && $0.path == candidate.path }) {
            let cost = candidate.groups.map { group in group.compactMap { costs[$0] }.min() ?? 0 }.reduce(0, +)
            let brings =
                horizon == 1
                ? candidate.rebate.groupedText
                : "\(candidate.rebate.groupedText) a period (\(Money(cents: candidate.rebate.cents * Int64(horizon)).groupedText) over \(horizon) periods)"
            lines.append(
                "left out \(candidate.label): would bring \(brings) but needs \(candidate.groups.map { $0.joined(separator: " or ") }.joined(separator: " and ")), costing at least \(Money(cents: cost).groupedText) with the rest of the plan"
            )
        }
        if horizon > 1 {
            lines.append(
                "horizon \(horizon) periods: a credential's cost is set against the rebate it unlocks in this period and the same rebate assumed again in each of the next \(horizon - 1) (same volume and rules, the credential held throughout with no renewal counted): expected rebate \(Money(cents: expected * Int64(horizon)).groupedText) over the horizon, net \(Money(cents: expected * Int64(horizon) - investment).groupedText)"
            )
        }
        if !exact { lines.append("note: more than \(exactLimit) credentials could help; only the first \(exactLimit) by id were weighed") }
        return Recommendation(
            credentials: chosen.sorted().map { terms[$0]!.offer },
            subtracks: satisfied.map { Recommendation.Choice(program: $0.program, path: $0.path, rebate: $0.rebate, enrolled: $0.enrolled) },
            expectedRebate: Money(cents: expected), investment: Money(cents: investment), reasoning: lines + reasoning, exact: exact,
            horizon: horizon, actions: actions.sorted(by: DatedAction.inDateOrder))
    }

    /// `search` with each credential at its acquisition cost, over this period.
    static func search(_ candidates: [Candidate], relevant: [String], offers: [String: CredentialOffer]) -> Set<String> {
        search(candidates, relevant: relevant, costs: offers.mapValues(\.cost.cents))
    }

    /// Branch and bound over the relevant credentials (bit sets, at most 64): the set with the highest
    /// rebate (over `horizon` periods) minus cost (ties: the cheaper set, then fewer credentials). Credentials that
    /// touch the most rebate per unit of cost are tried first, so a good plan is found early and bounds prune hard.
    static func search(_ candidates: [Candidate], relevant: [String], costs costOf: [String: Int64], horizon: Int = 1) -> Set<String> {
        let rebates = candidates.map { $0.rebate.cents * Int64(horizon) }
        let touched = relevant.map { id in
            candidates.indices.filter { candidates[$0].groups.contains { $0.contains(id) } }.reduce(Int64(0)) { $0 + rebates[$1] }
        }
        let order = relevant.indices.sorted { a, b in
            let costA = max(costOf[relevant[a]]!, 1), costB = max(costOf[relevant[b]]!, 1)
            let left = Int128(touched[a]) * Int128(costB), right = Int128(touched[b]) * Int128(costA)
            return left != right ? left > right : relevant[a] < relevant[b]
        }
        let ids = order.map { relevant[$0] }
        let costs = ids.map { costOf[$0]! }
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let masks: [[UInt64]] = candidates.map { candidate in
            candidate.groups.map { group in group.reduce(UInt64(0)) { mask, id in position[id].map { mask | (1 << UInt64($0)) } ?? mask } }
        }
        func pays(_ available: UInt64) -> Int64 {
            var sum: Int64 = 0
            for (index, groups) in masks.enumerated() where groups.allSatisfy({ $0 & available != 0 }) { sum += rebates[index] }
            return sum
        }
        var best: (value: Int64, cost: Int64, count: Int, mask: UInt64) = (Int64.min, 0, 0, 0)
        func visit(_ index: Int, chosen: UInt64, cost: Int64) {
            let remaining: UInt64 = index >= 64 ? 0 : (index == 0 ? ~0 : ~((1 << UInt64(index)) - 1))
            // Bound: everything still satisfiable pays, and nothing more is bought.
            if pays(chosen | remaining) - cost < best.value { return }
            if index == ids.count {
                let net = pays(chosen) - cost, count = chosen.nonzeroBitCount
                if net > best.value || (net == best.value && (cost < best.cost || (cost == best.cost && count < best.count))) {
                    best = (net, cost, count, chosen)
                }
                return
            }
            visit(index + 1, chosen: chosen | (1 << UInt64(index)), cost: cost + costs[index])
            visit(index + 1, chosen: chosen, cost: cost)
        }
        visit(0, chosen: 0, cost: 0)
        return Set(ids.indices.filter { best.mask & (1 << UInt64($0)) != 0 }.map { ids[$0] })
    }
}
