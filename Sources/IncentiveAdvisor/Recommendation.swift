import Foundation
import IncentiveEngine
import Yams

/// What acquiring a credential costs and how long it takes (a credentials catalogue, YAML).
public struct CredentialOffer: Sendable, Hashable {
    public var id: String
    public var name: String
    public var cost: Money
    public var leadTimeDays: Int

    public init(id: String, name: String, cost: Money, leadTimeDays: Int) {
        self.id = id
        self.name = name
        self.cost = cost
        self.leadTimeDays = leadTimeDays
    }
}

public enum CredentialCatalogue {
    /// Reads `credentials: [{id, name, cost, lead_time_days}]`; problems name the file and the entry.
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
        for entry in entries {
            let line = entry.mark.map { $0.line }
            guard let mapping = entry.mapping else {
                collector.error(file: file, line: line, "expected a mapping with id, name, cost, lead_time_days")
                continue
            }
            for key in mapping.keys.compactMap(\.string) where !["id", "name", "cost", "lead_time_days"].contains(key) {
                collector.error(file: file, line: line, column: key, "unknown key (expected id, name, cost, lead_time_days)")
            }
            guard let id = mapping["id"]?.string, !id.isEmpty else {
                collector.error(file: file, line: line, column: "id", "required")
                continue
            }
            var cost = Money.zero
            let costText = mapping["cost"]?.string ?? ""
            var bytes = Array(costText.utf8)
            switch bytes.withUnsafeMutableBufferPointer({ FieldParsing.decimal(UnsafeBufferPointer($0), scale: 2, allowNegative: false) }) {
            case .success(let cents): cost = Money(cents: cents)
            case .failure(let problem):
                collector.error(file: file, line: line, column: "cost", value: costText, FieldParsing.explain(problem, decimals: 2, what: "a cost"))
            }
            guard let lead = mapping["lead_time_days"]?.int, lead >= 0 else {
                collector.error(
                    file: file, line: line, column: "lead_time_days", value: mapping["lead_time_days"]?.string, "expected a whole number of days")
                continue
            }
            if offers.contains(where: { $0.id == id }) { collector.error(file: file, line: line, column: "id", value: id, "listed twice") }
            offers.append(CredentialOffer(id: id, name: mapping["name"]?.string ?? id, cost: cost, leadTimeDays: lead))
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }
        return offers
    }
}

/// The subtracks to enrol in and the credentials to acquire that maximise expected rebate minus
/// investment, with the reasoning.
public struct Recommendation: Sendable {
    public struct Choice: Sendable, Hashable {
        public var program: String
        public var path: String
        public var rebate: Money
        /// Already enrolled (no action), or to enrol in.
        public var enrolled: Bool
    }

    public var credentials: [CredentialOffer]
    public var subtracks: [Choice]
    public var expectedRebate: Money
    public var investment: Money
    public var net: Money { Money(cents: expectedRebate.cents - investment.cents) }
    /// Line by line: what each choice adds and costs, and why the others were left.
    public var reasoning: [String]
    /// Whether the search covered every combination (it does up to `Recommender.exactLimit` credentials).
    public var exact: Bool
}

public enum Recommender {
    /// Up to this many candidate credentials the search is exhaustive (with pruning).
    public static let exactLimit = 64

    struct Candidate {
        var program: String
        var path: String
        var rebate: Money
        var enrolled: Bool
        /// Missing credential groups: each needs one of its ids, from those that can still be acquired in time.
        var groups: [[String]]
        /// Other things still to do before the period ends (CSAT reports to collect).
        var conditions: [String]
    }

    public static func recommend(_ advice: PartnerAdvice, catalogue: [CredentialOffer]) -> Recommendation {
        var reasoning: [String] = []
        var candidates: [Candidate] = []
        let offers = Dictionary(catalogue.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for program in advice.programs {
            guard case .vip(let rules) = program.program.rules else { continue }
            for subtrack in program.subtracks {
                let label = "\(program.program.id) \(subtrack.path)"
                if !subtrack.enrolled && !subtrack.canEnroll {
                    reasoning.append("\(label): left out: enrolment closed with the period end")
                    continue
                }
                // A tier is what it is; CSAT reports can still come in until the period ends.
                let periodOver = program.periodOver
                let blocking = subtrack.failingChecks.filter { $0.code == .tier || ($0.code == .csat && periodOver) }
                let conditions = subtrack.failingChecks.filter { $0.code == .csat && !periodOver }.map(\.explanation)
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
                // A credential helps only if it can be held by the deadline the check uses.
                let deadline = rules.knowledgeDeadline.credentialDeadline(enrolledOn: subtrack.enrolledOn, period: program.program.period)
                var groups: [[String]] = []
                var unreachable: [String] = []
                for group in subtrack.missingCredentials {
                    var reachable: [String] = []
                    for id in group {
                        guard let offer = offers[id] else {
                            unreachable.append("\(id) (not in the catalogue)")
                            continue
                        }
                        let ready = Day(daysSinceEpoch: advice.asOf.daysSinceEpoch + Int32(offer.leadTimeDays))
                        if ready > deadline {
                            unreachable.append("\(id) (out of reach: ready \(ready), after the deadline \(deadline))")
                        } else {
                            reachable.append(id)
                        }
                    }
                    if reachable.isEmpty {
                        groups = []
                        reasoning.append(
                            "\(label): left out: needs one of \(group.joined(separator: ", ")), none within reach: \(unreachable.joined(separator: "; "))"
                        )
                        break
                    }
                    groups.append(reachable)
                }
                if groups.count != subtrack.missingCredentials.count { continue }
                candidates.append(
                    Candidate(
                        program: program.program.id, path: subtrack.path, rebate: subtrack.rebateAtProjection, enrolled: subtrack.enrolled,
                        groups: groups, conditions: conditions))
            }
        }
        let relevant = Array(Set(candidates.flatMap { $0.groups.flatMap { $0 } })).sorted()
        let exact = relevant.count <= exactLimit
        let chosen = search(candidates, relevant: exact ? relevant : Array(relevant.prefix(exactLimit)), offers: offers)
        let satisfied = candidates.filter { candidate in candidate.groups.allSatisfy { group in group.contains(where: chosen.contains) } }
        let investment = chosen.reduce(Int64(0)) { $0 + offers[$1]!.cost.cents }
        let expected = satisfied.reduce(Int64(0)) { $0 + $1.rebate.cents }
        var lines: [String] = []
        for candidate in satisfied {
            let action = candidate.enrolled ? "keep" : "enrol in"
            let needs =
                candidate.groups.isEmpty
                ? "" : " (with \(candidate.groups.map { $0.filter(chosen.contains).joined(separator: "/") }.joined(separator: ", ")))"
            let todo = candidate.conditions.isEmpty ? "" : "; also still needed: \(candidate.conditions.joined(separator: "; "))"
            lines.append("\(action) \(candidate.program) \(candidate.path): expected rebate \(candidate.rebate.groupedText)\(needs)\(todo)")
        }
        for id in chosen.sorted() {
            let offer = offers[id]!
            let unlocks = satisfied.filter { $0.groups.contains { $0.contains(id) } }
            lines.append(
                "acquire \(id) (\(offer.name)): costs \(offer.cost.groupedText), ready in \(offer.leadTimeDays) days; needed for \(unlocks.map { "\($0.program) \($0.path)" }.joined(separator: ", "))"
            )
        }
        for candidate in candidates where !satisfied.contains(where: { $0.program == candidate.program && $0.path == candidate.path }) {
            let cost = candidate.groups.map { group in group.compactMap { offers[$0]?.cost.cents }.min() ?? 0 }.reduce(0, +)
            lines.append(
                "left out \(candidate.program) \(candidate.path): would bring \(candidate.rebate.groupedText) but needs \(candidate.groups.map { $0.joined(separator: " or ") }.joined(separator: " and ")), costing at least \(Money(cents: cost).groupedText) with the rest of the plan"
            )
        }
        if !exact { lines.append("note: more than \(exactLimit) credentials could help; only the first \(exactLimit) by id were weighed") }
        return Recommendation(
            credentials: chosen.sorted().map { offers[$0]! },
            subtracks: satisfied.map { Recommendation.Choice(program: $0.program, path: $0.path, rebate: $0.rebate, enrolled: $0.enrolled) },
            expectedRebate: Money(cents: expected), investment: Money(cents: investment), reasoning: lines + reasoning, exact: exact)
    }

    /// Branch and bound over the relevant credentials (bit sets, at most 64): the set with the highest
    /// rebate minus cost (ties: the cheaper set, then fewer credentials). Credentials that touch the most
    /// rebate per unit of cost are tried first, so a good plan is found early and bounds prune hard.
    static func search(_ candidates: [Candidate], relevant: [String], offers: [String: CredentialOffer]) -> Set<String> {
        let touched = relevant.map { id in candidates.filter { $0.groups.contains { $0.contains(id) } }.reduce(Int64(0)) { $0 + $1.rebate.cents } }
        let order = relevant.indices.sorted { a, b in
            let costA = max(offers[relevant[a]]!.cost.cents, 1), costB = max(offers[relevant[b]]!.cost.cents, 1)
            let left = Int128(touched[a]) * Int128(costB), right = Int128(touched[b]) * Int128(costA)
            return left != right ? left > right : relevant[a] < relevant[b]
        }
        let ids = order.map { relevant[$0] }
        let costs = ids.map { offers[$0]!.cost.cents }
        let position = Dictionary(uniqueKeysWithValues: ids.enumerated().map { ($1, $0) })
        let masks: [[UInt64]] = candidates.map { candidate in
            candidate.groups.map { group in group.reduce(UInt64(0)) { mask, id in position[id].map { mask | (1 << UInt64($0)) } ?? mask } }
        }
        let rebates = candidates.map(\.rebate.cents)
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
