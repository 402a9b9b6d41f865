import Foundation
import GRDB
import IncentiveEngine
import IncentiveLedger

/// Reading a wallet's events from the workspace for the pure `Wallet` (IncentiveLedger), and writing what it decides.
enum FundsLoad {
    /// A request's or claim's program and partner (its wallet).
    struct Owner: Hashable {
        var programID: String
        var partnerID: String
    }

    static func day(_ text: String) throws -> Day {
        guard let day = Day(iso: String(text.prefix(10))) else { throw WorkspaceError(.damaged, "the funds tables hold a malformed date \(text)") }
        return day
    }

    /// The wallet of `partner` in `program`: its allocations (by when they were recorded) merged with the funds
    /// events (by `seq`), and the `claim_paid` and `expired` entries already posted.
    static func wallet(_ db: Database, program: String, partner: String, currency fallback: String) throws -> Wallet {
        struct Ordered {
            var at: String
            var seq: Int
            var step: WalletStep
        }
        var allocations: [Ordered] = []
        var currency = fallback
        for row in try Row.fetchAll(
            cached: db,
            sql: """
                SELECT id, amount_cents, effective_on, valid_through, at, currency FROM ledger_entries
                WHERE partner_id = ? AND program_id = ? AND kind = 'allocation' ORDER BY at, id
                """, arguments: [partner, program])
        {
            let validThrough: String? = row[3]
            guard let validThrough else { throw WorkspaceError(.damaged, "allocation entry \(row[0] as Int) has no last usable day") }
            currency = row[5]
            allocations.append(
                Ordered(
                    at: row[4], seq: row[0],
                    step: WalletStep(
                        day: try day(row[2]), event: .allocation(id: row[0], amount: Money(cents: row[1]), validThrough: try day(validThrough)))))
        }
        var events: [Ordered] = []
        let arguments: StatementArguments = [partner, program]
        for row in try Row.fetchAll(
            cached: db,
            sql: "SELECT id, seq, planned_cost_cents, starts_on, ends_on, at FROM fund_requests WHERE partner_id = ? AND program_id = ?",
            arguments: arguments)
        {
            events.append(
                Ordered(
                    at: row[5], seq: row[1],
                    step: WalletStep(
                        day: try day(row[5]),
                        event: .requestFiled(id: row[0], plannedCost: Money(cents: row[2]), startsOn: try day(row[3]), endsOn: try day(row[4])))))
        }
        for row in try Row.fetchAll(
            cached: db,
            sql: """
                SELECT e.request_id, e.seq, e.status, e.approved_cents, e.at FROM fund_request_events e JOIN fund_requests r ON r.id = e.request_id
                WHERE r.partner_id = ? AND r.program_id = ?
                """, arguments: arguments)
        {
            let id: Int = row[0]
            let status: String = row[2]
            let event: WalletEvent
            switch status {
            case "approved": event = .requestApproved(id: id, amount: Money(cents: row[3] as Int64? ?? 0))
            case "rejected": event = .requestRejected(id: id)
            default: event = .requestWithdrawn(id: id)
            }
            events.append(Ordered(at: row[4], seq: row[1], step: WalletStep(day: try day(row[4]), event: event)))
        }
        for row in try Row.fetchAll(
            cached: db,
            sql: """
                SELECT c.id, c.seq, c.request_id, c.actual_cost_cents, c.submitted_on, c.at FROM claims c JOIN fund_requests r ON r.id = c.request_id
                WHERE r.partner_id = ? AND r.program_id = ?
                """, arguments: arguments)
        {
            events.append(
                Ordered(
                    at: row[5], seq: row[1],
                    step: WalletStep(
                        day: try day(row[4]), event: .claimSubmitted(id: row[0], requestID: row[2], actualCost: Money(cents: row[3])))))
        }
        for row in try Row.fetchAll(
            cached: db,
            sql: """
                SELECT e.claim_id, e.seq, e.status, e.approved_cents, e.reference, e.paid_on, e.at FROM claim_events e
                JOIN claims c ON c.id = e.claim_id JOIN fund_requests r ON r.id = c.request_id
                WHERE r.partner_id = ? AND r.program_id = ?
                """, arguments: arguments)
        {
            let id: Int = row[0]
            let status: String = row[2]
            var stepDay = try day(row[6])
            let event: WalletEvent
            switch status {
            case "approved": event = .claimApproved(id: id, amount: Money(cents: row[3] as Int64? ?? 0))
            case "rejected": event = .claimRejected(id: id)
            case "paid":
                event = .claimPaid(id: id, reference: row[4] as String? ?? "")
                if let paidOn = row[5] as String? { stepDay = try day(paidOn) }
            default: event = .claimWithdrawn(id: id)
            }
            events.append(Ordered(at: row[6], seq: row[1], step: WalletStep(day: stepDay, event: event)))
        }
        events.sort { $0.seq < $1.seq }
        // Allocations go before the first funds event recorded after them (the wallet then orders by day).
        var steps: [WalletStep] = []
        steps.reserveCapacity(allocations.count + events.count)
        var next = 0
        for event in events {
            while next < allocations.count, allocations[next].at <= event.at {
                steps.append(allocations[next].step)
                next += 1
            }
            steps.append(event.step)
        }
        steps += allocations[next...].map(\.step)
        var posted: [PostedFundsEntry] = []
        for row in try Row.fetchAll(
            cached: db,
            sql: """
                SELECT kind, claim_id, allocation_id, effective_on, amount_cents FROM ledger_entries
                WHERE partner_id = ? AND program_id = ? AND kind IN ('claim_paid', 'expired')
                """, arguments: arguments)
        {
            let kind: String = row[0]
            let isClaim = kind == EntryKind.claimPaid.rawValue
            let source: Int? = isClaim ? row[1] : row[2]
            posted.append(
                PostedFundsEntry(
                    kind: isClaim ? .claimPaid : .expired, sourceID: source ?? 0, effectiveOn: try day(row[3]),
                    amount: Money(cents: row[4])))
        }
        return Wallet(programID: program, partnerID: partner, currency: currency, steps: steps, posted: posted)
    }

    /// The next `seq` of the funds event tables.
    static func nextSeq(_ db: Database) throws -> Int {
        let largest = try Int.fetchOne(
            cached: db,
            sql: """
                SELECT MAX(m) FROM (SELECT MAX(seq) AS m FROM fund_requests UNION ALL SELECT MAX(seq) FROM fund_request_events
                UNION ALL SELECT MAX(seq) FROM claims UNION ALL SELECT MAX(seq) FROM claim_events)
                """)
        return (largest ?? 0) + 1
    }

    /// Writes `entries` (what a wallet says is due), each with who and when.
    static func post(_ db: Database, _ entries: [LedgerEntry], at: String, actor: Actor) throws {
        for entry in entries {
            var claim: Int?, allocation: Int?
            switch entry.source {
            case .claim(let id): claim = id
            case .allocation(let id): allocation = id
            case .approval, .payment: break
            }
            try db.execute(
                sql: """
                    INSERT INTO ledger_entries(kind, program_id, partner_id, item, amount_cents, currency, effective_on, valid_through, claim_id,
                    allocation_id, at, actor_kind, actor) VALUES (?, ?, ?, NULL, ?, ?, ?, NULL, ?, ?, ?, ?, ?)
                    """,
                arguments: [
                    entry.kind.rawValue, entry.programID, entry.partnerID, entry.amount.cents, entry.currency, entry.effectiveOn.description, claim,
                    allocation, at, actor.kind.rawValue, actor.name,
                ])
        }
    }

    /// `expired 1 on 2024-08-15 -600.00 EUR`, joined by `, `.
    static func describe(_ entries: [LedgerEntry]) -> String {
        entries.map { entry in
            let source: String
            switch entry.source {
            case .claim(let id): source = "claim \(id)"
            case .allocation(let id): source = "allocation \(id)"
            case .approval(let id): source = "approval \(id)"
            case .payment(let id): source = "payment \(id)"
            }
            return "\(entry.kind.rawValue) \(entry.amount.plainText) \(entry.currency) on \(entry.effectiveOn) (\(source))"
        }.joined(separator: ", ")
    }
}
