import IncentiveEngine
import IncentiveLedger
import Testing

/// Issue 17's property test: seeded random sequences of allocations (some negative), requests, approvals (some above
/// the free funds), claims, payments, rejections, withdrawals and expiries, taken through the wallet's decisions as
/// the store takes them; after every step the invariants hold.
@Suite struct WalletPropertyTests {
    /// SplitMix64: the same seed gives the same sequence on every platform.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test(arguments: 1...40)
    func invariantsAfterEveryStep(seed: Int) throws {
        _ = try simulate(seed: seed, steps: 150)
    }

    /// A long sequence reaches every kind of event: paid claims, lapses, debts, releases.
    @Test func aLongSequenceCoversEveryEvent() throws {
        let final = try simulate(seed: 4242, steps: 1000)
        #expect(final.claims.contains { $0.status == .paid })
        #expect(final.claims.contains { $0.status == .rejected || $0.status == .withdrawn })
        #expect(final.requests.contains { $0.status == .rejected || $0.status == .withdrawn })
        #expect(final.entries.contains { $0.kind == .expired })
        #expect(final.allocations.contains { $0.amount.cents < 0 })
    }

    /// Runs `steps` random operations and checks the invariants after each; returns the final state.
    func simulate(seed: Int, steps: Int) throws -> WalletState {
        var random = Generator(state: UInt64(seed))
        var wallet = Wallet(programID: "MDF", partnerID: "NL01", currency: "EUR")
        var day = Day(iso: "2023-01-02")!
        var nextID = 1
        var recorded = 0, refused = 0
        for _ in 0..<steps {
            day = Day(daysSinceEpoch: day.daysSinceEpoch + Int32(Int.random(in: 0...5, using: &random)))
            let state = wallet.state(asOf: day)
            let id = nextID
            nextID += 1
            let requests = state.requests, claims = state.claims
            /// Mostly one of the items that `open` says the operation applies to; sometimes any (to be refused).
            func pick<T>(_ items: [T], _ open: (T) -> Bool) -> T? {
                let candidates = Int.random(in: 0..<4, using: &random) == 0 ? items : items.filter(open)
                return candidates.isEmpty ? nil : candidates[Int.random(in: 0..<candidates.count, using: &random)]
            }
            var decision: FundsDecision?
            do throws(FundsRefusal) {
                switch Int.random(in: 0..<12, using: &random) {
                case 0, 1:
                    let cents = Int64.random(in: 1...200_000, using: &random) * (Int.random(in: 0..<6, using: &random) == 0 ? -1 : 1)
                    let months = Int.random(in: 1...12, using: &random)
                    decision = .record(
                        WalletStep(
                            day: day,
                            event: .allocation(
                                id: id, amount: Money(cents: cents), validThrough: Validity.lastUsableDay(approvedOn: day, months: months))))
                case 2, 3:
                    let starts = Day(daysSinceEpoch: day.daysSinceEpoch + Int32(Int.random(in: -5...40, using: &random)))
                    let ends = Day(daysSinceEpoch: starts.daysSinceEpoch + Int32(Int.random(in: 0...20, using: &random)))
                    decision = try state.fileRequest(
                        id: id, plannedCost: Money(cents: Int64.random(in: 1...80_000, using: &random)), startsOn: starts, endsOn: ends)
                case 4, 5:
                    if let request = pick(requests, { $0.status == .pending }) {
                        let amount = Int64.random(in: 1...request.plannedCost.cents, using: &random)
                        decision = try state.approveRequest(request.id, amount: Money(cents: amount))
                    }
                case 6:
                    if let request = pick(requests, { $0.status == .pending || $0.status == .approved }) {
                        decision = try state.endRequest(request.id, rejected: Bool.random(using: &random))
                    }
                case 7, 8:
                    let window = { (request: FundRequestState) in
                        request.startsOn <= day && day.daysSinceEpoch <= request.endsOn.daysSinceEpoch + 28
                    }
                    if let request = pick(requests, { $0.status == .approved && window($0) }) {
                        decision = try state.submitClaim(
                            id: id, requestID: request.id, actualCost: Money(cents: Int64.random(in: 1...90_000, using: &random)),
                            rules: FundsRules(claimWithinDays: 28))
                    }
                case 9:
                    if let claim = pick(claims, { $0.status == .submitted }) {
                        let limit = min(state.request(claim.requestID)?.approved?.cents ?? 1, claim.actualCost.cents)
                        decision = try state.approveClaim(claim.id, amount: Money(cents: Int64.random(in: 1...max(1, limit), using: &random)))
                    }
                case 10:
                    if let claim = pick(claims, { $0.status == .submitted || $0.status == .approved }) {
                        if Bool.random(using: &random) {
                            decision = try state.payClaim(claim.id, reference: "CR-\(claim.id)", paidOn: day)
                        } else {
                            decision = try state.endClaim(claim.id, rejected: Bool.random(using: &random))
                        }
                    }
                default:
                    decision = nil  // an expiry run: only the due lapses are posted
                }
            } catch {
                refused += 1
            }
            if case .record(let step) = decision {
                wallet.steps.append(step)
                recorded += 1
            }
            // Every write posts what is due (lapses first, a paid claim's entry).
            let after = wallet.state(asOf: day)
            wallet.posted += after.due.map { entry in
                let source: Int
                switch entry.source {
                case .claim(let id), .allocation(let id), .approval(let id), .payment(let id): source = id
                }
                return PostedFundsEntry(kind: entry.kind, sourceID: source, effectiveOn: entry.effectiveOn, amount: entry.amount)
            }
            try check(wallet, on: day, seed: seed)
        }
        #expect(recorded > steps / 6, "seed \(seed): only \(recorded) operations recorded")
        #expect(refused > 0)
        return wallet.state(asOf: day)
    }

    /// The invariants of a wallet whose due entries were posted.
    func check(_ wallet: Wallet, on day: Day, seed: Int) throws {
        let state = wallet.state(asOf: day)
        let context = Comment(rawValue: "seed \(seed) on \(day)")
        // Replaying the same operations changes nothing and posts nothing new.
        #expect(state.due.isEmpty, context)
        let replayed = Wallet(programID: "MDF", partnerID: "NL01", currency: "EUR", steps: wallet.steps, posted: wallet.posted).state(asOf: day)
        #expect(replayed == state, context)
        // Available is never negative; no allocation's free or held part is.
        #expect(state.available.cents >= 0, context)
        #expect(state.debt.cents >= 0, context)
        #expect(state.allocations.allSatisfy { $0.free.cents >= 0 && $0.held.cents >= 0 }, context)
        #expect(state.debt == .zero || state.free == .zero, context)
        // funds == the sum of the entries (allocations + posted) == free + held - debt.
        let allocations = wallet.steps.reduce(Int64(0)) { sum, step in
            guard step.day <= day, case .allocation(_, let amount, _) = step.event else { return sum }
            return sum + amount.cents
        }
        let posted = wallet.posted.filter { $0.effectiveOn <= day }.reduce(Int64(0)) { $0 + $1.amount.cents }
        #expect(state.funds.cents == allocations + posted, context)
        #expect(state.funds.cents == state.free.cents + state.held.cents - state.debt.cents, context)
        #expect(state.available.cents == max(0, state.free.cents - state.debt.cents - state.pending.cents), context)
        // An approved request holds exactly what it was approved for; the allocations hold what the requests hold.
        for request in state.requests {
            switch request.status {
            case .approved: #expect(request.held == request.approved, context)
            default: #expect(request.holds.isEmpty, context)
            }
        }
        #expect(state.held.cents == state.requests.reduce(0) { $0 + $1.held.cents }, context)
        // A request has at most one claim that is not rejected or withdrawn; paid claims were approved and posted once.
        for request in state.requests {
            #expect(state.claims.filter { $0.requestID == request.id && $0.status != .rejected && $0.status != .withdrawn }.count <= 1, context)
        }
        for claim in state.claims where claim.status == .paid {
            let paid = wallet.posted.filter { $0.kind == .claimPaid && $0.sourceID == claim.id }.reduce(Int64(0)) { $0 + $1.amount.cents }
            #expect(paid == -(claim.approved?.cents ?? 0), context)
        }
        // Nothing lapses from an allocation before the day after its last day.
        for entry in wallet.posted where entry.kind == .expired {
            let allocation = state.allocations.first { $0.id == entry.sourceID }
            #expect(allocation.map { entry.effectiveOn > $0.validThrough } == true, context)
        }
    }
}
