import Foundation
import IncentiveEngine
import Testing

@testable import IncentiveStore

/// Issue 11 ("Hardening") in the workspace: sums that would overflow are refused at import, the runs
/// diff CSV neutralises formulas, and its differences are exact whatever the amounts.
@Suite struct StoreHardeningTests {
    static func row(_ partner: String, volume: Int64, amount: Int64) -> ResultRow {
        ResultRow(
            program: "VIP", kind: .vip, partnerID: partner, item: "dc/ucs", qualifyingVolume: Money(cents: volume), threshold: .zero,
            eligible: amount > 0, amount: Money(cents: amount), missedAmount: .zero, checks: [])
    }

    static func summary(_ id: Int, amount: Int64) -> RunSummary {
        RunSummary(
            id: id, startedAt: "2015-0\(id)-01T00:00:00Z", finishedAt: "", engineVersion: Engine.version, dataDigest: "d", inputsDigest: "i",
            bookingLines: 0, partners: 0, programs: [("VIP", 1)], amount: Money(cents: amount), missedAmount: .zero)
    }

    static func diff(_ rows: [RunDiff.RowChange], before: Int64 = 0, after: Int64 = 0) -> RunDiff {
        RunDiff(
            before: summary(1, amount: before), after: summary(2, amount: after), currency: "USD",
            programs: [RunDiff.ProgramChange(id: "VIP", before: 1, after: 1, changes: [])], dataChanged: true, imports: [], rows: rows)
    }

    @Test func theRunsDiffCSVNeutralisesFormulas() {
        let diff = Self.diff([
            RunDiff.RowChange(
                program: "VIP", partnerID: "=HYPERLINK(\"x\")", item: "dc/ucs", before: Self.row("=HYPERLINK(\"x\")", volume: 100, amount: 6),
                after: Self.row("=HYPERLINK(\"x\")", volume: 50, amount: 0), flips: [])
        ])
        let lines = RunDiffText.csv(diff).split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        // The id gets its ' and then its quotes; -0.06 is a number and stays as it is.
        #expect(lines[1] == "VIP,\"'=HYPERLINK(\"\"x\"\")\",dc/ucs,changed,true,false,0.06,0.00,-0.06,0.00,0.00,0.00,")
    }

    /// Two volumes far apart (a large credit before, a large sale after) differ by more than 64 bits hold:
    /// the difference used to trap.
    @Test func differencesBeyond64BitsAreExact() {
        let before = Self.row("P1", volume: -9_000_000_000_000_000_000, amount: 0)
        let after = Self.row("P1", volume: 9_000_000_000_000_000_000, amount: 0)
        let diff = Self.diff([RunDiff.RowChange(program: "VIP", partnerID: "P1", item: "dc/ucs", before: before, after: after, flips: [])])
        let text = RunDiffText.render(diff)
        #expect(
            text.contains(
                "  qualifying volume -90,000,000,000,000,000.00 -> 90,000,000,000,000,000.00 (+180,000,000,000,000,000.00)\n"), "\(text)")
        #expect(RunDiffText.difference(Money(cents: Int64.max), Money(cents: Int64.min), grouped: false) == "-184467440737095516.15")
        #expect(RunDiffText.change(Money(cents: 100), Money(cents: 50)) == "-0.50")
        #expect(RunDiffText.change(Money(cents: 50), Money(cents: 100)) == "+0.50")
    }

    /// `import` refuses bookings that would take the sum past the limit with the stored programs, all or
    /// nothing, as `check` does; a file within it goes through.
    @Test func anImportThatWouldOverflowIsRefusedWhole() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try sandbox.exampleWorkspace()
        let before = try workspace.status().counts
        let logged = try workspace.importLog().count
        var text = "order_id,line,partner_id,booked_on,shipped_on,sku,amount,currency\n"
        // NL1001 in VIP25-6M's period (booked) and VIP25-3M's (shipped): each line counts in both, 2 × 10^15 cents a line.
        for index in 0..<4_600 { text += "HUGE\(index),1,NL1001,2015-05-01,2015-05-10,UCS-B200M4-U,10000000000000.00,USD\n" }
        let file = try sandbox.write(text, to: "huge.csv")
        let lines = reportErrorLines { _ = try workspace.importFile(.bookings, path: file) }
        #expect(lines.count == 1, "\(lines)")
        #expect(lines.first?.hasPrefix("\(workspace.path) (bookings): amount \"10000000000000.00\": order HUGE") == true, "\(lines)")
        #expect(lines.first?.contains(": partner NL1001, program VIP25-") == true, "\(lines)")
        #expect(try workspace.status().counts == before)
        #expect(try workspace.importLog().count == logged)
        // Half of it fits: 2,300 lines.
        let half = try sandbox.write(text.split(separator: "\n").prefix(2_301).joined(separator: "\n") + "\n", to: "half.csv")
        let outcome = try workspace.importFile(.bookings, path: half)
        #expect(outcome.files.first?.added == 2_300)
    }
}
