import IncentiveEngine
import IncentiveLedger
import Testing

@Suite struct PayoutValidationTests {
    static let context = PaymentContext(
        isKnownPartner: { ["NL1001", "NL1003"].contains($0) }, programs: ["VIP25-6M": (.vip, "EUR"), "MDF": (.mdf, "EUR")],
        stored: [
            "PAY-1": PaymentRecord(
                id: 1, reference: "PAY-1", programID: "VIP25-6M", partnerID: "NL1001", amount: Money(cents: 120_000), currency: "EUR",
                paidOn: Day(iso: "2023-10-20")!)
        ])

    static func input(_ line: Int, _ values: String) -> PaymentValidation.Input {
        PaymentValidation.Input(
            file: "payments.csv", line: line, values: values.split(separator: ",", omittingEmptySubsequences: false).map(String.init))
    }

    @Test func goodPaymentsAndOneAlreadyRecorded() {
        let outcome = PaymentValidation.check(
            [Self.input(2, "NL1001,VIP25-6M,1200.00,EUR,PAY-1,2023-10-20"), Self.input(3, "NL1003,VIP25-6M,0.5,EUR,PAY-2,2024-01-31")],
            context: Self.context)
        #expect(!outcome.problems.hasErrors)
        #expect(outcome.alreadyRecorded.map(\.reference) == ["PAY-1"])
        #expect(outcome.new.map(\.payment.amount.cents) == [50])
        #expect(outcome.new.map(\.line) == [3])
    }

    /// Every problem is reported with file, line, column and value.
    @Test func everyProblemIsNamed() {
        let outcome = PaymentValidation.check(
            [
                Self.input(2, "XX9,VIP25-6M,12.345,USD,PAY-9,2024-02-30"),
                Self.input(3, "NL1001,MDF,-5,EUR,PAY-9,2024-01-01"),
                Self.input(4, "NL1001,VIP25-6M,1200.00,EUR,PAY-1,2023-10-21"),
                Self.input(5, "NL1001,NOPE,0,EUR, ,2024-01-01"),
            ], context: Self.context)
        let lines = outcome.problems.lines(severity: .error)
        #expect(outcome.new.isEmpty)
        #expect(lines.contains("payments.csv:2: partner_id \"XX9\": unknown partner (import it first)"))
        #expect(lines.contains("payments.csv:2: amount \"12.345\": expected an amount with at most 2 decimals"))
        #expect(lines.contains("payments.csv:2: currency \"USD\": VIP25-6M pays in EUR"))
        #expect(lines.contains("payments.csv:2: paid_on \"2024-02-30\": expected a date YYYY-MM-DD"))
        #expect(lines.contains("payments.csv:3: program_id \"MDF\": an MDF program is not paid by payments: its funds are paid through claims"))
        #expect(lines.contains("payments.csv:3: amount \"-5\": an amount must not be negative"))
        #expect(lines.contains("payments.csv:3: reference \"PAY-9\": the reference is given twice (first on line 2); a reference is unique"))
        #expect(
            lines.contains(
                "payments.csv:4: reference \"PAY-1\": the reference is already recorded with other values (NL1001 VIP25-6M 1200.00 EUR paid on 2023-10-20); a reference is unique"
            ))
        #expect(lines.contains { $0.hasPrefix("payments.csv:5: program_id \"NOPE\": unknown program") })
        #expect(lines.contains("payments.csv:5: amount \"0\": the amount must be greater than 0"))
        #expect(lines.contains("payments.csv:5: reference \" \": a reference (credit memo or payment number) is required"))
        #expect(outcome.problems.errorCount == 11)
    }
}
