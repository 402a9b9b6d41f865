import IncentiveEngine
import Testing

@testable import IncentiveSheets

/// The results as sheets: the summary's figures, the currency in the headers, ids as text.
@Suite struct WriteReportsTests {
    static func program(_ id: String, currency: String) -> Program {
        Program(
            id: id, name: "Program \(id)", currency: currency,
            period: DayRange(start: Day(year: 2015, month: 1, day: 25)!, end: Day(year: 2015, month: 7, day: 25)!),
            rules: .mdf(MDFRules(intendedUseRules: [], tiers: [:])))
    }

    static func row(_ program: String, _ partner: String, amount: Int64, missed: Int64, eligible: Bool) -> ResultRow {
        ResultRow(
            program: program, kind: .mdf, partnerID: partner, item: "gold", qualifyingVolume: Money(cents: 5_750_075),
            threshold: Money(cents: 5_000_000), eligible: eligible, amount: Money(cents: amount), missedAmount: Money(cents: missed), checks: [])
    }

    static func result(currencies: [String]) -> ComputeResult {
        ComputeResult(
            programs: currencies.enumerated().map { index, currency in
                let id = "P\(index + 1)"
                return ProgramResult(
                    program: program(id, currency: currency),
                    partners: [
                        PartnerResult(partnerID: "000123", status: .eligible, rows: [row(id, "000123", amount: 123_456, missed: 0, eligible: true)]),
                        PartnerResult(partnerID: "NL1002", status: .ineligible, rows: [row(id, "NL1002", amount: 0, missed: 1, eligible: false)]),
                        PartnerResult(partnerID: "NL1003", status: .notTakingPart, rows: []),
                    ])
            })
    }

    @Test func oneCurrencyIsInTheHeaders() throws {
        let book = WriteReports.results(Self.result(currencies: ["EUR"]))
        #expect(book.sheets.map(\.name) == ["Summary", "P1"])
        let summary = book.sheets[0]
        #expect(summary.columns.map(\.title).suffix(2) == ["Paid (EUR)", "Missed (EUR)"])
        // 2 partners taking part, 1 eligible, 2 rows, 1 eligible row, paid 1,234.56, missed 0.01.
        #expect(
            summary.rows == [
                [
                    .text("P1"), .text("Program P1"), .text("mdf"), .text("EUR"), .date(Day(year: 2015, month: 1, day: 25)!),
                    .date(Day(year: 2015, month: 7, day: 25)!), .integer(2), .integer(1), .integer(2), .integer(1), .money(Money(cents: 123_456)),
                    .money(Money(cents: 1)),
                ]
            ])
        let sheet = book.sheets[1]
        #expect(
            sheet.columns.map(\.title) == [
                "Partner", "Item", "Qualifying volume (EUR)", "Threshold (EUR)", "Eligible", "Paid (EUR)", "Missed (EUR)", "Reasons",
            ])
        #expect(sheet.rows.first?.first == .text("000123"))
        #expect(sheet.rows.count == 2)
    }

    @Test func mixedCurrenciesAreNamedPerProgram() {
        let book = WriteReports.results(Self.result(currencies: ["EUR", "USD"]))
        let summary = book.sheets[0]
        #expect(summary.columns.map(\.title).suffix(2) == ["Paid", "Missed"])
        #expect(summary.rows.map { $0[3] } == [.text("EUR"), .text("USD")])
        #expect(book.sheets[2].columns[5].title == "Paid (USD)")
    }

    /// A program whose id is not a valid sheet name, or clashes with the summary, still gets a sheet of its own.
    @Test func programSheetsAreNamedAsExcelAllows() throws {
        var result = Self.result(currencies: ["EUR", "EUR"])
        result.programs[0].program.id = "summary"
        result.programs[1].program.id = "VIP/2015:H1"
        let names = XLSXNames.unique(WriteReports.results(result).sheets.map(\.name))
        #expect(names == ["Summary", "summary (2)", "VIP_2015_H1"])
    }
}
