import Foundation
import Yams

/// Reads program definitions (formats.md §2) from YAML, with every problem named by file, line and key.
public enum ProgramLoader {
    /// Loads every `*.yaml` and `*.yml` file of `directory` (sorted by name).
    ///
    /// Throws a report with every problem of every file; also checks that program ids are unique
    /// and that all programs share one currency (fx rates convert into it).
    public static func load(directory: String) throws(DiagnosticReport) -> [Program] {
        if let problem = DatasetLoader.folderProblem(directory, what: "programs folder", holds: "the program definitions (*.yaml)") {
            throw DiagnosticReport(Diagnostic(file: directory, line: nil, message: problem))
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
                .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
                .sorted()
        } catch {
            throw DiagnosticReport(Diagnostic(file: directory, line: nil, message: "cannot list the programs folder"))
        }
        if names.isEmpty {
            let named = directory.hasSuffix(".yaml") || directory.hasSuffix(".yml") || directory.hasSuffix(".yaml/") || directory.hasSuffix(".yml/")
            throw DiagnosticReport(
                Diagnostic(
                    file: directory, line: nil,
                    message: "no program definitions (*.yaml, *.yml) in this folder"
                        + (named ? " (it is a folder named like a file: the programs folder is the one that holds the program files)" : "")))
        }
        var collector = DiagnosticCollector()
        var programs: [Program] = []
        for name in names {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                collector.error(file: path, line: nil, "is a folder named like a program file; program definitions are files (rename or move it)")
                continue
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                collector.error(file: path, line: nil, "cannot read file")
                continue
            }
            guard let text = String(data: data, encoding: .utf8) else {
                collector.error(file: path, line: nil, "not valid UTF-8 text")
                continue
            }
            if let program = parse(yaml: text, file: path, collector: &collector) { programs.append(program) }
        }
        checkTogether(programs, collector: &collector)
        if collector.hasErrors { throw DiagnosticReport(collector) }
        return programs
    }

    /// Problems that need all programs at once: duplicate ids, mixed currencies.
    public static func checkTogether(_ programs: [Program], collector: inout DiagnosticCollector) {
        var seen: [ExactText: String] = [:]
        for program in programs {
            if let first = seen[ExactText(program.id)] {
                collector.error(
                    file: program.sourceFile, line: program.idLine, column: "id", value: program.id, "duplicate program id (also defined in \(first))"
                )
            } else {
                seen[ExactText(program.id)] = program.sourceFile
            }
        }
        if let first = programs.first {
            for program in programs where program.currency != first.currency {
                collector.error(
                    file: program.sourceFile, line: program.currencyLine, column: "currency", value: program.currency,
                    "all programs loaded together must use one currency (fx.csv converts into it); \(first.id) uses \(first.currency)")
            }
        }
    }

    /// Parses one program file; problems go to `collector` and the result is `nil` when there were any.
    public static func parse(yaml text: String, file: String, collector: inout DiagnosticCollector) -> Program? {
        let root: Node?
        do {
            // No implicit types: every plain value is text to this loader, so any other tag was written out.
            root = try Yams.compose(yaml: text, .basic)
        } catch let error as YamlError {
            collector.add(yamlDiagnostic(error, file: file))
            return nil
        } catch {
            collector.error(file: file, line: nil, "not valid YAML")
            return nil
        }
        guard let root else {
            collector.error(file: file, line: 1, "the file is empty; expected a program definition")
            return nil
        }
        var visited = 0
        if let problem = explicitTag(in: root, visited: &visited) {
            collector.add(problem(file))
            return nil
        }
        var parser = ProgramParser(file: file)
        let program = parser.program(root)
        collector.merge(parser.collector)
        return parser.collector.hasErrors ? nil : program
    }

    /// The tags a program file may spell out: YAML's core types. Anything else (`!!binary`,
    /// `!!python/object:...`, a local `!tag`) asks a loader to build something: refused.
    static let coreTags: Set<String> = ["str", "int", "float", "bool", "null", "seq", "map"].reduce(into: []) {
        $0.insert("tag:yaml.org,2002:" + $1)
    }

    /// Most nodes a program file may hold, aliases counted at each use (a file of aliases to aliases
    /// can stand for billions of nodes).
    static let nodeLimit = 100_000

    /// The first node with a tag that is not a core one, or past `nodeLimit`, as a diagnostic for a file.
    static func explicitTag(in node: Node, visited: inout Int) -> ((String) -> Diagnostic)? {
        visited += 1
        if visited > nodeLimit {
            return {
                Diagnostic(
                    file: $0, line: node.mark?.line,
                    message: "more than \(nodeLimit) YAML values (with aliases expanded); a program file is far smaller")
            }
        }
        let tag = node.tag.description
        if !coreTags.contains(tag) {
            let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst("tag:yaml.org,2002:".count) : tag
            return {
                Diagnostic(
                    file: $0, line: node.mark?.line,
                    message: "the YAML tag \(Diagnostic.cut(shown, limit: 60)) is refused: program files hold plain values (only the core tags "
                        + "!!str, !!int, !!float, !!bool, !!null, !!seq and !!map may be written); remove the tag")
            }
        }
        switch node {
        case .mapping(let mapping):
            for (key, value) in mapping {
                if let found = explicitTag(in: key, visited: &visited) ?? explicitTag(in: value, visited: &visited) { return found }
            }
        case .sequence(let sequence):
            for item in sequence {
                if let found = explicitTag(in: item, visited: &visited) { return found }
            }
        default: break
        }
        return nil
    }

    /// A YAML syntax error of `file` in words for someone editing it, with its line and column.
    public static func yamlDiagnostic(_ error: YamlError, file: String) -> Diagnostic {
        switch error {
        case let .scanner(_, problem, mark, _), let .parser(_, problem, mark, _), let .composer(_, problem, mark, _):
            return Diagnostic(file: file, line: mark.line, message: "invalid YAML at column \(mark.column): \(explain(yamlProblem: problem))")
        case let .duplicatedKeysInMapping(duplicates, context):
            return Diagnostic(
                file: file, line: context.mark.line, column: duplicates.joined(separator: ", "), message: "the same key is given twice in one mapping"
            )
        case let .reader(problem, _, _, _):
            return Diagnostic(file: file, line: nil, message: "invalid YAML: \(explain(yamlProblem: problem))")
        default:
            return Diagnostic(file: file, line: nil, message: "invalid YAML")
        }
    }

    /// What libyaml's wording of a problem means for someone editing a program file.
    static func explain(yamlProblem problem: String) -> String {
        let known: [(String, String)] = [
            (
                "mapping values are not allowed",
                "a ':' where no key can start: this line is indented further than the keys above it, or a value holds ': ' and needs quotes"
            ),
            (
                "did not find expected '-' indicator",
                "this line is indented differently from the list items above it: the items of a list start with '-' at the same indentation"
            ),
            (
                "did not find expected key",
                "this line does not fit the mapping above it: the keys of one mapping line up, and a list item ('- ...') cannot stand among them"
            ),
            ("tab character", "a tab used for indentation: YAML indents with spaces only"),
            ("cannot start any token", "a character that cannot start a value here (such as @, ` or a tab): put the value in quotes"),
            ("unexpected end of stream", "the file ends inside a quoted value: a closing quote is missing"),
            ("did not find expected ',' or ']'", "a [list] is not closed with ']', or its items are not separated by ','"),
            ("did not find expected ',' or '}'", "a {mapping} is not closed with '}', or its entries are not separated by ','"),
            ("could not find expected ':'", "a key without ':' after it (or a quote opened on an earlier line and not closed)"),
            ("did not find expected node content", "a value is missing where one is expected (after '-', ',' or a tag)"),
            (
                "block sequence entries are not allowed",
                "a list item ('- ...') where no list can start: put the list on its own lines, indented under its key"
            ),
            ("unknown escape character", "an unknown escape (\\...) in a double-quoted value: write \\\\ for a backslash, or use single quotes"),
            ("undefined alias", "an alias (*name) without an anchor (&name) before it"),
            ("undefined tag handle", "a tag (!...) that YAML does not know: program files hold plain values"),
            ("expected <document start>", "text after the end of the program: a program file holds one mapping"),
            ("but found another document", "more than one YAML document (a '---' line): a program file holds one program"),
            ("control characters are not allowed", "the file holds control characters, which YAML does not allow"),
            ("invalid leading UTF-8 octet", "the file is not valid UTF-8 text; save it as UTF-8"),
            ("invalid trailing UTF-8 octet", "the file is not valid UTF-8 text; save it as UTF-8"),
            ("incomplete UTF-8 octet sequence", "the file is not valid UTF-8 text; save it as UTF-8"),
            ("found duplicate anchor", "an anchor (&name) defined twice"),
        ]
        for (fragment, meaning) in known where problem.contains(fragment) { return meaning }
        return "the YAML cannot be read here (\(problem))"
    }
}

/// Walks the YAML tree of one program file, collecting problems.
struct ProgramParser {
    let file: String
    var collector = DiagnosticCollector()
    /// The top mapping, for problems about keys that are missing altogether.
    var root: Node?

    init(file: String) { self.file = file }

    static let commonKeys: Set<String> = ["id", "kind", "name", "currency", "period", "count_bookings_by", "max_rebate_percent"]
    static let vipKeys: Set<String> = commonKeys.union([
        "eligible_tiers", "csat_required", "knowledge_deadline", "tracks", "full_credit_enrollment_until",
    ])
    static let subtrackKeys: Set<String> = [
        "id", "name", "rebate_percent", "products", "requires_all", "requires_any", "minimum_volume",
        "rebate_tiers", "tier_method", "rebate_base", "attach_bonus", "baseline", "cap",
    ]
    static let mdfKeys: Set<String> = commonKeys.union(["intended_use_rules", "tiers", "funds_valid_months", "claim_within_days"])

    mutating func error(_ node: Node?, _ key: String?, _ message: String) {
        collector.error(file: file, line: node?.mark?.line, column: key, value: nil, message)
    }

    mutating func error(_ node: Node?, _ key: String?, value: String, _ message: String) {
        collector.error(file: file, line: node?.mark?.line, column: key, value: value, message)
    }

    /// The mapping of `node` with its keys checked against `allowed`; `required` keys must be present.
    mutating func mapping(_ node: Node, _ what: String, allowed: Set<String>, required: [String]) -> [String: Node]? {
        guard case let .mapping(mapping) = node else {
            error(node, nil, "\(what) must be a mapping of keys to values")
            return nil
        }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.scalar?.string else {
                error(key, nil, "keys of \(what) must be plain names")
                continue
            }
            if !allowed.contains(name) {
                let known = allowed.sorted().joined(separator: ", ")
                error(key, name, "unknown key in \(what) (known keys: \(known))")
                continue
            }
            if result[name] != nil {
                error(key, name, "duplicate key in \(what)")
                continue
            }
            result[name] = value
        }
        for key in required where result[key] == nil {
            error(node, key, "missing required key in \(what)")
        }
        return result
    }

    mutating func scalar(_ node: Node, _ key: String) -> String? {
        guard let scalar = node.scalar else {
            error(node, key, "expected a single value, found a \(node.mapping != nil ? "mapping" : "list")")
            return nil
        }
        return scalar.string
    }

    mutating func text(_ node: Node?, _ key: String) -> String? {
        guard let node else { return nil }
        guard let value = scalar(node, key)?.trimmingSpaces(), !value.isEmpty else {
            if node.scalar != nil { error(node, key, "must not be empty") }
            return nil
        }
        return value
    }

    mutating func day(_ node: Node?, _ key: String) -> Day? {
        guard let node, let value = scalar(node, key) else { return nil }
        guard let day = Day(iso: value.trimmingSpaces()) else {
            error(node, key, value: value, "expected a real calendar date YYYY-MM-DD")
            return nil
        }
        return day
    }

    /// The value named by `node`'s text; `nil` when absent, or when no value has that name (reported, with the `expected` names).
    mutating func choice<Value: RawRepresentable<String>>(_ node: Node?, _ key: String, expected: String) -> Value? {
        guard let value = text(node, key) else { return nil }
        guard let parsed = Value(rawValue: value) else {
            error(node, key, value: value, "expected \(expected)")
            return nil
        }
        return parsed
    }

    mutating func decimal(_ node: Node?, _ key: String, scale: Int, what: String, allowNegative: Bool = false) -> Int64? {
        guard let node, let value = scalar(node, key) else { return nil }
        switch FieldParsing.withBytes(value.trimmingSpaces(), { FieldParsing.decimal($0, scale: scale, allowNegative: allowNegative) }) {
        case .success(let units): return units
        case .failure(let problem):
            error(node, key, value: value, FieldParsing.explain(problem, decimals: scale, what: what))
            return nil
        }
    }

    mutating func integer(_ node: Node?, _ key: String) -> Int? {
        guard let node, let value = scalar(node, key) else { return nil }
        guard let number = Int(value.trimmingSpaces()), number >= 0 else {
            error(node, key, value: value, "expected a whole number, 0 or more")
            return nil
        }
        return number
    }

    mutating func bool(_ node: Node?, _ key: String) -> Bool? {
        guard let node, let value = scalar(node, key) else { return nil }
        guard let flag = FieldParsing.withBytes(value.trimmingSpaces(), FieldParsing.boolean) else {
            error(node, key, value: value, "expected true or false")
            return nil
        }
        return flag
    }

    mutating func list(_ node: Node?, _ key: String) -> [(String, Node)]? {
        guard let node else { return nil }
        guard case let .sequence(sequence) = node else {
            error(node, key, "expected a list, like [a, b]")
            return nil
        }
        var values: [(String, Node)] = []
        for item in sequence {
            if let value = text(item, key) { values.append((value, item)) }
        }
        return values
    }

    mutating func tier(_ node: Node, _ key: String, _ value: String) -> Tier? {
        guard let tier = FieldParsing.tier(value) else {
            error(node, key, value: value, "unknown tier (expected gold, premier, select or registered)")
            return nil
        }
        return tier
    }

    /// A number (the default for every country) or a map `{default: ..., NL: ...}`.
    mutating func minimumVolume(_ node: Node?, _ key: String) -> MinimumVolume? {
        guard let node else { return MinimumVolume() }
        if node.scalar != nil {
            guard let cents = decimal(node, key, scale: 2, what: "a minimum volume") else { return nil }
            return MinimumVolume(defaultAmount: Money(cents: cents))
        }
        guard case let .mapping(mapping) = node else {
            error(node, key, "expected a number or a map of countries to numbers, like {default: 75000, NL: 57500}")
            return nil
        }
        var volume = MinimumVolume()
        var failed = false
        for (countryNode, amountNode) in mapping {
            guard let name = countryNode.scalar?.string.trimmingSpaces() else {
                error(countryNode, key, "country keys must be ISO codes or default")
                failed = true
                continue
            }
            guard let cents = decimal(amountNode, "\(key).\(name)", scale: 2, what: "a minimum volume") else {
                failed = true
                continue
            }
            if name == "default" {
                volume.defaultAmount = Money(cents: cents)
            } else if let country = FieldParsing.code(name, length: 2), FieldParsing.countryCodes.contains(country) {
                if volume.byCountry[country] != nil {
                    error(countryNode, key, value: name, "country given twice")
                    failed = true
                }
                volume.byCountry[country] = Money(cents: cents)
            } else {
                error(countryNode, key, value: name, "expected default or an ISO 3166-1 alpha-2 country code")
                failed = true
            }
        }
        return failed ? nil : volume
    }

    /// A period: `{start, end}` or a fiscal name (`FY15-H2`, formats.md §5.1), with that name.
    mutating func period(_ node: Node, _ key: String) -> (DayRange, String?)? {
        if let name = node.scalar?.string {
            guard let fiscal = FiscalPeriod(name: name.trimmingSpaces()) else {
                error(
                    node, key, value: name,
                    "expected {start: YYYY-MM-DD, end: YYYY-MM-DD} or a fiscal period name: FY15, FY15-H1, FY15-H2, FY15-Q1 .. FY15-Q4 (or FY2015-H2)"
                )
                return nil
            }
            return (fiscal.range, fiscal.name)
        }
        guard let fields = mapping(node, key, allowed: ["start", "end"], required: ["start", "end"]) else { return nil }
        guard let start = day(fields["start"], "\(key).start"), let end = day(fields["end"], "\(key).end") else { return nil }
        if start > end {
            error(node, key, "the period starts (\(start)) after it ends (\(end))")
            return nil
        }
        return (DayRange(start: start, end: end), nil)
    }

    mutating func percent(_ node: Node?, _ key: String, maximum: ScaledDecimal) -> ScaledDecimal? {
        guard let units = decimal(node, key, scale: 4, what: "a percent", allowNegative: false) else { return nil }
        let value = ScaledDecimal(units: units, scale: 4)
        if value > maximum {
            error(node, key, value: value.text, "above max_rebate_percent (\(maximum.text))")
            return nil
        }
        return value
    }

    mutating func program(_ root: Node) -> Program? {
        self.root = root
        // The kind decides which keys are allowed, so read it first.
        var kind = ProgramKind.vip
        if case let .mapping(rootMapping) = root, let kindNode = rootMapping["kind"] {
            guard let kindText = text(kindNode, "kind") else { return nil }
            switch kindText.lowercased() {
            case "vip": kind = .vip
            case "mdf": kind = .mdf
            default:
                error(kindNode, "kind", value: kindText, "unknown program kind (expected vip or mdf)")
                return nil
            }
        }
        let allowed = kind == .vip ? Self.vipKeys : Self.mdfKeys
        guard
            let top = mapping(
                root, kind == .vip ? "a vip program" : "an mdf program", allowed: allowed, required: ["id", "kind", "currency", "period"])
        else {
            return nil
        }
        guard top["kind"] != nil else { return nil }
        let id = text(top["id"], "id")
        let name = top["name"].flatMap { text($0, "name") } ?? id
        var currency: String?
        if let value = text(top["currency"], "currency") {
            currency = FieldParsing.code(value, length: 3)
            if currency == nil { error(top["currency"], "currency", value: value, "expected an ISO 4217 code such as USD") }
        }
        let (period, periodName) = top["period"].flatMap { self.period($0, "period") } ?? (nil, nil)
        let counting = choice(top["count_bookings_by"], "count_bookings_by", expected: "booked_on or shipped_on") ?? CountingDate.bookedOn
        var maximum = ScaledDecimal(units: 200_000, scale: 4)
        if top["max_rebate_percent"] != nil {
            if let units = decimal(top["max_rebate_percent"], "max_rebate_percent", scale: 4, what: "a percent") {
                maximum = ScaledDecimal(units: units, scale: 4)
                if units > 1_000_000 {
                    // A rebate above the amount it is paid on is no rebate; it would also let amounts outgrow their sums.
                    error(top["max_rebate_percent"], "max_rebate_percent", value: maximum.text, "must be at most 100 (a percent of the volume)")
                }
            }
        }
        let rules: Program.Rules?
        switch kind {
        case .vip: rules = vipRules(top, maximum: maximum).map(Program.Rules.vip)
        case .mdf: rules = mdfRules(top, maximum: maximum).map(Program.Rules.mdf)
        }
        guard let id, let name, let currency, let period, let rules, !collector.hasErrors else { return nil }
        var program = Program(
            id: id, name: name, currency: currency, period: period, countBookingsBy: counting,
            maxRebatePercent: maximum, rules: rules, sourceFile: file)
        program.periodName = periodName
        program.idLine = top["id"]?.mark?.line
        program.currencyLine = top["currency"]?.mark?.line
        return program
    }

    mutating func vipRules(_ top: [String: Node], maximum: ScaledDecimal) -> VIPRules? {
        var tiers = Set(Tier.allCases)
        if let values = list(top["eligible_tiers"], "eligible_tiers") {
            tiers = []
            for (value, node) in values {
                if let tier = tier(node, "eligible_tiers", value) { tiers.insert(tier) }
            }
        }
        let csat = top["csat_required"] == nil ? 0 : integer(top["csat_required"], "csat_required")
        let deadline = choice(top["knowledge_deadline"], "knowledge_deadline", expected: "period_end or enrollment") ?? KnowledgeDeadline.periodEnd
        let fullCredit = day(top["full_credit_enrollment_until"], "full_credit_enrollment_until")
        guard let tracksNode = top["tracks"] else {
            error(root, "tracks", "missing required key in a vip program")
            return nil
        }
        guard case let .sequence(trackNodes) = tracksNode, !trackNodes.isEmpty else {
            error(tracksNode, "tracks", "expected a non-empty list of tracks")
            return nil
        }
        var tracks: [Track] = []
        var trackIDs: Set<ExactText> = []
        for trackNode in trackNodes {
            guard let fields = mapping(trackNode, "a track", allowed: ["id", "name", "subtracks"], required: ["id", "subtracks"]) else { continue }
            guard let trackID = text(fields["id"], "id") else { continue }
            if !trackIDs.insert(ExactText(trackID)).inserted { error(fields["id"], "id", value: trackID, "duplicate track id") }
            let trackName = fields["name"].flatMap { text($0, "name") } ?? trackID
            guard let subtracksNode = fields["subtracks"] else { continue }
            guard case let .sequence(subtrackNodes) = subtracksNode, !subtrackNodes.isEmpty else {
                error(subtracksNode, "subtracks", "expected a non-empty list of subtracks")
                continue
            }
            var subtracks: [Subtrack] = []
            var subtrackIDs: Set<ExactText> = []
            for subtrackNode in subtrackNodes {
                guard
                    let subtrackFields = mapping(
                        subtrackNode, "a subtrack", allowed: Self.subtrackKeys, required: ["id", "products"])
                else { continue }
                guard let subtrackID = text(subtrackFields["id"], "id") else { continue }
                if subtrackID.contains("/") { error(subtrackFields["id"], "id", value: subtrackID, "a subtrack id must not contain '/'") }
                if !subtrackIDs.insert(ExactText(subtrackID)).inserted {
                    error(subtrackFields["id"], "id", value: subtrackID, "duplicate subtrack id in track \(trackID)")
                }
                let subtrackName = subtrackFields["name"].flatMap { text($0, "name") } ?? subtrackID
                let entries = productEntries(subtrackFields["products"], "products")
                let requiresAll = list(subtrackFields["requires_all"], "requires_all")?.map(\.0) ?? []
                let requiresAny = list(subtrackFields["requires_any"], "requires_any")?.map(\.0) ?? []
                let minimum = minimumVolume(subtrackFields["minimum_volume"], "minimum_volume")
                let rules = subtrackRate(subtrackFields, subtrackNode, maximum: maximum)
                if let entries, let minimum, let rules {
                    subtracks.append(
                        Subtrack(
                            id: subtrackID, name: subtrackName, rate: rules.rate, productEntries: entries, requiresAll: requiresAll,
                            requiresAny: requiresAny, minimumVolume: minimum, rebateBase: rules.base, attachBonus: rules.attach,
                            baseline: rules.baseline, cap: rules.cap))
                }
            }
            tracks.append(Track(id: trackID, name: trackName, subtracks: subtracks))
        }
        guard let csat else { return nil }
        if top["full_credit_enrollment_until"] != nil && fullCredit == nil { return nil }
        return VIPRules(eligibleTiers: tiers, csatRequired: csat, knowledgeDeadline: deadline, tracks: tracks, fullCreditEnrollmentUntil: fullCredit)
    }

    mutating func mdfRules(_ top: [String: Node], maximum: ScaledDecimal) -> MDFRules? {
        var rules: [IntendedUseRule] = []
        if let rulesNode = top["intended_use_rules"] {
            if case let .sequence(ruleNodes) = rulesNode, !ruleNodes.isEmpty {
                var froms: Set<Int32> = []
                var hasOpenStart = false
                for ruleNode in ruleNodes {
                    guard let fields = mapping(ruleNode, "an intended-use rule", allowed: ["from", "counts"], required: ["counts"]) else { continue }
                    let from = fields["from"] == nil ? nil : day(fields["from"], "from")
                    if fields["from"] != nil && from == nil { continue }
                    if let from {
                        if !froms.insert(from.daysSinceEpoch).inserted {
                            error(fields["from"], "from", value: from.description, "two rules start on the same date")
                        }
                    } else {
                        if hasOpenStart { error(ruleNode, "from", "only one rule may omit from") }
                        hasOpenStart = true
                    }
                    guard let countsNode = fields["counts"] else { continue }
                    if let word = countsNode.scalar?.string {
                        if word.trimmingSpaces().lowercased() == "any" {
                            rules.append(IntendedUseRule(from: from, counts: nil))
                        } else {
                            error(countsNode, "counts", value: word, "expected any or a list of intended uses, like [managed_services]")
                        }
                    } else if let values = list(countsNode, "counts") {
                        rules.append(IntendedUseRule(from: from, counts: Set(values.map { FieldParsing.normalizeIntendedUse($0.0) })))
                    }
                }
            } else {
                error(rulesNode, "intended_use_rules", "expected a non-empty list of rules")
            }
        } else {
            error(root, "intended_use_rules", "missing required key in an mdf program")
        }
        var tiers: [Tier: MDFTier] = [:]
        if let tiersNode = top["tiers"] {
            if case let .mapping(tierMapping) = tiersNode, !tierMapping.isEmpty {
                for (tierKey, tierNode) in tierMapping {
                    guard let tierName = tierKey.scalar?.string, let tier = tier(tierKey, "tiers", tierName) else { continue }
                    if tiers[tier] != nil {
                        error(tierKey, "tiers", value: tierName, "tier given twice")
                        continue
                    }
                    guard
                        let fields = mapping(
                            tierNode, "tier \(tierName)", allowed: ["accrual_percent", "minimum_volume", "requires_strategic_service"],
                            required: ["accrual_percent"])
                    else { continue }
                    let percent = percent(fields["accrual_percent"], "accrual_percent", maximum: maximum)
                    let minimum = minimumVolume(fields["minimum_volume"], "minimum_volume")
                    let strategic =
                        fields["requires_strategic_service"] == nil ? false : bool(fields["requires_strategic_service"], "requires_strategic_service")
                    if let percent, let minimum, let strategic {
                        tiers[tier] = MDFTier(tier: tier, accrualPercent: percent, minimumVolume: minimum, requiresStrategicService: strategic)
                    }
                }
            } else {
                error(tiersNode, "tiers", "expected a map of tiers, like {gold: {accrual_percent: 2}}")
            }
        } else {
            error(root, "tiers", "missing required key in an mdf program")
        }
        var validMonths = MDFRules.defaultFundsValidMonths
        if let node = top["funds_valid_months"], let months = integer(node, "funds_valid_months") {
            if (1...120).contains(months) {
                validMonths = months
            } else {
                error(node, "funds_valid_months", value: String(months), "expected a number of months from 1 to 120")
            }
        }
        var claimDays = MDFRules.defaultClaimWithinDays
        if let node = top["claim_within_days"], let days = integer(node, "claim_within_days") {
            if days <= 3660 {
                claimDays = days
            } else {
                error(node, "claim_within_days", value: String(days), "expected a number of days from 0 to 3660")
            }
        }
        return MDFRules(intendedUseRules: rules, tiers: tiers, fundsValidMonths: validMonths, claimWithinDays: claimDays)
    }
}
