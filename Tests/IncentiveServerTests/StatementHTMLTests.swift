import IncentiveEngine
import Testing

@testable import IncentiveServer

/// `StatementHTML` (the statement page written by hand) gives the bytes `statement.mustache` gives, for statements
/// of every shape: none at all, a program without approvals, an MDF program without payments, payments and other
/// entries, text that must be escaped, in both languages.
@Suite struct StatementHTMLTests {
    typealias Page = LedgerPages.StatementPage

    static func program(approvals: Int, items: Int, payments: Int?, others: Int, cash: Bool, text: String) -> Page.Program {
        Page.Program(
            heading: "VIP25-6M (VIP, USD) \(text)",
            approvals: (0..<approvals).map { index in
                Page.Approval(
                    heading: "Sep \(index + 1), 2015 · approval \(index) \(text)",
                    items: (0..<items).map { Page.Item(item: "item \($0) \(text)", entitlement: "\($0),352.00 USD", delta: "-\($0)00.00 USD") },
                    entitlement: "5,352.00 USD", delta: "-200.00 USD")
            },
            payments: (0..<(payments ?? 0)).map { Page.Payment(date: "Sep \($0 + 1), 2015", reference: "PAY-\($0) \(text)", amount: "9,002.04 USD") },
            showPayments: payments != nil, noPayments: (payments ?? 0) == 0,
            others: (0..<others).map { Page.Entry(date: "Oct \($0 + 1), 2023", kind: "claim_paid", amount: "-100.00 USD \(text)") },
            hasOthers: others > 0, entitled: "5,352.00 USD", paid: "9,002.04 USD", balance: "-3,650.04 USD", balanceName: "Balance due \(text)",
            isCash: cash)
    }

    @Test(arguments: Language.allCases) func theHandWrittenPageIsTheTemplatesPage(language: Language) throws {
        let texts = ["", "<b>&\"'</b>", "café · 東京"]
        var pages: [Page] = []
        for text in texts {
            let programs = [
                Self.program(approvals: 0, items: 0, payments: 0, others: 0, cash: true, text: text),
                Self.program(approvals: 2, items: 3, payments: 2, others: 0, cash: true, text: text),
                Self.program(approvals: 1, items: 0, payments: nil, others: 2, cash: false, text: text),
                Self.program(approvals: 1, items: 1, payments: 0, others: 1, cash: false, text: text),
            ]
            for count in 0...programs.count {
                pages.append(
                    Page(
                        w: LedgerText.words(language), partner: "NL1001\(text)", asOf: "Dec 31, 2015\(text)", programs: Array(programs.prefix(count)),
                        isEmpty: count == 0, fundsLink: "/partners/NL1001/funds?x=\(text)"))
            }
        }
        for page in pages {
            let expected = try Templates.shared.render(.statement, page)
            #expect(StatementHTML.render(page) == expected, "\(page.partner) \(page.programs.count)")
        }
        #expect(pages.count == 15)
    }
}
