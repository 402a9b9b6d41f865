import Foundation
import IncentiveSynthetic
import Testing

@testable import IncentiveEngine

/// `SummaryTable` counts and ranks the rows partner by partner (no array of every row): its counts and largest
/// amounts must be those found by flattening every row and sorting them, ties in the amount included.
@Suite struct SummaryTableTests {
    @Test func countsAndLargestAmountsAsBySortingEveryRow() throws {
        let folder = try FixedCostTests.generated(seed: 31, partners: 400, lines: 4_000)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let input = try Engine.load(dataDirectory: folder + "/data", programsDirectory: folder + "/programs")
        var result = Engine.compute(input)
        // Ties: every third paid row of each program gets the same amount as the program's largest.
        for p in result.programs.indices {
            let top = result.programs[p].partners.flatMap(\.rows).map(\.amount.cents).max() ?? 0
            var paid = 0
            for q in result.programs[p].partners.indices {
                for r in result.programs[p].partners[q].rows.indices where result.programs[p].partners[q].rows[r].amount.cents > 0 {
                    paid += 1
                    if paid % 3 == 0 { result.programs[p].partners[q].rows[r].amount = Money(cents: top) }
                }
            }
        }
        let text = SummaryTable.render(result)
        var checkedLargest = 0
        for programResult in result.programs {
            let rows = programResult.partners.flatMap(\.rows)
            let block = Self.block(of: programResult.program.id, in: text)
            let label = "rows eligible / total".padding(toLength: 28, withPad: " ", startingAt: 0)
            #expect(block.contains("  \(label)\(rows.filter(\.eligible).count) / \(rows.count)\n"))
            let expected = rows.filter { $0.amount.cents > 0 }
                .sorted { ($0.amount.cents, $1.partnerID + $1.item) > ($1.amount.cents, $0.partnerID + $0.item) }
                .prefix(SummaryTable.largestCount)
            let listed = block.split(separator: "\n").drop { !$0.hasPrefix("  largest amounts:") }.dropFirst().map {
                $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init)
            }
            #expect(listed.count == expected.count)
            for (line, row) in zip(listed, expected) {
                #expect(line == [row.partnerID, row.item, row.amount.groupedText])
                checkedLargest += 1
            }
        }
        // The data gave paid rows, and ties among the largest, to compare.
        #expect(checkedLargest >= 2 * SummaryTable.largestCount)
    }

    /// The lines of `program`'s part of the summary table.
    static func block(of program: String, in text: String) -> String {
        let parts = text.components(separatedBy: "\n\n")
        return parts.first { $0.hasPrefix(program + "  ") } ?? ""
    }
}
