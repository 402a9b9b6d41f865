import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger
import Testing

@testable import IncentiveStore

@Suite struct PaymentTests {
    @Test func aReferenceIsUniqueAndTheSamePaymentAgainChangesNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        let first = try workspace.addPayment(
            partner: "NL1001", program: "VIP25-6M", amount: "1200.00", currency: "USD", reference: "PAY-1", paidOn: "2015-09-01")
        #expect(first.added.map(\.reference) == ["PAY-1"])
        #expect(first.added.map(\.id) == [1])
        let audit = try LedgerFixture.count(workspace, "audit_log")
        let again = try workspace.addPayment(
            partner: "NL1001", program: "VIP25-6M", amount: "1200.00", currency: "USD", reference: "PAY-1", paidOn: "2015-09-01")
        #expect(again.added.isEmpty)
        #expect(again.alreadyRecorded.map(\.id) == [1])
        #expect(try LedgerFixture.count(workspace, "audit_log") == audit)
        let other = #expect(throws: DiagnosticReport.self) {
            try workspace.addPayment(
                partner: "NL1001", program: "VIP25-6M", amount: "1200.01", currency: "USD", reference: "PAY-1", paidOn: "2015-09-01",
                source: "payments add")
        }
        #expect(
            other?.errorLines == [
                "payments add: reference \"PAY-1\": the reference is already recorded with other values (NL1001 VIP25-6M 1200.00 USD paid on 2015-09-01); a reference is unique"
            ])
        #expect(try workspace.payments().count == 1)
        let entries = try workspace.ledgerEntries().items
        #expect(entries.map(\.entry.kind) == [.payment])
        #expect(entries.map(\.entry.amount.cents) == [-120_000])
        #expect(entries.map(\.entry.source) == [.payment(1)])
        #expect(try workspace.auditLog(AuditFilter(action: "payment")).items.map(\.subject) == ["PAY-1"])
    }

    /// A bad payments.csv writes nothing, and names file, line, column and value of every problem.
    @Test func aBadFileWritesNothingAndNamesEveryProblem() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        let file = try sandbox.write(
            """
            partner_id,program_id,amount,currency,reference,paid_on
            NL1001,VIP25-6M,1200.00,USD,PAY-1,2015-09-01
            NL1003,VIP25-6M,"12,50",USD,PAY-2,2015-09-01
            NL1005,PROVIDER-MDF-FY23-H2,10.00,USD,PAY-3,2015-09-01
            NL1003,VIP25-3M,10.00,EUR,PAY-1,2015-09-31

            """, to: "payments.csv")
        let revision = try workspace.revision()
        let report = #expect(throws: DiagnosticReport.self) { try workspace.importPayments(path: file, displayName: "payments.csv") }
        #expect(
            report?.errorLines == [
                "payments.csv:3: amount \"12,50\": expected an amount: a decimal with '.' as separator and at most 2 decimals, no thousands separators or currency signs",
                "payments.csv:4: program_id \"PROVIDER-MDF-FY23-H2\": an MDF program is not paid by payments: its funds are paid through claims",
                "payments.csv:5: currency \"EUR\": VIP25-3M pays in USD",
                "payments.csv:5: reference \"PAY-1\": the reference is given twice (first on line 2); a reference is unique",
                "payments.csv:5: paid_on \"2015-09-31\": expected a date YYYY-MM-DD",
            ])
        #expect(try workspace.payments().isEmpty)
        #expect(try workspace.ledgerEntries().total == 0)
        #expect(try workspace.revision() == revision)

        let header = try sandbox.write("partner,program_id,amount,currency,reference,paid_on\n", to: "header.csv")
        let wrong = #expect(throws: DiagnosticReport.self) { try workspace.importPayments(path: header, displayName: "header.csv") }
        #expect(wrong?.errorLines.first?.hasPrefix("header.csv:1: ") == true)
        #expect(wrong?.errorLines.first?.contains("expected the columns partner_id,program_id,amount,currency,reference,paid_on") == true)
    }

    @Test func aGoodFileIsRecordedWholeAndAgainChangesNothing() throws {
        let sandbox = try Sandbox()
        defer { sandbox.remove() }
        let workspace = try LedgerFixture.workspace(sandbox)
        let file = try sandbox.write(
            """
            partner_id,program_id,amount,currency,reference,paid_on
            NL1001,VIP25-6M,1200.00,USD,PAY-1,2015-09-01
            DE3001,VIP25-3M,0.01,USD,PAY-2,2015-09-02

            """, to: "payments.csv")
        let outcome = try workspace.importPayments(path: file)
        #expect(outcome.added.map(\.reference) == ["PAY-1", "PAY-2"])
        #expect(try workspace.ledgerEntries().items.map(\.entry.amount.cents) == [-120_000, -1])
        let audit = try workspace.auditLog(AuditFilter(action: "payments_import")).items
        #expect(audit.map(\.subject) == ["payments.csv"])
        #expect(audit.map(\.detail) == ["2 payments added (1200.01), 0 already recorded"])
        let again = try workspace.importPayments(path: file)
        #expect(again.added.isEmpty && again.alreadyRecorded.count == 2)
        #expect(try workspace.ledgerEntries().total == 2)
        #expect(try workspace.payments(partner: "DE3001").map(\.amount.cents) == [1])
    }
}
