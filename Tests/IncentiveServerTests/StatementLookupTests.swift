import Mustache
import Testing

@testable import IncentiveServer

/// The hand-written `child(named:)` of the statement page's models answers what Mustache's `Mirror` lookup would.
@Suite struct StatementLookupTests {
    @Test func everyPropertyIsFoundAsByReflection() {
        typealias Page = LedgerPages.StatementPage
        let item = Page.Item(item: "voice", entitlement: "5,352.00 USD", delta: "-200.00 USD")
        let approval = Page.Approval(heading: "Approval 2 (final, run 2)", items: [item], entitlement: "5,352.00 USD", delta: "-200.00 USD")
        let payment = Page.Payment(date: "Sep 1, 2015", reference: "PAY-1", amount: "9,002.04 USD")
        let entry = Page.Entry(date: "Oct 1, 2023", kind: "claim_paid", amount: "-100.00 USD")
        let program = Page.Program(
            heading: "VIP25-6M (VIP, USD)", approvals: [approval], payments: [payment], showPayments: true, noPayments: false, others: [entry],
            hasOthers: true, entitled: "5,352.00 USD", paid: "9,002.04 USD", balance: "-3,650.04 USD", balanceName: "Balance due", isCash: true)
        let page = Page(
            w: ["statement": "Statement"], partner: "NL1001", asOf: "Dec 31, 2015", programs: [program], isEmpty: false,
            fundsLink: "/partners/NL1001/funds")
        PageLookupTests.agrees(page)
        PageLookupTests.agrees(program)
        PageLookupTests.agrees(approval)
        PageLookupTests.agrees(item)
        PageLookupTests.agrees(payment)
        PageLookupTests.agrees(entry)
    }
}
