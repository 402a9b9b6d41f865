import IncentiveEngine
import IncentiveLedger
import Testing

@Suite struct ValidityTests {
    /// ledger.md's two examples, and the ends of months and years.
    @Test(arguments: [
        ("2023-08-15", 12, "2024-08-14"),
        ("2023-08-31", 6, "2024-02-28"),
        ("2023-08-31", 18, "2025-02-27"),
        ("2024-02-29", 12, "2025-02-27"),
        ("2023-01-31", 1, "2023-02-27"),
        ("2023-12-01", 1, "2023-12-31"),
        ("2023-11-30", 3, "2024-02-28"),
        ("2023-03-01", 12, "2024-02-29"),
    ])
    func lastUsableDay(approved: String, months: Int, through: String) throws {
        let day = try #require(Day(iso: approved))
        #expect(Validity.lastUsableDay(approvedOn: day, months: months).description == through)
    }
}
