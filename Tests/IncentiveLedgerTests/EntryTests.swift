import IncentiveEngine
import IncentiveLedger
import Testing

@Suite struct EntryTests {
    @Test func everyKindIsStoredByItsLedgerName() {
        #expect(EntryKind.allCases.map(\.rawValue) == ["entitlement", "payment", "allocation", "claim_paid", "expired"])
    }
}
