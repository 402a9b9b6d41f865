import IncentiveSheets
import Testing

@Suite struct SheetsTargetTests {
    @Test func targetLinks() { #expect(String(describing: Sheets.self) == "Sheets") }
}
