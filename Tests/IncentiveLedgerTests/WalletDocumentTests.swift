import Foundation
import IncentiveEngine
import IncentiveLedger
import Testing

/// The one wallet document of `funds show --format json` and `GET /api/v1/partners/{id}/funds` (docs/funds.md).
@Suite struct WalletDocumentTests {
    /// ledger.md's validity example the day after its last usable day: 1,000.00 EUR lapse, due as an `expired` entry
    /// whose source is the allocation entry 1.
    @Test func theDocumentHoldsTheWalletsUnderWalletsWithTheDueEntriesSources() throws {
        let wallet = WalletTests.wallet([WalletTests.allocation(1, 100_000, approved: "2023-08-15")])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let json = String(decoding: try encoder.encode(WalletDocument.List([wallet.state(asOf: WalletTests.day("2024-08-15"))])), as: UTF8.self)
        #expect(
            json
                == #"{"wallets":[{"allocations":[{"amount":"1000.00","effective_on":"2023-08-15","free":"0.00","held":"0.00","id":1,"lapsed":"1000.00","spent":"0.00","valid_through":"2024-08-14"}],"as_of":"2024-08-15","available":"0.00","claims":[],"currency":"EUR","debt":"0.00","due":[{"amount":"-1000.00","effective_on":"2024-08-15","kind":"expired","source":1}],"free":"0.00","funds":"0.00","held":"0.00","partner_id":"NL01","pending":"0.00","program_id":"MDF","requests":[]}]}"#
        )
    }
}
