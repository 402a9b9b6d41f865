import Foundation
import IncentiveEngine
import IncentiveSynthetic
import Testing
import Yams

/// The generator writes the same files for the same seed, and a dataset the engine loads without an
/// error, with exactly the partners and booking lines asked for.
@Suite struct DatasetGeneratorTests {
    @Test func theSameSeedWritesTheSameFilesWhichTheEngineLoads() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("generator-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func folder(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
        func contents(_ folderName: String, _ file: String) -> Data? {
            let data = (folder(folderName) as NSString).appendingPathComponent("data")
            return FileManager.default.contents(atPath: (data as NSString).appendingPathComponent(file))
        }
        try DatasetGenerator(partners: 50, lines: 2_000, seed: 7).write(to: folder("a"))
        try DatasetGenerator(partners: 50, lines: 2_000, seed: 7).write(to: folder("b"))
        try DatasetGenerator(partners: 50, lines: 2_000, seed: 8).write(to: folder("c"))
        // (tiers.csv, the tier history of rules v2, is written only with `rules: .v2`.)
        for file in DatasetLoader.fileNames where file != "tiers.csv" {
            let first = try #require(contents("a", file), "\(file) was not written")
            #expect(first == contents("b", file), "\(file) differs for the same seed")
        }
        #expect(contents("a", "bookings.csv") != contents("c", "bookings.csv"))

        let loaded = try Engine.load(
            dataDirectory: (folder("a") as NSString).appendingPathComponent("data"),
            programsDirectory: (folder("a") as NSString).appendingPathComponent("programs"))
        #expect(loaded.totals.lineCount == 2_000)
        #expect(loaded.dataset.partners.count == 50)
        #expect(loaded.programs.map(\.id) == ["GEN-MDF", "GEN-VIP-3M", "GEN-VIP-6M"])
    }

    /// `rules: .v2` (formats.md section 5): the same arguments write the same bytes, another seed other
    /// programs, and v1 stays as it was (no tiers.csv, no v2 key).
    @Test func rulesV2WriteTheSameFilesForTheSameSeed() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("generator-v2-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        func folder(_ name: String) -> String { (root as NSString).appendingPathComponent(name) }
        func contents(_ folderName: String, _ file: String) -> Data? {
            FileManager.default.contents(atPath: (folder(folderName) as NSString).appendingPathComponent(file))
        }
        try DatasetGenerator(partners: 60, lines: 3_000, seed: 21, rules: .v2).write(to: folder("a"))
        try DatasetGenerator(partners: 60, lines: 3_000, seed: 21, rules: .v2).write(to: folder("b"))
        try DatasetGenerator(partners: 60, lines: 3_000, seed: 22, rules: .v2).write(to: folder("c"))
        try DatasetGenerator(partners: 60, lines: 3_000, seed: 21).write(to: folder("v1"))
        let programs = ["programs/gen-vip-6m.yaml", "programs/gen-vip-3m.yaml", "programs/gen-mdf.yaml"]
        let files = DatasetLoader.fileNames.filter { $0 != "tiers.csv" }.map { "data/" + $0 } + ["data/tiers.csv"] + programs
        for file in files {
            let first = try #require(contents("a", file), "\(file) was not written")
            #expect(first == contents("b", file), "\(file) differs for the same seed")
        }
        #expect(contents("a", "programs/gen-vip-6m.yaml") != contents("c", "programs/gen-vip-6m.yaml"))
        #expect(contents("a", "data/bookings.csv") != contents("c", "data/bookings.csv"))
        #expect(contents("v1", "data/tiers.csv") == nil)
        let v1 = String(decoding: try #require(contents("v1", "programs/gen-vip-6m.yaml")), as: UTF8.self)
        #expect(v1.contains("period: {start: 2015-01-25, end: 2015-07-25}"))
        #expect(!v1.contains("full_credit_enrollment_until") && !v1.contains("rebate_tiers"))
        // The partners, credentials and the other small tables do not depend on the rules.
        for file in ["partners.csv", "credentials.csv", "csat.csv", "services.csv", "enrollments.csv", "products.csv", "fx.csv"] {
            #expect(contents("a", "data/" + file) == contents("v1", "data/" + file), "\(file)")
        }
    }

    /// Every seed's v2 programs use every key of formats.md section 5, with values its load rules accept
    /// (read from the YAML text with Yams, not with the engine).
    @Test(arguments: 1...12)
    func rulesV2ProgramsUseEveryKey(seed: UInt64) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("generator-keys-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DatasetGenerator(partners: 1, lines: 0, seed: seed, rules: .v2).write(to: root)
        var seen = Set<String>()
        for name in ["gen-vip-6m.yaml", "gen-vip-3m.yaml", "gen-mdf.yaml"] {
            let path = ((root as NSString).appendingPathComponent("programs") as NSString).appendingPathComponent(name)
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let program = try #require(try Yams.compose(yaml: text), "\(name)")
            let period = try #require(program["period"]?.string, "\(name): period is not a fiscal name")
            #expect(period.range(of: #"^[Ff][Yy]([0-9]{2}|[0-9]{4})-([Hh][12]|[Qq][1-4])$"#, options: .regularExpression) != nil, "\(period)")
            seen.insert("period")
            guard program["kind"]?.string == "vip" else { continue }
            let maxPercent = try decimal(program["max_rebate_percent"])
            let cutoff = try #require(program["full_credit_enrollment_until"]?.string, "\(name)")
            #expect(cutoff.count == 10)
            seen.insert("full_credit_enrollment_until")
            for track in list(program["tracks"]) {
                for subtrack in list(track["subtracks"]) {
                    let id = "\(name) \(subtrack["id"]?.string ?? "?")"
                    let keys = Set((subtrack.mapping ?? [:]).keys.compactMap(\.string))
                    // Exactly one rate; growth if and only if a baseline; tier_method only with tiers.
                    #expect(keys.contains("rebate_percent") != keys.contains("rebate_tiers"), "\(id)")
                    #expect((subtrack["rebate_base"]?.string == "growth") == keys.contains("baseline"), "\(id)")
                    #expect(!keys.contains("tier_method") || keys.contains("rebate_tiers"), "\(id)")
                    var top = Decimal(0)
                    if let percent = subtrack["rebate_percent"] {
                        if let byTier = percent.mapping {
                            #expect(byTier["default"] != nil, "\(id)")
                            seen.insert("rebate_percent by tier")
                            for (_, value) in byTier { top = max(top, try decimal(value)) }
                        } else {
                            seen.insert("rebate_percent")
                            top = try decimal(percent)
                        }
                    }
                    if subtrack["rebate_tiers"] != nil {
                        let tiers = list(subtrack["rebate_tiers"])
                        let froms = try tiers.map { try decimal($0["from"]) }
                        #expect(froms.first == 0 && zip(froms, froms.dropFirst()).allSatisfy { $0 < $1 }, "\(id): \(froms)")
                        for tier in tiers { top = max(top, try decimal(tier["percent"])) }
                        seen.insert("rebate_tiers " + (subtrack["tier_method"]?.string ?? "(retroactive by default)"))
                    }
                    if let base = subtrack["rebate_base"]?.string { seen.insert("rebate_base " + base) }
                    if let baseline = subtrack["baseline"] {
                        #expect(baseline["period"] != nil, "\(id)")
                        seen.insert("baseline")
                    }
                    var bonus = Decimal(0)
                    if let attach = subtrack["attach_bonus"] {
                        #expect(!list(attach["products"]).isEmpty, "\(id)")
                        let bands = list(attach["bands"])
                        let starts = try bands.map { try decimal($0["from_percent"]) }
                        #expect(!starts.isEmpty && starts[0] > 0 && zip(starts, starts.dropFirst()).allSatisfy { $0 < $1 }, "\(id)")
                        for band in bands { bonus = max(bonus, try decimal(band["percent"])) }
                        seen.insert("attach_bonus")
                    }
                    #expect(top + bonus <= maxPercent, "\(id): \(top) + \(bonus) > \(maxPercent)")
                    if let cap = subtrack["cap"] {
                        #expect(try decimal(cap) >= 0, "\(id)")
                        seen.insert("cap")
                    }
                    for entry in list(subtrack["products"]) where entry.mapping != nil {
                        #expect(entry["sku"]?.string != nil, "\(id)")
                        if let from = entry["from"]?.string, let until = entry["until"]?.string { #expect(from <= until, "\(id)") }
                        if entry["from"] != nil { seen.insert("products from") }
                        if entry["until"] != nil { seen.insert("products until") }
                    }
                }
            }
        }
        let every: Set<String> = [
            "period", "full_credit_enrollment_until", "rebate_percent", "rebate_percent by tier", "rebate_tiers retroactive",
            "rebate_tiers marginal", "rebate_base all", "rebate_base above_minimum", "rebate_base growth", "baseline", "attach_bonus",
            "cap", "products from", "products until",
        ]
        #expect(seen.subtracting(["rebate_tiers (retroactive by default)"]) == every)
    }

    /// The v2 data exercises the rules: tier changes on and next to a period's last day, lines in the baseline
    /// window and on the day after a dated product entry ends, enrolments on both sides of the cut-off.
    @Test func rulesV2DataHitsTheRules() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("generator-data-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DatasetGenerator(partners: 400, lines: 40_000, seed: 5, rules: .v2).write(to: root)
        func column(_ file: String, _ name: String) throws -> [String] {
            let reader = try CSVReader(path: ((root as NSString).appendingPathComponent("data") as NSString).appendingPathComponent(file))
            var values: [String] = []
            while try reader.next() {
                let index = try #require(reader.header.firstIndex(of: name))
                values.append(reader.string(index))
            }
            return values
        }
        let program = try String(contentsOfFile: (root as NSString).appendingPathComponent("programs/gen-vip-6m.yaml"), encoding: .utf8)
        let node = try #require(try Yams.compose(yaml: program))
        let cutoff = try #require(node["full_credit_enrollment_until"]?.string)
        let firstTrack = list(node["tracks"]).first
        let firstSubtrack = list(firstTrack?["subtracks"]).first
        let untilDays = list(firstSubtrack?["products"]).compactMap { $0["until"]?.string }
        let until = try #require(untilDays.first, "data-center/ucs has an entry with an until date")

        let tierDays = Set(try column("tiers.csv", "valid_from"))
        #expect(tierDays.contains("2015-07-25") && tierDays.contains("2015-07-26"), "tier changes on and after GEN-VIP-6M's last day")
        let booked = try column("bookings.csv", "booked_on")
        #expect(booked.filter { "2014-07-27" <= $0 && $0 <= "2015-01-24" }.count > 1_000, "lines in the baseline window FY15-H1")
        #expect(booked.contains(until), "a line on the last day of \(until)")
        let dayAfter = Day(daysSinceEpoch: try #require(Day(iso: until)).daysSinceEpoch + 1).description
        #expect(booked.contains(dayAfter), "a line on \(dayAfter), the day after an entry ends")
        let enrolled = zip(try column("enrollments.csv", "program"), try column("enrollments.csv", "enrolled_on")).filter { $0.0 == "GEN-VIP-6M" }
        #expect(enrolled.contains { $0.1 > cutoff } && enrolled.contains { $0.1 <= cutoff }, "enrolments on both sides of \(cutoff)")
    }

    /// The items of a YAML sequence; none when the node is missing or not a sequence.
    private func list(_ node: Node?) -> [Node] {
        guard let sequence = node?.sequence else { return [] }
        return Array(sequence)
    }

    /// A number of the YAML text as an exact decimal.
    private func decimal(_ node: Node?) throws -> Decimal {
        let text = try #require(node?.string, "a number is missing")
        return try #require(Decimal(string: text), "\(text) is not a number")
    }
}
