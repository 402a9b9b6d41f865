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
}
