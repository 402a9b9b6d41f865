import Foundation
import IncentiveSynthetic
import Testing

@testable import IncentiveEngine

/// The faster loading, evaluation and output must give exactly what the previous implementation gave.
/// The previous implementation is kept below (from a09d116, renamed) and both run on generated datasets
/// that are shuffled and damaged at random: the same problems in the same order, the same dataset, the
/// same results, CSV and JSON byte for byte.
@Suite struct FixedCostTests {
    // MARK: - Texts of numbers and dates

    @Test func moneyAndDayTextsAreThePreviousOnes() {
        var generator = SplitMix(seed: 7)
        var amounts: [Int64] = [0, 1, -1, 5, -5, 9, 10, 99, -99, 100, -100, 101, 999, 1_000, 99_999, 100_000, 123_456_789, -123_456_789]
        amounts += [1_000_000_000_000_000, -1_000_000_000_000_000, Int64.max, Int64.min, Int64.max - 1, Int64.min + 1]
        for _ in 0..<20_000 {
            let magnitude = Int64(truncatingIfNeeded: generator.next() >> (generator.next() % 64))
            amounts.append(magnitude)
        }
        for cents in amounts {
            let money = Money(cents: cents)
            #expect(money.plainText == Previous.plainText(money), "\(cents)")
            #expect(money.groupedText == Previous.groupedText(money), "\(cents)")
        }
        var days: [Int32] = [0, 1, -1, -719_162, -719_163, -719_528, 2_932_896, 2_932_897, Int32.max / 2, Int32.min / 2, 16_000, -400_000]
        for _ in 0..<20_000 { days.append(Int32(truncatingIfNeeded: Int64(generator.next() % 6_000_000) - 3_000_000)) }
        for value in days {
            let day = Day(daysSinceEpoch: value)
            #expect(day.description == Previous.description(day), "\(value)")
        }
        for (found, required) in [(0, 10), (9, 10), (-3, 5), (123, 1_000_000), (Int.max, Int.min)] {
            #expect(TextBytes.csatReason(found: found, required: required) == "csat:\(found)/\(required)")
        }
    }

    // MARK: - Duplicate keys

    @Test func firstLinesFindsEveryRepeatInAnyOrder() {
        var generator = SplitMix(seed: 11)
        for round in 0..<200 {
            var table = FirstLines()
            var model: [[UInt8]: Int] = [:]
            // Runs in increasing order first (no hash table yet), then anything.
            let ascendingFor = Int(generator.next() % 300)
            var counter = 0
            for line in 0..<Int(400 + generator.next() % 400) {
                var key: [UInt8]
                if line < ascendingFor {
                    counter += 1 + Int(generator.next() % 3)
                    key = Array(String(format: "K%06d", counter).utf8)
                    if generator.next() % 50 == 0, let last = model.keys.max(by: { $0.lexicographicallyPrecedes($1) }) { key = last }
                } else {
                    switch generator.next() % 4 {
                    case 0: key = Array(String(format: "K%06d", Int(generator.next() % 900)).utf8)
                    case 1:  // short, empty, prefixes of each other
                        key = (0..<Int(generator.next() % 4)).map { _ in UInt8(truncatingIfNeeded: generator.next() % 3) }
                    case 2: key = (0..<Int(generator.next() % 24)).map { _ in UInt8(truncatingIfNeeded: 0x41 + generator.next() % 2) }
                    default: key = model.keys.randomElement(using: &generator) ?? []
                    }
                }
                let expected = model[key]
                let found = key.withUnsafeBufferPointer { table.firstLine(of: $0, otherwise: line) }
                #expect(found == expected, "round \(round), line \(line), key \(key)")
                if expected == nil { model[key] = line }
            }
        }
    }

    // MARK: - Loading

    @Test(arguments: 0..<12)
    func loadingDamagedDataGivesThePreviousReportAndDataset(seed: UInt64) throws {
        let folder = try Self.generated(seed: seed, partners: 150 + Int(seed) * 40)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = SplitMix(seed: seed &+ 1000)
        try Self.damage(folder + "/data", &generator)
        var programCollector = DiagnosticCollector()
        let programs: [Program]
        do {
            programs = try ProgramLoader.load(directory: folder + "/programs")
        } catch {
            programCollector.merge(error.collector)
            programs = []
        }
        for programs in [programs, []] {
            for limit in [DiagnosticCollector.defaultLimitPerFile, 3] {
                var new = DiagnosticCollector(limitPerFile: limit)
                var old = DiagnosticCollector(limitPerFile: limit)
                let dataset = DatasetLoader.loadTables(directory: folder + "/data", programs: programs, collector: &new)
                let expected = PreviousLoader.loadTables(directory: folder + "/data", programs: programs, collector: &old)
                #expect(new.diagnostics.map(\.description) == old.diagnostics.map(\.description))
                #expect(new.omitted == old.omitted)
                #expect(new.errorCount == old.errorCount)
                #expect(new.errorCount > 0, "the damage should be found")
                Self.expectSame(dataset, expected)
            }
        }
    }

    @Test func publicReadersGiveThePreviousRows() throws {
        let folder = try Self.generated(seed: 3, partners: 300)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = SplitMix(seed: 33)
        try Self.damage(folder + "/data", &generator)
        let data = folder + "/data/"
        let programs = try ProgramLoader.load(directory: folder + "/programs")
        var new = DiagnosticCollector(), old = DiagnosticCollector()
        var newDataset = Dataset(), oldDataset = Dataset()
        #expect(
            DatasetLoader.readPartners(path: data + "partners.csv", displayName: "p", into: &newDataset, collector: &new)
                == PreviousLoader.readPartners(path: data + "partners.csv", displayName: "p", into: &oldDataset, collector: &old))
        // A second file into a dataset that already has partners (as a workspace import does).
        #expect(
            DatasetLoader.readPartners(path: data + "partners.csv", into: &newDataset, collector: &new)
                == PreviousLoader.readPartners(path: data + "partners.csv", into: &oldDataset, collector: &old))
        Self.expectSame(newDataset, oldDataset)
        let dataset = oldDataset
        #expect(
            DatasetLoader.readCredentials(path: data + "credentials.csv", dataset: dataset, collector: &new)
                == PreviousLoader.readCredentials(path: data + "credentials.csv", dataset: dataset, collector: &old))
        #expect(
            DatasetLoader.readCSAT(path: data + "csat.csv", dataset: dataset, collector: &new)
                == PreviousLoader.readCSAT(path: data + "csat.csv", dataset: dataset, collector: &old))
        #expect(
            DatasetLoader.readServices(path: data + "services.csv", dataset: dataset, collector: &new)
                == PreviousLoader.readServices(path: data + "services.csv", dataset: dataset, collector: &old))
        #expect(
            DatasetLoader.readEnrollments(path: data + "enrollments.csv", dataset: dataset, programs: programs, collector: &new)
                == PreviousLoader.readEnrollments(path: data + "enrollments.csv", dataset: dataset, programs: programs, collector: &old))
        #expect(new.diagnostics.map(\.description) == old.diagnostics.map(\.description))
        #expect(new.omitted == old.omitted)
    }

    // MARK: - Computing and output

    @Test(arguments: 0..<8)
    func resultsOfShuffledDataAreThePreviousOnes(seed: UInt64) throws {
        let folder = try Self.generated(seed: seed, partners: 300 + Int(seed) * 100, lines: 3_000)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        var generator = SplitMix(seed: seed &+ 77)
        try Self.reorder(folder + "/data", &generator)
        let input = try Engine.load(dataDirectory: folder + "/data", programsDirectory: folder + "/programs")
        let new = Engine.compute(input)
        let old = PreviousEngine.compute(input)
        #expect(new.programs.count == old.programs.count)
        for (a, b) in zip(new.programs, old.programs) {
            #expect(a.program == b.program)
            #expect(a.partners == b.partners)  // checks compare by their worded explanation
        }
        #expect(ResultsCSV.render(new.rows) == Previous.render(old.rows))
        #expect(ResultsJSON.render(new) == ResultsJSON.render(old))
        #expect(SummaryTable.render(new) == SummaryTable.render(old))
        for partner in input.dataset.partners.prefix(40) {
            #expect(
                Explanation.render(partnerID: partner.id, input: input, result: new)
                    == Explanation.render(partnerID: partner.id, input: input, result: old))
        }
    }

    @Test func csvOfAwkwardTextsIsThePreviousOne() {
        let texts = ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", "\"\u{301}quoted accent", "é", "", "x;y", "🙂,🙂"]
        var rows: [ResultRow] = []
        for (index, text) in texts.enumerated() {
            let failed = Check(code: .volume, passed: false, reason: texts[(index + 3) % texts.count], explanation: "")
            let passed = Check(code: .tier, passed: true, reason: "ignored", explanation: "")
            let noReason = Check(code: .csat, passed: false, reason: nil, explanation: "")
            rows.append(
                ResultRow(
                    program: text, kind: index % 2 == 0 ? .vip : .mdf, partnerID: texts[(index + 1) % texts.count],
                    item: texts[(index + 2) % texts.count], qualifyingVolume: Money(cents: Int64(index) * -12_345),
                    threshold: Money(cents: 5_750_000), eligible: index % 3 == 0, amount: Money(cents: Int64.max),
                    missedAmount: Money(cents: Int64.min), checks: [passed, failed, noReason, failed]))
        }
        rows.append(
            ResultRow(
                program: String(repeating: "long", count: 400), kind: .vip, partnerID: "P", item: "i", qualifyingVolume: .zero, threshold: .zero,
                eligible: false, amount: .zero, missedAmount: .zero,
                checks: [Check(code: .volume, passed: false, reason: String(repeating: "r", count: 2_000), explanation: "")]))
        #expect(ResultsCSV.render(rows) == Previous.render(rows))
        for row in rows { #expect(ResultsCSV.line(row) == Previous.line(row)) }
        // Enough rows for several blocks, in order.
        let many = (0..<40_000).map { index in
            ResultRow(
                program: "P", kind: .vip, partnerID: "ID\(index)", item: index % 7 == 0 ? "a,\(index)" : "t/s",
                qualifyingVolume: Money(cents: Int64(index)),
                threshold: .zero, eligible: true, amount: .zero, missedAmount: .zero, checks: [])
        }
        #expect(ResultsCSV.render(many) == Previous.render(many))
    }

    @Test func checksWordedLaterEqualChecksWordedAtOnce() {
        let period = DayRange(start: Day(year: 2015, month: 1, day: 25)!, end: Day(year: 2015, month: 7, day: 25)!)
        let lazy = Check(code: .csat, passed: false, reason: "csat:3/10", detail: .csat(found: 3, required: 10, period: period))
        let worded = Check(code: .csat, passed: false, reason: "csat:3/10", explanation: lazy.explanation)
        #expect(lazy.explanation == "only 3 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 7 more needed")
        #expect(lazy == worded)
        #expect(Set([lazy, worded]).count == 1)
        var changed = lazy
        changed.explanation = "other"
        #expect(changed.explanation == "other" && changed != lazy)
    }

    // MARK: - Datasets

    /// A generated dataset in a fresh folder (with `data` and `programs`).
    static func generated(seed: UInt64, partners: Int, lines: Int = 1_000) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fixed-cost-\(UUID().uuidString)").path
        try DatasetGenerator(partners: partners, lines: lines, seed: seed + 1).write(to: folder)
        return folder
    }

    static func lines(_ path: String) throws -> (header: [UInt8], rows: [[UInt8]]) {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var rows = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).map(Array.init)
        if rows.last?.isEmpty == true { rows.removeLast() }
        return (rows.removeFirst(), rows)
    }

    static func write(_ path: String, _ header: [UInt8], _ rows: [[UInt8]]) throws {
        try Data(([header] + rows).joined(separator: [0x0A]) + [0x0A]).write(to: URL(fileURLWithPath: path))
    }

    /// Shuffles rows of every per-partner table, so keys and partners no longer come in file order, and
    /// renames a few partners everywhere (an accent, a comma, a quote: ids that need care in CSV output).
    static func reorder(_ data: String, _ generator: inout SplitMix) throws {
        for name in ["partners.csv", "credentials.csv", "csat.csv", "services.csv", "enrollments.csv"] {
            var (header, rows) = try lines(data + "/" + name)
            if name == "partners.csv" || generator.next() % 4 != 0 { rows.shuffle(using: &generator) }
            try write(data + "/" + name, header, rows)
        }
        let renames = [("P000002", "P\u{e9}002"), ("P000003", "\"P,0003\""), ("P000004", "\"P\"\"0004\""), ("P000005", "e\u{301}5")]
        for name in ["partners.csv", "credentials.csv", "csat.csv", "services.csv", "enrollments.csv", "bookings.csv"] {
            var text = try String(contentsOfFile: data + "/" + name, encoding: .utf8)
            for (old, new) in renames { text = text.replacingOccurrences(of: old + ",", with: new + ",") }
            try text.write(toFile: data + "/" + name, atomically: true, encoding: .utf8)
        }
    }

    /// Shuffles, repeats and breaks rows of the tables: bad values, unknown and non-ASCII ids, invalid
    /// UTF-8, wrong field counts, blank lines, quoted fields; enough in one file to pass the report limit.
    static func damage(_ data: String, _ generator: inout SplitMix) throws {
        let values: [[UInt8]] = [
            [], Array("2015-02-30".utf8), Array("x".utf8), Array("GOLD".utf8), Array("Select".utf8), Array("nl".utf8), Array("zz".utf8),
            Array("P999999".utf8), Array("P\u{e9}1".utf8), [0x50, 0xFF, 0x31], [0xC3, 0x28], Array("YES".utf8), Array("maybe".utf8),
            Array("0".utf8), Array("\"a,b\"".utf8), Array("\"say \"\"hi\"\"\"".utf8), Array(" P000001 ".utf8), Array("GEN-MDF".utf8),
            Array("GEN-VIP-6M".utf8), Array("nope/none".utf8), Array("security/core".utf8), Array("2099-01-01".utf8), Array("1900-01-01".utf8),
            Array("K\u{212A}".utf8), Array("gOlD".utf8), Array("-1".utf8),
        ]
        for name in ["partners.csv", "credentials.csv", "csat.csv", "services.csv", "enrollments.csv"] {
            var (header, rows) = try lines(data + "/" + name)
            if generator.next() % 3 == 0 { rows.shuffle(using: &generator) }
            let repeats = Int(generator.next() % 12)
            for _ in 0..<repeats where !rows.isEmpty {
                rows.insert(rows.randomElement(using: &generator)!, at: Int(generator.next() % UInt64(rows.count)))
            }
            let breaks = name == "partners.csv" ? Int(generator.next() % 8) : Int(generator.next() % 160)
            for _ in 0..<breaks where !rows.isEmpty {
                let row = Int(generator.next() % UInt64(rows.count))
                var fields = rows[row].split(separator: 0x2C, omittingEmptySubsequences: false).map(Array.init)
                switch generator.next() % 12 {
                case 0: fields.append(Array("extra".utf8))
                case 1: fields.removeLast()
                case 2: fields = [[]]  // a blank line
                default: fields[Int(generator.next() % UInt64(fields.count))] = values.randomElement(using: &generator)!
                }
                rows[row] = Array(fields.joined(separator: [0x2C]))
            }
            if name == "partners.csv" && generator.next() % 4 == 0 { header = Array("partner_id,name,country,tier".utf8) }
            try write(data + "/" + name, header, rows)
        }
    }

    static func expectSame(_ a: Dataset, _ b: Dataset) {
        #expect(a.partners == b.partners)
        #expect(a.partnerIDs.count == b.partnerIDs.count)
        for (index, partner) in a.partners.enumerated() { #expect(a.partnerIndex(partner.id) == index) }
        #expect(a.rejectedPartnerIDs == b.rejectedPartnerIDs)
        #expect(a.partnersIncomplete == b.partnersIncomplete)
        #expect(a.credentials == b.credentials)
        #expect(a.csatDates == b.csatDates)
        #expect(a.services == b.services)
        #expect(a.enrollments == b.enrollments)
        #expect(a.products?.count == b.products?.count)
        #expect(a.fxRates == b.fxRates)
    }
}

/// A small deterministic random generator (SplitMix64).
struct SplitMix: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: - The previous implementation (a09d116), kept as the reference

/// The previous texts of money and dates and the previous results CSV.
enum Previous {
    static func plainText(_ money: Money) -> String {
        let negative = money.cents < 0
        let magnitude = money.cents.magnitude
        let units = magnitude / 100
        let fraction = magnitude % 100
        return (negative ? "-" : "") + String(units) + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    static func groupedText(_ money: Money) -> String {
        let negative = money.cents < 0
        let magnitude = money.cents.magnitude
        let units = String(magnitude / 100)
        let fraction = magnitude % 100
        var grouped = ""
        for (index, character) in units.enumerated() {
            if index > 0 && (units.count - index) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return (negative ? "-" : "") + grouped + "." + (fraction < 10 ? "0" : "") + String(fraction)
    }

    static func description(_ day: Day) -> String {
        let (year, month, dayOfMonth) = day.components
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(year)
        return String(repeating: "0", count: max(0, 4 - yearText.count)) + yearText + "-" + two(month) + "-" + two(dayOfMonth)
    }

    static func render(_ rows: [ResultRow]) -> String {
        var text = ResultsCSV.header + "\n"
        for row in rows {
            text += line(row)
            text += "\n"
        }
        return text
    }

    static func line(_ row: ResultRow) -> String {
        [
            field(row.program), row.kind.rawValue, field(row.partnerID), field(row.item), plainText(row.qualifyingVolume),
            plainText(row.threshold), row.eligible ? "true" : "false", plainText(row.amount), plainText(row.missedAmount),
            field(row.reasons.joined(separator: ";")),
        ].joined(separator: ",")
    }

    static func field(_ value: String) -> String {
        guard value.utf8.contains(where: { $0 == 0x2C || $0 == 0x22 || $0 == 0x0A || $0 == 0x0D }) else { return value }
        return "\"" + value.split(separator: Character("\""), omittingEmptySubsequences: false).joined(separator: "\"\"") + "\""
    }
}

enum PreviousLoader {
    /// Loads the small tables of `directory` into a `Dataset`, checking them against `programs`.
    /// Problems go to `collector`; the dataset holds the rows that were valid.
    static func loadTables(directory: String, programs: [Program], collector: inout DiagnosticCollector) -> Dataset {
        var dataset = Dataset()
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            collector.error(file: directory, line: nil, "data folder not found")
            return dataset
        }
        for required in ["partners.csv", "bookings.csv"] where !exists(required) {
            collector.error(file: path(required), line: nil, "required file is missing")
        }
        if exists("partners.csv") {
            _ = readPartners(path: path("partners.csv"), into: &dataset, collector: &collector)
        } else {
            dataset.partnersIncomplete = true
        }
        if exists("credentials.csv") {
            for row in readCredentials(path: path("credentials.csv"), dataset: dataset, collector: &collector) { dataset.add(row) }
        }
        if exists("csat.csv") {
            for row in readCSAT(path: path("csat.csv"), dataset: dataset, collector: &collector) { dataset.add(row) }
        }
        if exists("services.csv") {
            for row in readServices(path: path("services.csv"), dataset: dataset, collector: &collector) { dataset.add(row) }
        }
        if exists("enrollments.csv") {
            dataset.enrollments = readEnrollments(path: path("enrollments.csv"), dataset: dataset, programs: programs, collector: &collector)
        }
        if exists("products.csv") {
            if let products = readProducts(path: path("products.csv"), collector: &collector) {
                dataset.products = ByteInterner()
                for product in products { dataset.add(product) }
            }
        }
        if exists("fx.csv") {
            for rate in readFX(path: path("fx.csv"), collector: &collector) { dataset.add(rate) }
        }
        dataset.finish()
        return dataset
    }

    /// Reads `partners.csv`, adding every valid partner to `dataset` (replacing one with the same id)
    /// and noting rejected ids and unreadable rows there. Returns the valid rows in file order.
    static func readPartners(path: String, displayName: String? = nil, into dataset: inout Dataset, collector: inout DiagnosticCollector)
        -> [Partner]
    {
        var rows: [Partner] = []
        var firstLine: [ExactText: Int] = [:]  // every id of the file, valid row or not
        guard
            let table = PreviousTable(
                path: path, displayName: displayName, required: ["partner_id", "name", "country", "tier"], optional: ["provider"],
                collector: &collector)
        else {
            dataset.partnersIncomplete = true
            return rows
        }
        defer { if table.unreadableRows > 0 { dataset.partnersIncomplete = true } }
        while table.next(&collector) {
            guard let id = table.identifier("partner_id", &collector) else { continue }
            if let first = firstLine[ExactText(id)] {
                table.error("partner_id", value: id, "duplicate partner id (first on line \(first))", &collector)
                continue
            }
            firstLine[ExactText(id)] = table.line
            let name = table.text("name")
            let country = table.country(&collector)
            let tier = table.tier("tier", &collector)
            let provider = table.optionalBool("provider", &collector)
            guard let country, let tier, let provider else {
                if dataset.partnerIndex(id) == nil { dataset.rejectedPartnerIDs.insert(ExactText(id)) }
                continue
            }
            let partner = Partner(id: id, name: name, country: country, tier: tier, provider: provider ?? false, line: table.line)
            dataset.add(partner)
            rows.append(partner)
        }
        return rows
    }

    /// The partner index of the row's `partner_id`, reporting unknown ids (but not ids whose own row was broken).
    static func partner(_ table: PreviousTable, _ dataset: Dataset, _ collector: inout DiagnosticCollector) -> Int? {
        guard let id = table.identifier("partner_id", &collector) else { return nil }
        if let index = dataset.partnerIndex(id) { return index }
        if dataset.reportsUnknownPartner(id) {
            table.error("partner_id", value: id, "unknown partner (not in \(dataset.partnersSource))", &collector)
        }
        return nil
    }

    /// Reads `credentials.csv`; partner ids are checked against `dataset`.
    static func readCredentials(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector)
        -> [Credential]
    {
        var rows: [Credential] = []
        guard
            let table = PreviousTable(
                path: path, displayName: displayName, required: ["partner_id", "credential", "achieved_on"], optional: ["expires_on"],
                collector: &collector)
        else { return rows }
        var seen: [ExactText: Int] = [:]
        while table.next(&collector) {
            let index = partner(table, dataset, &collector)
            let credential = table.identifier("credential", &collector)
            let achieved = table.day("achieved_on", &collector)
            let expires = table.optionalDay("expires_on", &collector)
            guard let index, let credential, let achieved, let expires else { continue }
            if let end = expires, end < achieved {
                table.error("expires_on", value: end.description, "expires before it was achieved (\(achieved))", &collector)
                continue
            }
            let key = ExactText("\(index)\u{0}\(credential)\u{0}\(achieved)")
            if let first = seen[key] {
                table.error(
                    "credential", value: credential,
                    "partner \(dataset.partners[index].id) already has this credential achieved on \(achieved) (line \(first))", &collector)
                continue
            }
            seen[key] = table.line
            rows.append(Credential(partnerID: dataset.partners[index].id, credential: credential, achievedOn: achieved, expiresOn: expires))
        }
        return rows
    }

    /// Reads `csat.csv`; survey ids must be unique in the file.
    static func readCSAT(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector) -> [CSATReport] {
        var rows: [CSATReport] = []
        guard
            let table = PreviousTable(
                path: path, displayName: displayName, required: ["partner_id", "survey_id", "submitted_on"], optional: [], collector: &collector)
        else { return rows }
        var surveys: [ExactText: Int] = [:]
        while table.next(&collector) {
            let index = partner(table, dataset, &collector)
            let survey = table.identifier("survey_id", &collector)
            let submitted = table.day("submitted_on", &collector)
            if let survey {
                if let first = surveys[ExactText(survey)] {
                    table.error("survey_id", value: survey, "duplicate survey id (first on line \(first))", &collector)
                    continue
                }
                surveys[ExactText(survey)] = table.line
            }
            guard let index, let survey, let submitted else { continue }
            rows.append(CSATReport(partnerID: dataset.partners[index].id, surveyID: survey, submittedOn: submitted))
        }
        return rows
    }

    /// Reads `services.csv`.
    static func readServices(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector)
        -> [PoweredService]
    {
        var rows: [PoweredService] = []
        guard
            let table = PreviousTable(
                path: path, displayName: displayName, required: ["partner_id", "service", "strategic", "active_from"], optional: ["active_until"],
                collector: &collector)
        else { return rows }
        var seen: [ExactText: Int] = [:]
        while table.next(&collector) {
            let index = partner(table, dataset, &collector)
            let service = table.identifier("service", &collector)
            let strategic = table.bool("strategic", &collector)
            let from = table.day("active_from", &collector)
            let until = table.optionalDay("active_until", &collector)
            guard let index, let service, let strategic, let from, let until else { continue }
            if let end = until, end < from {
                table.error("active_until", value: end.description, "ends before it starts (\(from))", &collector)
                continue
            }
            let key = ExactText("\(index)\u{0}\(service)\u{0}\(from)")
            if let first = seen[key] {
                table.error(
                    "service", value: service,
                    "partner \(dataset.partners[index].id) already has this service active from \(from) (line \(first))", &collector)
                continue
            }
            seen[key] = table.line
            rows.append(
                PoweredService(partnerID: dataset.partners[index].id, service: service, strategic: strategic, activeFrom: from, activeUntil: until))
        }
        return rows
    }

    /// Reads `enrollments.csv`, checking each enrolment against `programs`.
    static func readEnrollments(
        path: String, displayName: String? = nil, dataset: Dataset, programs: [Program], collector: inout DiagnosticCollector
    ) -> [Enrollment] {
        var rows: [Enrollment] = []
        guard
            let table = PreviousTable(
                path: path, displayName: displayName, required: ["partner_id", "program", "subtrack", "enrolled_on"], optional: [],
                collector: &collector)
        else { return rows }
        let programsByID = Dictionary(programs.map { (ExactText($0.id), $0) }, uniquingKeysWith: { first, _ in first })
        var seen: [ExactText: Int] = [:]
        while table.next(&collector) {
            let index = partner(table, dataset, &collector)
            let programID = table.identifier("program", &collector)
            let subtrack = table.identifier("subtrack", &collector)
            let enrolled = table.day("enrolled_on", &collector)
            guard let programID, let subtrack, let enrolled else { continue }
            var valid = true
            if let program = programsByID[ExactText(programID)] {
                if let problem = enrollmentProblem(program: program, subtrack: subtrack, on: enrolled) {
                    table.error(problem.column, value: problem.value, problem.message, &collector)
                    valid = false
                }
            } else if !programs.isEmpty || !collector.hasErrors {
                let known = programs.map(\.id).sorted().joined(separator: ", ")
                table.error("program", value: programID, "unknown program (loaded: \(known.isEmpty ? "none" : known))", &collector)
                valid = false
            }
            guard let index, valid else { continue }
            let key = ExactText("\(index)\u{0}\(programID)\u{0}\(subtrack)")
            if let first = seen[key] {
                table.error(
                    "subtrack", value: subtrack, "partner \(dataset.partners[index].id) is already enrolled in it (line \(first))", &collector)
                continue
            }
            seen[key] = table.line
            rows.append(
                Enrollment(partnerID: dataset.partners[index].id, program: programID, subtrack: subtrack, enrolledOn: enrolled, line: table.line))
        }
        return rows
    }

    /// Why an enrolment in `subtrack` of `program` on `day` is not possible, if it is not.
    static func enrollmentProblem(program: Program, subtrack: String, on day: Day) -> (column: String, value: String, message: String)? {
        switch program.rules {
        case .vip(let rules):
            if !rules.subtrackPaths.contains(where: { $0.path.isExactly(subtrack) }) {
                let known = rules.subtrackPaths.map(\.path).joined(separator: ", ")
                return ("subtrack", subtrack, "program \(program.id) has no such subtrack (it has: \(known))")
            }
        case .mdf:
            return (
                "program", program.id,
                "is an MDF program; enrolment is for VIP subtracks (MDF takes part by provider flag and tier)"
            )
        }
        if day > program.period.end {
            return ("enrolled_on", day.description, "after the end of \(program.id) (\(program.period.end))")
        }
        return nil
    }

    /// Reads `products.csv`; SKUs must be unique in the file. `nil` when the file cannot be read at all
    /// (then no SKU is reported as missing from it).
    static func readProducts(path: String, displayName: String? = nil, collector: inout DiagnosticCollector) -> [Product]? {
        var rows: [Product] = []
        guard
            let table = PreviousTable(
                path: path, displayName: displayName, required: ["sku"], optional: ["description", "family"], collector: &collector)
        else { return nil }
        var seen: [ExactText: Int] = [:]
        while table.next(&collector) {
            guard let sku = table.identifier("sku", &collector) else { continue }
            if let first = seen[ExactText(sku)] {
                table.error("sku", value: sku, "duplicate SKU (first on line \(first))", &collector)
                continue
            }
            seen[ExactText(sku)] = table.line
            let description = table.text("description"), family = table.text("family")
            rows.append(Product(sku: sku, description: description.isEmpty ? nil : description, family: family.isEmpty ? nil : family))
        }
        return rows
    }

    /// Reads `fx.csv`; one rate per currency and date.
    static func readFX(path: String, displayName: String? = nil, collector: inout DiagnosticCollector) -> [FXRate] {
        var rows: [FXRate] = []
        guard
            let table = PreviousTable(
                path: path, displayName: displayName, required: ["currency", "valid_from", "rate"], optional: [], collector: &collector)
        else { return rows }
        var seen: [String: Int] = [:]
        while table.next(&collector) {
            let currency = table.currency("currency", &collector)
            let from = table.day("valid_from", &collector)
            let rate = table.decimal("rate", scale: 6, what: "an exchange rate", allowNegative: false, &collector)
            guard let currency, let from, let rate else { continue }
            if rate == 0 {
                table.error("rate", value: table.text("rate"), "an exchange rate must be above 0", &collector)
                continue
            }
            let key = "\(currency) \(from)"
            if let first = seen[key] {
                table.error(
                    "valid_from", value: from.description, "a \(currency) rate from this date is already given (line \(first))", &collector)
                continue
            }
            seen[key] = table.line
            rows.append(FXRate(currency: currency, validFrom: from, rate: ScaledDecimal(units: rate, scale: 6)))
        }
        return rows
    }
}

/// The `Table` of the previous loader.
final class PreviousTable {
    let reader: CSVReader
    var file: String { reader.file }
    private var columns: [String: Int] = [:]
    private var expectedFields = 0
    /// Records that could not be read at all (syntax, field count): their values are unknown.
    private(set) var unreadableRows = 0

    init?(path: String, displayName: String? = nil, required: [String], optional: [String], collector: inout DiagnosticCollector) {
        do {
            reader = try CSVReader(path: path, displayName: displayName)
        } catch {
            collector.merge(error.collector)
            return nil
        }
        expectedFields = reader.header.count
        var missing = false
        for name in required {
            guard let index = reader.column(name) else {
                collector.error(
                    file: reader.file, line: 1, column: name, "missing required column (the header has: \(reader.header.joined(separator: ", ")))")
                missing = true
                continue
            }
            columns[name] = index
        }
        for name in optional { columns[name] = reader.column(name) }
        if missing { return nil }
    }

    var line: Int { reader.recordLine }

    /// Advances to the next well-formed record; malformed ones are reported and skipped.
    func next(_ collector: inout DiagnosticCollector) -> Bool {
        while true {
            do {
                guard try reader.next() else { return false }
            } catch {
                collector.merge(error.collector)
                unreadableRows += 1
                return false
            }
            if let problem = reader.recordProblem {
                // Issue 11 changed this on purpose: text that is not UTF-8 is a problem of the record (the
                // shared reader finds it), named with its column, where it used to be repaired.
                collector.error(file: file, line: line, column: reader.recordProblemColumn, problem)
                unreadableRows += 1
                continue
            }
            if reader.fieldCount != expectedFields {
                collector.error(file: file, line: line, "expected \(expectedFields) fields like the header, found \(reader.fieldCount)")
                unreadableRows += 1
                continue
            }
            return true
        }
    }

    func error(_ column: String, value: String, _ message: String, _ collector: inout DiagnosticCollector) {
        collector.error(file: file, line: line, column: column, value: value, message)
    }

    func text(_ column: String) -> String {
        guard let index = columns[column] ?? nil else { return "" }
        return reader.string(index)
    }

    /// A required, non-empty value.
    func identifier(_ column: String, _ collector: inout DiagnosticCollector) -> String? {
        let value = text(column)
        if value.isEmpty {
            collector.error(file: file, line: line, column: column, "required value is empty")
            return nil
        }
        return value
    }

    func day(_ column: String, _ collector: inout DiagnosticCollector) -> Day? {
        let value = text(column)
        if value.isEmpty {
            collector.error(file: file, line: line, column: column, "required date is empty")
            return nil
        }
        guard let day = Day(iso: value) else {
            error(column, value: value, "expected a real calendar date YYYY-MM-DD", &collector)
            return nil
        }
        return day
    }

    /// `.some(nil)` when empty or absent; `nil` when malformed.
    func optionalDay(_ column: String, _ collector: inout DiagnosticCollector) -> Day?? {
        let value = text(column)
        if value.isEmpty { return .some(nil) }
        guard let day = Day(iso: value) else {
            error(column, value: value, "expected a real calendar date YYYY-MM-DD", &collector)
            return nil
        }
        return .some(day)
    }

    func bool(_ column: String, _ collector: inout DiagnosticCollector) -> Bool? {
        let value = text(column)
        var bytes = Array(value.utf8)
        guard let flag = bytes.withUnsafeMutableBufferPointer({ FieldParsing.boolean(UnsafeBufferPointer($0)) }) else {
            error(column, value: value, "expected true or false (also yes/no, 1/0)", &collector)
            return nil
        }
        return flag
    }

    func optionalBool(_ column: String, _ collector: inout DiagnosticCollector) -> Bool?? {
        if text(column).isEmpty { return .some(nil) }
        guard let flag = bool(column, &collector) else { return nil }
        return .some(flag)
    }

    func tier(_ column: String, _ collector: inout DiagnosticCollector) -> Tier? {
        let value = text(column)
        guard let tier = FieldParsing.tier(value) else {
            error(column, value: value, "unknown tier (expected gold, premier, select or registered)", &collector)
            return nil
        }
        return tier
    }

    func country(_ collector: inout DiagnosticCollector) -> String? {
        let value = text("country")
        guard let code = FieldParsing.code(value, length: 2), FieldParsing.countryCodes.contains(code) else {
            error("country", value: value, "expected an ISO 3166-1 alpha-2 country code such as NL", &collector)
            return nil
        }
        return code
    }

    func currency(_ column: String, _ collector: inout DiagnosticCollector) -> String? {
        let value = text(column)
        guard let code = FieldParsing.code(value, length: 3) else {
            error(column, value: value, "expected an ISO 4217 currency code such as USD", &collector)
            return nil
        }
        return code
    }

    func decimal(_ column: String, scale: Int, what: String, allowNegative: Bool, _ collector: inout DiagnosticCollector) -> Int64? {
        let value = text(column)
        var bytes = Array(value.utf8)
        let result = bytes.withUnsafeMutableBufferPointer {
            FieldParsing.decimal(UnsafeBufferPointer($0), scale: scale, allowNegative: allowNegative)
        }
        switch result {
        case .success(let units): return units
        case .failure(let problem):
            error(column, value: value, FieldParsing.explain(problem, decimals: scale, what: what), &collector)
            return nil
        }
    }
}
enum PreviousVIP {
    /// The result of partner `partnerIndex` in `program`.
    static func evaluate(
        program: Program, rules: VIPRules, dataset: Dataset, totals: ProgramTotals, partnerIndex: Int, enrollments: [Enrollment]
    ) -> PartnerResult {
        let partner = dataset.partners[partnerIndex]
        guard !enrollments.isEmpty else { return PartnerResult(partnerID: partner.id, status: .notEnrolled, rows: []) }
        let paths = rules.subtrackPaths
        let tierCheck = tierCheck(partner: partner, rules: rules)
        let csat = csatCheck(found: dataset.csatCount(partner: partnerIndex, in: program.period), rules: rules, period: program.period)
        var rows: [ResultRow] = []
        for enrollment in enrollments {
            guard let subtrackIndex = paths.firstIndex(where: { $0.path.isExactly(enrollment.subtrack) }) else { continue }
            let subtrack = paths[subtrackIndex].subtrack
            let deadline = rules.knowledgeDeadline == .enrollment ? enrollment.enrolledOn : program.period.end
            var checks = [tierCheck, csat]
            checks += credentialChecks(subtrack: subtrack, held: dataset.credentials[partnerIndex], deadline: deadline, rule: rules.knowledgeDeadline)
            let bucket = totals.subtrack(partner: partnerIndex, subtrack: subtrackIndex)
            let minimum = subtrack.minimumVolume.amount(for: partner.country)
            checks.append(
                volumeCheck(
                    volume: bucket.volume, minimum: minimum, country: partner.country,
                    byCountry: subtrack.minimumVolume.byCountry[partner.country] != nil, currency: program.currency))
            let eligible = checks.allSatisfy(\.passed)
            let potential = bucket.volume.cents > 0 ? Rounding.apply(percent: subtrack.rebatePercent, to: bucket.volume) : .zero
            rows.append(
                ResultRow(
                    program: program.id, kind: .vip, partnerID: partner.id, item: enrollment.subtrack, qualifyingVolume: bucket.volume,
                    threshold: minimum, eligible: eligible, amount: eligible ? potential : .zero, missedAmount: eligible ? .zero : potential,
                    checks: checks, basis: AmountBasis(base: bucket.volume, percent: subtrack.rebatePercent)))
        }
        rows.sort { String.byteOrder($0.item, $1.item) }
        let eligibleCount = rows.filter(\.eligible).count
        let status: PartnerStatus = eligibleCount == rows.count ? .eligible : eligibleCount == 0 ? .ineligible : .partiallyEligible
        return PartnerResult(partnerID: partner.id, status: status, rows: rows)
    }

    /// A check carrying the typed facts the explanation is now worded from (issue 12); the words this
    /// implementation wrote must be the words of those facts.
    static func check(code: Check.Code, passed: Bool, reason: String?, facts: Check.Facts, explanation: String) -> Check {
        #expect(facts.text == explanation)
        return Check(code: code, passed: passed, reason: reason, detail: facts)
    }

    static func tierCheck(partner: Partner, rules: VIPRules) -> Check {
        let allowed = rules.eligibleTiers.sorted().map(\.rawValue).joined(separator: ", ")
        let passed = rules.eligibleTiers.contains(partner.tier)
        return check(
            code: .tier, passed: passed, reason: "tier:\(partner.tier.rawValue)",
            facts: .tier(tier: partner.tier, eligibleTiers: rules.eligibleTiers),
            explanation: passed
                ? "tier \(partner.tier.rawValue) is eligible (eligible tiers: \(allowed))"
                : "tier \(partner.tier.rawValue) is not eligible (eligible tiers: \(allowed))")
    }

    static func csatCheck(found: Int, rules: VIPRules, period: DayRange) -> Check {
        let required = rules.csatRequired
        let passed = found >= required
        let explanation: String
        if required == 0 {
            explanation = "no CSAT reports required (\(found) submitted in the period)"
        } else if passed {
            explanation = "\(found) CSAT reports submitted \(period.start)..\(period.end), \(required) required"
        } else {
            explanation = "only \(found) of \(required) CSAT reports submitted \(period.start)..\(period.end): \(required - found) more needed"
        }
        return check(
            code: .csat, passed: passed, reason: "csat:\(found)/\(required)", facts: .csat(found: found, required: required, period: period),
            explanation: explanation)
    }

    /// One check per `requires_all` credential, then one for `requires_any` (when not empty).
    static func credentialChecks(subtrack: Subtrack, held: [Credential], deadline: Day, rule: KnowledgeDeadline) -> [Check] {
        let when = rule == .enrollment ? "on the enrolment date \(deadline)" : "at the period end \(deadline)"
        func describe(_ id: String) -> String {
            let records = held.filter { $0.credential.isExactly(id) }
            if records.isEmpty { return "\(id) not held" }
            return records.map { record in
                if record.achievedOn > deadline { return "\(id) achieved \(record.achievedOn), after the deadline" }
                if let expiry = record.expiresOn, expiry < deadline { return "\(id) expired \(expiry)" }
                return "\(id) valid"
            }.joined(separator: "; ")
        }
        var checks: [Check] = []
        for id in subtrack.requiresAll {
            let passed = held.contains { $0.credential.isExactly(id) && $0.isValid(on: deadline) }
            checks.append(
                check(
                    code: .credential, passed: passed, reason: "credential:\(id)",
                    facts: .credential(id: id, held: held, deadline: deadline, rule: rule),
                    explanation: passed ? "holds \(id) \(when)" : "requires \(id) \(when): \(describe(id))"))
        }
        if !subtrack.requiresAny.isEmpty {
            let valid = subtrack.requiresAny.filter { id in held.contains { $0.credential.isExactly(id) && $0.isValid(on: deadline) } }
            let list = subtrack.requiresAny.joined(separator: " or ")
            let passed = !valid.isEmpty
            checks.append(
                check(
                    code: .credential, passed: passed, reason: "credential:\(subtrack.requiresAny.joined(separator: "|"))",
                    facts: .anyCredential(ids: subtrack.requiresAny, held: held, deadline: deadline, rule: rule),
                    explanation: passed
                        ? "holds \(valid.joined(separator: " and ")) \(when) (needs \(list))"
                        : "requires \(list) \(when): \(subtrack.requiresAny.map(describe).joined(separator: "; "))"))
        }
        if checks.isEmpty {
            checks.append(check(code: .credential, passed: true, reason: nil, facts: .noCredentialsRequired, explanation: "no credentials required"))
        }
        return checks
    }

    static func volumeCheck(volume: Money, minimum: Money, country: String, byCountry: Bool, currency: String) -> Check {
        let passed = volume >= minimum
        let which = byCountry ? "minimum volume \(country)" : "minimum volume"
        let explanation: String
        if passed {
            explanation = "\(which) \(minimum.groupedText) \(currency), qualifying \(volume.groupedText) \(currency): met"
        } else {
            let short = Money(cents: minimum.cents - volume.cents)
            explanation = "\(which) \(minimum.groupedText) \(currency), qualifying \(volume.groupedText) \(currency), short by \(short.groupedText)"
        }
        return check(
            code: .volume, passed: passed, reason: "volume:\(volume.plainText)<\(minimum.plainText)",
            facts: .volume(volume: volume, minimum: minimum, country: country, currency: currency, byCountry: byCountry), explanation: explanation)
    }
}

enum PreviousMDF {
    /// The result of partner `partnerIndex` in `program`.
    static func evaluate(program: Program, rules: MDFRules, dataset: Dataset, totals: ProgramTotals, partnerIndex: Int) -> PartnerResult {
        let partner = dataset.partners[partnerIndex]
        guard partner.provider, let tier = rules.tiers[partner.tier] else {
            return PartnerResult(partnerID: partner.id, status: .notTakingPart, rows: [])
        }
        let bucket = totals.mdf[partnerIndex]
        let minimum = tier.minimumVolume.amount(for: partner.country)
        let strategic = dataset.services[partnerIndex].filter { $0.strategic && $0.overlaps(program.period) }

        var checks: [Check] = []
        let volume = bucket.qualifyingVolume
        let byCountry = tier.minimumVolume.byCountry[partner.country] != nil
        checks.append(
            PreviousVIP.volumeCheck(volume: volume, minimum: minimum, country: partner.country, byCountry: byCountry, currency: program.currency))
        if tier.requiresStrategicService {
            let passed = !strategic.isEmpty
            checks.append(
                PreviousVIP.check(
                    code: .strategicService, passed: passed, reason: "strategic_service:none",
                    facts: .strategicService(services: dataset.services[partnerIndex], period: program.period, tier: tier.tier),
                    explanation: passed
                        ? "delivers strategic Cisco Powered Service \(strategic.map(\.service).joined(separator: ", ")) in the period"
                        : "\(tier.tier.rawValue) providers must deliver at least one strategic Cisco Powered Service in \(program.period.start)..\(program.period.end); none found"
                ))
        }
        let eligible = checks.allSatisfy(\.passed)
        let earned = accrual(volume: volume, eligible: eligible, percent: tier.accrualPercent)

        // With every untagged line tagged, re-evaluating every check on that volume.
        let taggedVolume = Money(cents: volume.cents + bucket.untaggedVolume.cents)
        let taggedEligible = taggedVolume >= minimum && (!tier.requiresStrategicService || !strategic.isEmpty)
        let potential = accrual(volume: taggedVolume, eligible: taggedEligible, percent: tier.accrualPercent)
        let missed = Money(cents: max(0, potential.cents - earned.cents))

        let row = ResultRow(
            program: program.id, kind: .mdf, partnerID: partner.id, item: tier.tier.rawValue, qualifyingVolume: volume, threshold: minimum,
            eligible: eligible, amount: earned, missedAmount: missed, checks: checks,
            basis: AmountBasis(base: volume, percent: tier.accrualPercent))
        return PartnerResult(partnerID: partner.id, status: eligible ? .eligible : .ineligible, rows: [row])
    }

    static func accrual(volume: Money, eligible: Bool, percent: ScaledDecimal) -> Money {
        eligible && volume.cents > 0 ? Rounding.apply(percent: percent, to: volume) : .zero
    }
}

enum PreviousEngine {
    static func compute(_ input: LoadedInput) -> ComputeResult {
        let dataset = input.dataset
        var enrollmentsByProgram: [ExactText: [Int: [Enrollment]]] = [:]
        for enrollment in dataset.enrollments {
            guard let index = dataset.partnerIndex(enrollment.partnerID) else { continue }
            enrollmentsByProgram[ExactText(enrollment.program), default: [:]][index, default: []].append(enrollment)
        }
        let order = dataset.partners.indices.sorted { String.byteOrder(dataset.partners[$0].id, dataset.partners[$1].id) }
        var results: [ProgramResult] = []
        for (programIndex, program) in input.programs.enumerated() {
            let totals = input.totals.programs[programIndex]
            var partners: [PartnerResult] = []
            partners.reserveCapacity(order.count)
            for partnerIndex in order {
                switch program.rules {
                case .vip(let rules):
                    partners.append(
                        PreviousVIP.evaluate(
                            program: program, rules: rules, dataset: dataset, totals: totals, partnerIndex: partnerIndex,
                            enrollments: enrollmentsByProgram[ExactText(program.id)]?[partnerIndex] ?? []))
                case .mdf(let rules):
                    partners.append(
                        PreviousMDF.evaluate(program: program, rules: rules, dataset: dataset, totals: totals, partnerIndex: partnerIndex))
                }
            }
            results.append(ProgramResult(program: program, partners: partners))
        }
        return ComputeResult(programs: results)
    }
}
