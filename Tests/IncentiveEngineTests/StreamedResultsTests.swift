import Foundation
import IncentiveSynthetic
import Testing

@testable import IncentiveEngine

/// `compute --format csv` writes the results block by block as the engine evaluates them
/// (`ResultsCSV.stream(input, …)`): the bytes must be those of the whole computation written at once.
@Suite struct StreamedResultsTests {
    /// 5,000 partners make three blocks per program (2,048 partners a block), so the blocks of each program
    /// and of the next program must come out in order; v1 and v2 programs alike.
    @Test(arguments: [DatasetGenerator.Rules.v1, .v2])
    func streamedCSVIsTheWholeComputationsCSV(rules: DatasetGenerator.Rules) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DatasetGenerator(partners: 5000, lines: 40_000, seed: 3, rules: rules).write(to: root)
        let input = try Engine.load(dataDirectory: root + "/data", programsDirectory: root + "/programs")
        #expect(input.dataset.partners.count > 2 * EvaluationPlan.blockSize)
        let whole = ResultsCSV.render(Engine.compute(input).rows)
        var streamed: [UInt8] = []
        var writes = 0
        ResultsCSV.stream(input) { bytes in
            streamed.append(contentsOf: bytes)
            writes += 1
        }
        #expect(String(decoding: streamed, as: UTF8.self) == whole)
        // The header, then one write per block of each program.
        #expect(writes == 1 + input.programs.count * 3)
        #expect(whole.split(separator: "\n").count > 5000)
    }

    /// `ResultsJSON.stream` (what `compute --format json` and `runs show --format json` write) puts each program's
    /// partners, encoded a block of 4,096 at a time, into the document encoded without them: the bytes must be those
    /// of the whole document encoded at once (`renderWhole`, JSONEncoder's own layout). 5,000 partners make two
    /// blocks per program; v2 rows carry rebates, tiers and left-out lines.
    @Test(arguments: [DatasetGenerator.Rules.v1, .v2])
    func streamedJSONIsTheWholeDocumentsJSON(rules: DatasetGenerator.Rules) throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DatasetGenerator(partners: 5000, lines: 20_000, seed: 5, rules: rules).write(to: root)
        let result = Engine.compute(try Engine.load(dataDirectory: root + "/data", programsDirectory: root + "/programs"))
        let whole = ResultsJSON.renderWhole(result)
        var streamed: [UInt8] = []
        var writes = 0
        ResultsJSON.stream(result) { bytes in
            streamed.append(contentsOf: bytes)
            writes += 1
        }
        #expect(String(decoding: streamed, as: UTF8.self) == whole)
        #expect(ResultsJSON.render(result) == whole)
        // Per program: the document up to its partners, two blocks, the array's end, the program's end; then the document's end.
        #expect(writes == result.programs.count * 5 + 1)
        #expect(whole.contains("\"partner_id\" : \"P005000\""))
    }

    /// The same for the hand-made cases of rules v2 and the bundled example, whose rows have every kind of detail,
    /// and for results with no partner at all (each program's `partners` is then an empty array).
    @Test func streamedJSONOfTheHandMadeCases() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var folders = [root.appendingPathComponent("examples").path]
        let cases = root.appendingPathComponent("bench/v2cases").path
        for name in try FileManager.default.contentsOfDirectory(atPath: cases).sorted()
        where FileManager.default.fileExists(atPath: cases + "/" + name + "/programs") {
            folders.append(cases + "/" + name)
        }
        #expect(folders.count >= 6)
        for folder in folders {
            let result = Engine.compute(try Engine.load(dataDirectory: folder + "/data", programsDirectory: folder + "/programs"))
            #expect(result.programs.allSatisfy { !$0.partners.isEmpty })
            #expect(ResultsJSON.render(result) == ResultsJSON.renderWhole(result), "\(folder)")
            var none = result
            for index in none.programs.indices { none.programs[index].partners = [] }
            let empty = ResultsJSON.render(none)
            #expect(empty == ResultsJSON.renderWhole(none), "\(folder)")
            #expect(empty.contains("\"partners\" : [\n\n      ]"))
        }
        #expect(ResultsJSON.render(ComputeResult(programs: [])) == ResultsJSON.renderWhole(ComputeResult(programs: [])))
        #expect(ResultsJSON.render(ComputeResult(programs: [])).hasSuffix("\"programs\" : [\n\n  ]\n}\n"))
    }
}
