import Foundation
import IncentiveEngine
import Testing

/// Properties of the results on generated datasets, and agreement with an independent implementation.
@Suite struct GeneratedDataTests {
    /// Generates a dataset with the CLI and returns its folder.
    static func generate(partners: Int, lines: Int, seed: Int, rules: String = "v1") throws -> URL {
        let folder = try CLI.temporaryFolder()
        let run = try CLI.run(
            ["generate", "--partners", "\(partners)", "--lines", "\(lines)", "--seed", "\(seed)", "--rules", rules, "--out", folder.path])
        #expect(run.status == 0, "\(run.stderr)")
        return folder
    }

    static func computeCSV(_ folder: URL, extra: [String] = []) throws -> String {
        let run = try CLI.run(
            [
                "compute", "--data", folder.appendingPathComponent("data").path, "--programs", folder.appendingPathComponent("programs").path,
                "--format", "csv",
            ] + extra)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.isEmpty)
        return run.stdout
    }

    /// The Python implementation in bench/reference.py is written from formats.md alone; both must agree byte for
    /// byte, on v1 programs and on v2 programs (every key of section 5, with `tiers.csv`).
    @Test(arguments: [(7, "v1"), (11, "v1"), (7, "v2"), (12, "v2")])
    func agreesWithTheIndependentReference(seed: Int, rules: String) throws {
        let folder = try Self.generate(partners: 300, lines: 20_000, seed: seed, rules: rules)
        defer { try? FileManager.default.removeItem(at: folder) }
        let ours = try Self.computeCSV(folder)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", CLI.packageRoot.appendingPathComponent("bench/reference.py").path,
            "--data", folder.appendingPathComponent("data").path, "--programs", folder.appendingPathComponent("programs").path,
        ]
        let output = folder.appendingPathComponent("reference.csv")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        try #require(process.terminationStatus == 0, "bench/reference.py failed; it needs python3 with PyYAML (python3 -m pip install pyyaml)")
        let reference = String(decoding: try Data(contentsOf: output), as: UTF8.self)
        #expect(ours.split(separator: "\n").count > 300)
        #expect(ours == reference)
    }

    @Test func resultsDoNotDependOnTheOrderOfRows() throws {
        let folder = try Self.generate(partners: 200, lines: 8_000, seed: 3)
        defer { try? FileManager.default.removeItem(at: folder) }
        let before = try Self.computeCSV(folder)
        var generator = SplitMix(seed: 99)
        for name in ["bookings.csv", "partners.csv", "credentials.csv", "csat.csv", "services.csv", "enrollments.csv", "fx.csv"] {
            let url = folder.appendingPathComponent("data").appendingPathComponent(name)
            let reader = try CSVReader(path: url.path)
            var records: [String] = []
            while try reader.next() {
                records.append((0..<reader.fieldCount).map { ResultsCSV.field(reader.string($0)) }.joined(separator: ","))
            }
            records.shuffle(using: &generator)
            let text = reader.header.joined(separator: ",") + "\r\n" + records.joined(separator: "\r\n") + "\r\n"
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        let after = try Self.computeCSV(folder)
        #expect(after == before)
        #expect(after.split(separator: "\n").count > 100)
    }

    @Test func partnerTotalsEqualTheSumOfTheirRows() throws {
        let folder = try Self.generate(partners: 150, lines: 6_000, seed: 5)
        defer { try? FileManager.default.removeItem(at: folder) }
        let csv = try Self.computeCSV(folder)
        // Sum the CSV rows per (program, partner), parsing the decimals independently of the engine.
        var sums: [String: (amount: Int, missed: Int)] = [:]
        for line in csv.split(separator: "\n").dropFirst() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            let key = fields[0] + "/" + fields[2]
            sums[key, default: (0, 0)].amount += Self.cents(fields[7])
            sums[key, default: (0, 0)].missed += Self.cents(fields[8])
        }
        let run = try CLI.run([
            "compute", "--data", folder.appendingPathComponent("data").path, "--programs", folder.appendingPathComponent("programs").path, "--format",
            "json",
        ])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let programs = try #require(json["programs"] as? [[String: Any]])
        var checked = 0
        for program in programs {
            let id = try #require(program["id"] as? String)
            var programAmount = 0
            for partner in try #require(program["partners"] as? [[String: Any]]) {
                let key = id + "/" + (try #require(partner["partner_id"] as? String))
                let amount = Self.cents(try #require(partner["amount"] as? String))
                let missed = Self.cents(try #require(partner["missed_amount"] as? String))
                #expect(amount == sums[key]?.amount ?? 0, "\(key)")
                #expect(missed == sums[key]?.missed ?? 0, "\(key)")
                programAmount += amount
                checked += 1
            }
            #expect(Self.cents(try #require(program["amount"] as? String)) == programAmount)
        }
        #expect(checked == 150 * programs.count)
    }

    /// "-12.30" -> -1230, by text.
    static func cents(_ text: String) -> Int {
        let negative = text.hasPrefix("-")
        let digits = text.filter { $0 != "-" && $0 != "." }
        return (negative ? -1 : 1) * (Int(digits) ?? 0)
    }
}

/// A seeded generator, so a shuffle is the same on every run.
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
