import IncentiveEngine
import IncentiveLedger
import Testing

/// The MDF wallet (ledger.md "MDF funds", docs/funds.md) with numbers worked out by hand.
@Suite struct WalletTests {
    static func day(_ text: String) -> Day { Day(iso: text)! }
    static func money(_ cents: Int64) -> Money { Money(cents: cents) }

    /// A wallet of partner NL01 in program MDF (EUR) with `steps` given as (day, event).
    static func wallet(_ steps: [(String, WalletEvent)], posted: [PostedFundsEntry] = []) -> Wallet {
        Wallet(programID: "MDF", partnerID: "NL01", currency: "EUR", steps: steps.map { WalletStep(day: day($0.0), event: $0.1) }, posted: posted)
    }

    static func allocation(_ id: Int, _ cents: Int64, approved: String, months: Int = 12) -> (String, WalletEvent) {
        (approved, .allocation(id: id, amount: money(cents), validThrough: Validity.lastUsableDay(approvedOn: day(approved), months: months)))
    }

    /// (kind, source id, effective on, cents) of entries, for comparing.
    static func lines(_ entries: [LedgerEntry]) -> [String] {
        entries.map { entry in
            let source: Int
            switch entry.source {
            case .claim(let id), .allocation(let id), .approval(let id), .payment(let id): source = id
            }
            return "\(entry.kind.rawValue) \(source) \(entry.effectiveOn) \(entry.amount.plainText) \(entry.currency)"
        }
    }

    /// ledger.md: approved 2023-08-15 with 12 months, usable through 2024-08-14; what it still holds lapses the day after.
    @Test func validityExampleThroughTheWallet() {
        let wallet = Self.wallet([Self.allocation(1, 100_000, approved: "2023-08-15")])
        let lastDay = wallet.state(asOf: Self.day("2024-08-14"))
        #expect(lastDay.allocations.map(\.validThrough) == [Self.day("2024-08-14")])
        #expect(lastDay.free == Self.money(100_000))
        #expect(lastDay.available == Self.money(100_000))
        #expect(lastDay.entries.isEmpty)
        let dayAfter = wallet.state(asOf: Self.day("2024-08-15"))
        #expect(dayAfter.free == .zero)
        #expect(dayAfter.funds == .zero)
        #expect(dayAfter.allocations.map(\.lapsed) == [Self.money(100_000)])
        #expect(Self.lines(dayAfter.entries) == ["expired 1 2024-08-15 -1000.00 EUR"])
        #expect(Self.lines(dayAfter.due) == ["expired 1 2024-08-15 -1000.00 EUR"])
        // Once posted, nothing more is due.
        let posted = Self.wallet(
            [Self.allocation(1, 100_000, approved: "2023-08-15")],
            posted: [PostedFundsEntry(kind: .expired, sourceID: 1, effectiveOn: Self.day("2024-08-15"), amount: Self.money(-100_000))])
        #expect(posted.state(asOf: Self.day("2024-08-15")).due.isEmpty)
        #expect(posted.state(asOf: Self.day("2025-01-01")).due.isEmpty)
        // A past view ignores an entry posted after it.
        #expect(posted.state(asOf: Self.day("2024-08-14")).due.isEmpty)
    }

    /// ledger.md's second validity example: approved 2023-08-31 with 6 months, through 2024-02-28.
    @Test func sixMonthsFromTheEndOfAMonth() {
        let wallet = Self.wallet([Self.allocation(7, 5_000, approved: "2023-08-31", months: 6)])
        #expect(wallet.state(asOf: Self.day("2024-02-28")).free == Self.money(5_000))
        #expect(Self.lines(wallet.state(asOf: Self.day("2024-02-29")).due) == ["expired 7 2024-02-29 -50.00 EUR"])
    }

    /// A1 500.00 (through 2024-01-09) and A2 800.00 (through 2024-05-31). R1 approved for 700.00 holds A1's 500.00
    /// and 200.00 of A2; R2 pending for 250.00. A1 has nothing free to lapse. R1's claim paid for 650.00 uses A1's
    /// 500.00 and 150.00 of A2, releasing 50.00 to A2; A2's 650.00 lapse on 2024-06-01.
    @Test func oldestFirstConsumptionAndRelease() throws {
        var wallet = Self.wallet([
            Self.allocation(2, 80_000, approved: "2023-06-01"),
            Self.allocation(1, 50_000, approved: "2023-01-10"),
            ("2023-07-01", .requestFiled(id: 1, plannedCost: Self.money(70_000), startsOn: Self.day("2023-09-01"), endsOn: Self.day("2023-09-30"))),
            ("2023-07-02", .requestApproved(id: 1, amount: Self.money(70_000))),
            ("2023-07-03", .requestFiled(id: 2, plannedCost: Self.money(25_000), startsOn: Self.day("2023-10-01"), endsOn: Self.day("2023-10-02"))),
        ])
        let approved = wallet.state(asOf: Self.day("2023-07-03"))
        #expect(approved.allocations.map(\.id) == [1, 2])
        #expect(approved.request(1)?.holds == [Hold(allocationID: 1, amount: Self.money(50_000)), Hold(allocationID: 2, amount: Self.money(20_000))])
        #expect(approved.free == Self.money(60_000))
        #expect(approved.held == Self.money(70_000))
        #expect(approved.pending == Self.money(25_000))
        #expect(approved.available == Self.money(35_000))
        #expect(approved.funds == Self.money(130_000))
        // Holds protect A1 from lapsing.
        #expect(wallet.state(asOf: Self.day("2024-01-10")).entries.isEmpty)
        wallet.steps += [
            WalletStep(day: Self.day("2023-10-05"), event: .claimSubmitted(id: 9, requestID: 1, actualCost: Self.money(66_000))),
            WalletStep(day: Self.day("2023-10-06"), event: .claimApproved(id: 9, amount: Self.money(65_000))),
            WalletStep(day: Self.day("2024-02-01"), event: .claimPaid(id: 9, reference: "CR-9")),
        ]
        let paid = wallet.state(asOf: Self.day("2024-02-01"))
        #expect(paid.request(1)?.status == .closed)
        #expect(paid.claim(9)?.status == .paid)
        #expect(paid.allocations.map(\.spent) == [Self.money(50_000), Self.money(15_000)])
        #expect(paid.allocations.map(\.free) == [.zero, Self.money(65_000)])
        #expect(paid.held == .zero)
        #expect(paid.funds == Self.money(65_000))
        #expect(Self.lines(paid.entries) == ["claim_paid 9 2024-02-01 -650.00 EUR"])
        let lapsed = wallet.state(asOf: Self.day("2024-06-01"))
        #expect(Self.lines(lapsed.entries) == ["claim_paid 9 2024-02-01 -650.00 EUR", "expired 2 2024-06-01 -650.00 EUR"])
        #expect(lapsed.funds == .zero)
        // R2 is still pending: it lowers what is available, which stays at zero.
        #expect(lapsed.available == .zero)
    }

    /// A1 1,000.00 through 2024-08-14; R1 approved for 400.00 on 2024-08-01. On 2024-08-15 the free 600.00 lapse and the
    /// held 400.00 do not; R1's claim paid for 300.00 on 2024-09-10 releases 100.00, which lapses that same day.
    @Test func holdsProtectAndReleasedFundsOfALapsedAllocationLapseAtOnce() {
        let steps: [(String, WalletEvent)] = [
            Self.allocation(1, 100_000, approved: "2023-08-15"),
            ("2024-07-20", .requestFiled(id: 1, plannedCost: Self.money(40_000), startsOn: Self.day("2024-08-10"), endsOn: Self.day("2024-08-20"))),
            ("2024-08-01", .requestApproved(id: 1, amount: Self.money(40_000))),
            ("2024-08-21", .claimSubmitted(id: 1, requestID: 1, actualCost: Self.money(30_000))),
            ("2024-08-22", .claimApproved(id: 1, amount: Self.money(30_000))),
            ("2024-09-10", .claimPaid(id: 1, reference: "CR-1")),
        ]
        let wallet = Self.wallet(steps)
        let lapse = wallet.state(asOf: Self.day("2024-08-15"))
        #expect(Self.lines(lapse.entries) == ["expired 1 2024-08-15 -600.00 EUR"])
        #expect(lapse.held == Self.money(40_000))
        #expect(lapse.funds == Self.money(40_000))
        let paid = wallet.state(asOf: Self.day("2024-09-10"))
        #expect(
            Self.lines(paid.entries) == [
                "expired 1 2024-08-15 -600.00 EUR", "claim_paid 1 2024-09-10 -300.00 EUR", "expired 1 2024-09-10 -100.00 EUR",
            ])
        #expect(paid.funds == .zero)
        #expect(paid.allocations.first?.lapsed == Self.money(70_000))
        // Withdrawn instead of claimed: the 400.00 lapse on the day of the withdrawal.
        let withdrawn = Self.wallet(Array(steps.prefix(3)) + [("2024-09-01", .requestWithdrawn(id: 1))]).state(asOf: Self.day("2024-09-01"))
        #expect(Self.lines(withdrawn.entries) == ["expired 1 2024-08-15 -600.00 EUR", "expired 1 2024-09-01 -400.00 EUR"])
        #expect(withdrawn.request(1)?.status == .withdrawn)
    }

    /// A1 +300.00; R1 approved for 200.00 (free 100.00); A2 -250.00 takes the free 100.00 and leaves a debt of 150.00:
    /// funds 50.00 = free 0 + held 200.00 - debt 150.00. A3 +400.00 pays the debt first: free 250.00.
    @Test func negativeAllocationDebtPaidByTheNextAllocation() throws {
        let wallet = Self.wallet([
            Self.allocation(1, 30_000, approved: "2023-03-01"),
            ("2023-03-02", .requestFiled(id: 1, plannedCost: Self.money(20_000), startsOn: Self.day("2023-04-01"), endsOn: Self.day("2023-04-02"))),
            ("2023-03-03", .requestApproved(id: 1, amount: Self.money(20_000))),
            Self.allocation(2, -25_000, approved: "2023-04-01"),
            ("2023-04-02", .requestFiled(id: 2, plannedCost: Self.money(1_000), startsOn: Self.day("2023-05-01"), endsOn: Self.day("2023-05-02"))),
            Self.allocation(3, 40_000, approved: "2023-05-01"),
        ])
        let inDebt = wallet.state(asOf: Self.day("2023-04-02"))
        #expect(inDebt.funds == Self.money(5_000))
        #expect(inDebt.free == .zero)
        #expect(inDebt.held == Self.money(20_000))
        #expect(inDebt.debt == Self.money(15_000))
        #expect(inDebt.available == .zero)
        #expect(
            throws: FundsRefusal(
                .insufficientFunds,
                "fund request 2 can't be approved for 10.00 EUR: only 0.00 EUR of NL01's funds in MDF are free on 2023-04-02 (available to new requests: 0.00 EUR)"
            )
        ) { try inDebt.approveRequest(2, amount: Self.money(1_000)) }
        let paidBack = wallet.state(asOf: Self.day("2023-05-01"))
        #expect(paidBack.debt == .zero)
        #expect(paidBack.free == Self.money(25_000))
        #expect(paidBack.funds == Self.money(45_000))
        #expect(paidBack.available == Self.money(24_000))
    }

    /// Approval above the free funds is refused, naming the amounts; for less is allowed; twice the same is unchanged.
    @Test func approvalDecisions() throws {
        let wallet = Self.wallet([
            Self.allocation(1, 100_000, approved: "2024-01-15"),
            ("2024-02-01", .requestFiled(id: 1, plannedCost: Self.money(120_000), startsOn: Self.day("2024-03-01"), endsOn: Self.day("2024-03-31"))),
            ("2024-02-01", .requestFiled(id: 2, plannedCost: Self.money(90_000), startsOn: Self.day("2024-03-01"), endsOn: Self.day("2024-03-31"))),
        ])
        let state = wallet.state(asOf: Self.day("2024-02-02"))
        #expect(state.available == .zero)  // 1,000.00 free - 2,100.00 pending: never below zero
        #expect(
            throws: FundsRefusal(
                .insufficientFunds,
                "fund request 1 can't be approved for 1,000.01 EUR: only 1,000.00 EUR of NL01's funds in MDF are free on 2024-02-02 (available to new requests: 0.00 EUR)"
            )
        ) { try state.approveRequest(1, amount: Self.money(100_001)) }
        #expect(
            throws: FundsRefusal(
                .invalid, "fund request 2 for 900.01 EUR: expected an amount above 0 and at most its planned cost 900.00 EUR")
        ) {
            try state.approveRequest(2, amount: Self.money(90_001))
        }
        let decision = try state.approveRequest(1, amount: Self.money(100_000))
        #expect(decision == .record(WalletStep(day: Self.day("2024-02-02"), event: .requestApproved(id: 1, amount: Self.money(100_000)))))
        var approved = wallet
        approved.steps.append(WalletStep(day: Self.day("2024-02-02"), event: .requestApproved(id: 1, amount: Self.money(100_000))))
        let after = approved.state(asOf: Self.day("2024-02-02"))
        #expect(
            try after.approveRequest(1, amount: Self.money(100_000))
                == .unchanged("fund request 1 is already approved for 1,000.00 EUR; nothing changed"))
        #expect(
            throws: FundsRefusal(
                .insufficientFunds,
                "fund request 2 can't be approved for 0.01 EUR: only 0.00 EUR of NL01's funds in MDF are free on 2024-02-02 (available to new requests: 0.00 EUR)"
            )
        ) { try after.approveRequest(2, amount: Self.money(1)) }
        // Rejecting the approved request returns its 1,000.00: request 2 (900.00 pending) leaves 100.00 available.
        approved.steps.append(WalletStep(day: Self.day("2024-02-03"), event: .requestRejected(id: 1)))
        let rejected = approved.state(asOf: Self.day("2024-02-03"))
        #expect(rejected.free == Self.money(100_000))
        #expect(rejected.available == Self.money(10_000))
        #expect(throws: FundsRefusal(.state, "fund request 1 is rejected since 2024-02-03; only a pending request can be approved")) {
            try rejected.approveRequest(1, amount: Self.money(100))
        }
    }

    /// Claims: within 28 days after the activity's end (2024-03-31: by 2024-04-28), not before its start; approved at most
    /// the request's approved amount and the actual cost; one active claim per request; paid once.
    @Test func claimDecisions() throws {
        var wallet = Self.wallet([
            Self.allocation(1, 100_000, approved: "2024-01-15"),
            ("2024-02-01", .requestFiled(id: 1, plannedCost: Self.money(60_000), startsOn: Self.day("2024-03-01"), endsOn: Self.day("2024-03-31"))),
            ("2024-02-02", .requestApproved(id: 1, amount: Self.money(50_000))),
        ])
        let rules = FundsRules()
        #expect(
            throws: FundsRefusal(
                .invalid,
                "a claim for fund request 1 is too late on 2024-04-29: its activity ended on 2024-03-31 and claims are due within 28 days, by 2024-04-28"
            )
        ) { try wallet.state(asOf: Self.day("2024-04-29")).submitClaim(id: 1, requestID: 1, actualCost: Self.money(55_000), rules: rules) }
        #expect(
            throws: FundsRefusal(
                .invalid, "a claim for fund request 1 can't be submitted on 2024-02-29, before its activity starts on 2024-03-01")
        ) {
            try wallet.state(asOf: Self.day("2024-02-29")).submitClaim(id: 1, requestID: 1, actualCost: Self.money(55_000), rules: rules)
        }
        let onTime = try wallet.state(asOf: Self.day("2024-04-28")).submitClaim(id: 1, requestID: 1, actualCost: Self.money(55_000), rules: rules)
        guard case .record(let submitted) = onTime else { throw FundsRefusal(.state, "not recorded") }
        wallet.steps.append(submitted)
        let state = wallet.state(asOf: Self.day("2024-04-28"))
        #expect(throws: FundsRefusal(.state, "fund request 1 already has claim 1, submitted; a request has one claim at a time")) {
            try state.submitClaim(id: 2, requestID: 1, actualCost: Self.money(100), rules: rules)
        }
        #expect(
            throws: FundsRefusal(
                .invalid,
                "claim 1 for 500.01 EUR: expected an amount above 0 and at most 500.00 EUR (the request's approved 500.00 EUR, the actual cost 550.00 EUR)"
            )
        ) { try state.approveClaim(1, amount: Self.money(50_001)) }
        #expect(throws: FundsRefusal(.state, "claim 1 is submitted; only an approved claim can be paid")) {
            try state.payClaim(1, reference: "CR-1", paidOn: Self.day("2024-04-28"))
        }
        #expect(throws: FundsRefusal(.state, "fund request 1 has claim 1, submitted; reject or withdraw the claim before the request is withdrawn")) {
            try state.endRequest(1, rejected: false)
        }
        wallet.steps.append(WalletStep(day: Self.day("2024-04-29"), event: .claimApproved(id: 1, amount: Self.money(50_000))))
        let approved = wallet.state(asOf: Self.day("2024-04-30"))
        #expect(
            throws: FundsRefusal(.invalid, "claim 1 paid on 2024-04-28: expected a date from its approval on 2024-04-29 through today, 2024-04-30")
        ) {
            try approved.payClaim(1, reference: "CR-1", paidOn: Self.day("2024-04-28"))
        }
        #expect(throws: FundsRefusal(.invalid, "a payment reference is required (not empty)")) {
            try approved.payClaim(1, reference: " ", paidOn: Self.day("2024-04-30"))
        }
        let pay = try approved.payClaim(1, reference: "CR-1", paidOn: Self.day("2024-04-29"))
        #expect(pay == .record(WalletStep(day: Self.day("2024-04-29"), event: .claimPaid(id: 1, reference: "CR-1"))))
        wallet.steps.append(WalletStep(day: Self.day("2024-04-29"), event: .claimPaid(id: 1, reference: "CR-1")))
        let paid = wallet.state(asOf: Self.day("2024-04-30"))
        #expect(paid.funds == Self.money(50_000))
        #expect(paid.free == Self.money(50_000))
        #expect(Self.lines(paid.due) == ["claim_paid 1 2024-04-29 -500.00 EUR"])
        #expect(
            try paid.payClaim(1, reference: "CR-1", paidOn: Self.day("2024-04-29"))
                == .unchanged("claim 1 is already paid with CR-1 on 2024-04-29; nothing changed"))
        #expect(throws: FundsRefusal(.state, "claim 1 is already paid with CR-1 on 2024-04-29")) {
            try paid.payClaim(1, reference: "CR-2", paidOn: Self.day("2024-04-29"))
        }
        #expect(throws: FundsRefusal(.state, "fund request 1 is closed since 2024-04-29; only a pending or approved request can be rejected")) {
            try paid.endRequest(1, rejected: true)
        }
    }

    /// A claim rejected keeps its request approved (a new claim may follow); the request withdrawn then releases its holds.
    @Test func rejectedClaimThenWithdrawnRequestReturnsTheFunds() {
        let wallet = Self.wallet([
            Self.allocation(1, 100_000, approved: "2024-01-15"),
            ("2024-02-01", .requestFiled(id: 1, plannedCost: Self.money(30_000), startsOn: Self.day("2024-02-01"), endsOn: Self.day("2024-02-10"))),
            ("2024-02-02", .requestApproved(id: 1, amount: Self.money(30_000))),
            ("2024-02-11", .claimSubmitted(id: 4, requestID: 1, actualCost: Self.money(30_000))),
            ("2024-02-12", .claimRejected(id: 4)),
        ])
        let rejected = wallet.state(asOf: Self.day("2024-02-12"))
        #expect(rejected.request(1)?.status == .approved)
        #expect(rejected.available == Self.money(70_000))
        #expect(rejected.activeClaim(ofRequest: 1) == nil)
        var withdrawn = wallet
        withdrawn.steps.append(WalletStep(day: Self.day("2024-02-13"), event: .requestWithdrawn(id: 1)))
        let state = withdrawn.state(asOf: Self.day("2024-02-13"))
        #expect(state.available == Self.money(100_000))
        #expect(state.held == .zero)
        #expect(state.entries.isEmpty)
    }

    @Test func expiringWithinDays() {
        let state = Self.wallet([Self.allocation(1, 10_000, approved: "2023-08-15"), Self.allocation(2, 20_000, approved: "2024-01-01")])
            .state(asOf: Self.day("2024-05-17"))
        // A1's last day 2024-08-14 is 89 days away; A2's 2024-12-31 is not within 90 days.
        #expect(state.expiring(withinDays: 90).map(\.id) == [1])
        #expect(state.expiring(withinDays: 89).map(\.id) == [])
    }
}
