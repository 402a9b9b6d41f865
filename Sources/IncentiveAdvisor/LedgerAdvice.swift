import Foundation
import IncentiveEngine

/// What a partner's ledger says it should act on (issue 17 point 7): MDF funds about to lapse, claims waiting for a
/// decision or a payment, and the balance due per cash program. The front ends read these from the workspace (by
/// partner, through its indexes) and the advice words them here, in the reader's language.
public struct LedgerOutlook: Sendable, Hashable {
    public struct Balance: Sendable, Hashable {
        public var programID, currency: String
        public var amount: Money
        public init(programID: String, currency: String, amount: Money) {
            (self.programID, self.currency, self.amount) = (programID, currency, amount)
        }
    }
    public struct Expiring: Sendable, Hashable {
        public var programID, currency: String
        public var amount: Money
        /// The last day the funds are usable; they lapse the day after.
        public var lastDay: Day
        public init(programID: String, currency: String, amount: Money, lastDay: Day) {
            (self.programID, self.currency, self.amount, self.lastDay) = (programID, currency, amount, lastDay)
        }
    }
    public struct PendingClaim: Sendable, Hashable {
        public var programID, currency: String
        public var claimID: Int
        public var amount: Money
        /// Approved (waiting for its payment) or only submitted (waiting for a decision).
        public var approved: Bool
        public init(programID: String, currency: String, claimID: Int, amount: Money, approved: Bool) {
            (self.programID, self.currency, self.claimID, self.amount, self.approved) = (programID, currency, claimID, amount, approved)
        }
    }

    public var expiring: [Expiring]
    public var pendingClaims: [PendingClaim]
    /// Non-zero balances only.
    public var balances: [Balance]

    public init(expiring: [Expiring], pendingClaims: [PendingClaim], balances: [Balance]) {
        (self.expiring, self.pendingClaims, self.balances) = (expiring, pendingClaims, balances)
    }

    /// Funds expiring within this many days are worth a line.
    public static let expiryHorizonDays = 90
}

/// The ledger advice's sentences; `{amount}`, `{program}`, `{date}`, `{claim}` are filled in.
public struct LedgerWords: Sendable {
    public var expiring, claimSubmitted, claimApproved, balanceDue, owedBack: String

    public static let english = LedgerWords(
        expiring: "{amount} of MDF funds in {program} lapse after {date} unless a fund request is approved for them",
        claimSubmitted: "Claim {claim} in {program} ({amount}) is waiting for approval",
        claimApproved: "Claim {claim} in {program} ({amount}) is approved and waiting for its payment",
        balanceDue: "Balance due in {program}: {amount}", owedBack: "{program}: {amount} paid beyond the entitlement, to be offset or repaid")
    public static let dutch = LedgerWords(
        expiring: "{amount} aan MDF-fondsen in {program} vervalt na {date}, tenzij er een aanvraag voor wordt goedgekeurd",
        claimSubmitted: "Declaratie {claim} in {program} ({amount}) wacht op goedkeuring",
        claimApproved: "Declaratie {claim} in {program} ({amount}) is goedgekeurd en wacht op betaling",
        balanceDue: "Nog te betalen in {program}: {amount}", owedBack: "{program}: {amount} meer betaald dan het recht, te verrekenen of terug te betalen")
}

public enum LedgerAdvice {
    /// One line per expiring allocation (soonest first), pending claim and non-zero balance.
    public static func lines(_ outlook: LedgerOutlook, words: LedgerWords, format: AdviceFormat) -> [String] {
        func fill(_ text: String, _ values: [String: String]) -> String {
            values.reduce(text) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
        }
        func money(_ amount: Money, _ currency: String) -> String { "\(format.money(amount)) \(currency)" }
        var lines: [String] = []
        for funds in outlook.expiring.sorted(by: { ($0.lastDay, $0.programID) < ($1.lastDay, $1.programID) }) {
            lines.append(fill(words.expiring, ["amount": money(funds.amount, funds.currency), "program": funds.programID, "date": format.date(funds.lastDay)]))
        }
        for claim in outlook.pendingClaims {
            lines.append(
                fill(
                    claim.approved ? words.claimApproved : words.claimSubmitted,
                    ["claim": String(claim.claimID), "program": claim.programID, "amount": money(claim.amount, claim.currency)]))
        }
        for balance in outlook.balances where balance.amount.cents != 0 {
            let owed = balance.amount.cents < 0
            let amount = owed ? Money(cents: -balance.amount.cents) : balance.amount
            lines.append(fill(owed ? words.owedBack : words.balanceDue, ["program": balance.programID, "amount": money(amount, balance.currency)]))
        }
        return lines
    }
}

extension LedgerOutlook {
    /// The outlook's facts in the order the advice tells them: funds lapsing soonest first, claims by id, the non-zero
    /// balances by program.
    public var ordered: LedgerOutlook {
        LedgerOutlook(
            expiring: expiring.sorted { ($0.lastDay, $0.programID) < ($1.lastDay, $1.programID) },
            pendingClaims: pendingClaims.sorted { $0.claimID < $1.claimID },
            balances: balances.filter { $0.amount.cents != 0 }.sorted { $0.programID < $1.programID })
    }

    /// The outlook as typed fields: `ledger` of `advise --format json` (docs/advice.md, "The ledger"). Amounts are decimal
    /// strings in the program's currency, days ISO dates.
    public struct Document: Encodable, Sendable {
        public struct Funds: Encodable, Sendable {
            public var program_id, currency, amount, last_day: String
        }
        public struct Claim: Encodable, Sendable {
            public var claim_id: Int
            public var program_id, currency, amount, status: String
        }
        public struct Balance: Encodable, Sendable {
            public var program_id, currency, amount: String
        }
        /// Funds lapsing within this many days of the advice day are listed.
        public var horizon_days: Int
        public var expiring_funds: [Funds]
        public var pending_claims: [Claim]
        public var balances_due: [Balance]

        public init(_ outlook: LedgerOutlook) {
            let outlook = outlook.ordered
            horizon_days = LedgerOutlook.expiryHorizonDays
            expiring_funds = outlook.expiring.map {
                Funds(program_id: $0.programID, currency: $0.currency, amount: $0.amount.plainText, last_day: $0.lastDay.description)
            }
            pending_claims = outlook.pendingClaims.map {
                Claim(
                    claim_id: $0.claimID, program_id: $0.programID, currency: $0.currency, amount: $0.amount.plainText,
                    status: $0.approved ? "approved" : "submitted")
            }
            balances_due = outlook.balances.map { Balance(program_id: $0.programID, currency: $0.currency, amount: $0.amount.plainText) }
        }
    }
}
