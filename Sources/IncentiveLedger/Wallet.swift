import IncentiveEngine

/// The MDF funds wallet of one partner in one program (ledger.md "MDF funds", docs/funds.md): its events replayed
/// in time order give its state on any day and the `claim_paid` and `expired` entries they make.
///
/// - Allocations hold free funds. Approving a request for X takes X from the free funds of the unexpired
///   allocations, oldest first (by last usable day, then id): the request's holds.
/// - A paid claim consumes its request's holds (oldest first) and the rest of them is released.
/// - A rejected or withdrawn approved request releases its holds back to their allocations.
/// - The day after an allocation's last usable day its free funds lapse (an `expired` entry); holds protect
///   funds from lapsing, and funds released into a lapsed allocation lapse at once.
/// - A negative allocation takes from the free funds, oldest first; a shortfall is a debt that later
///   allocations (and released holds) pay first.
public struct Wallet: Sendable {
    public var programID: String
    public var partnerID: String
    public var currency: String
    /// In the order they happened; the replay orders them by day, keeping this order within a day.
    public var steps: [WalletStep]
    /// The `claim_paid` and `expired` entries already in the ledger.
    public var posted: [PostedFundsEntry]

    public init(programID: String, partnerID: String, currency: String, steps: [WalletStep] = [], posted: [PostedFundsEntry] = []) {
        self.programID = programID
        self.partnerID = partnerID
        self.currency = currency
        self.steps = steps
        self.posted = posted
    }

    /// The wallet as of the end of `day`: every step on or before it replayed, every lapse due by then applied.
    public func state(asOf day: Day) -> WalletState {
        var replay = Replay()
        let ordered = steps.enumerated().sorted { ($0.element.day, $0.offset) < ($1.element.day, $1.offset) }
        for (_, step) in ordered where step.day <= day {
            replay.lapse(before: step.day)
            replay.apply(step)
            replay.lapseReleased(on: step.day)
        }
        replay.lapse(before: day)
        return replay.state(wallet: self, asOf: day)
    }
}

/// The replay's working state, in cents.
struct Replay {
    struct Allocation {
        var id: Int
        var amount: Int64
        var effectiveOn: Day
        var validThrough: Day
        var free: Int64 = 0
        var held: Int64 = 0
        var spent: Int64 = 0
        var lapsed: Int64 = 0
    }

    struct Key: Hashable, Comparable {
        var effectiveOn: Day
        var kind: EntryKind
        var sourceID: Int
        static func < (a: Key, b: Key) -> Bool {
            (a.effectiveOn, a.kind == .claimPaid ? 0 : 1, a.sourceID) < (b.effectiveOn, b.kind == .claimPaid ? 0 : 1, b.sourceID)
        }
    }

    var allocations: [Allocation] = []
    var requests: [FundRequestState] = []
    var claims: [ClaimState] = []
    var debt: Int64 = 0
    /// The entries the operations make: amount by (day, kind, source).
    var made: [Key: Int64] = [:]

    func index(ofAllocation id: Int) -> Int? { allocations.firstIndex { $0.id == id } }
    func index(ofRequest id: Int) -> Int? { requests.firstIndex { $0.id == id } }
    func index(ofClaim id: Int) -> Int? { claims.firstIndex { $0.id == id } }

    /// Free funds of allocations whose last day is before `day` lapse the day after their last day.
    mutating func lapse(before day: Day) {
        for index in allocations.indices where allocations[index].validThrough < day && allocations[index].free > 0 {
            lapse(index, effectiveOn: Day(daysSinceEpoch: allocations[index].validThrough.daysSinceEpoch + 1))
        }
    }

    /// Funds released on `day` into allocations already past their last day lapse at once.
    mutating func lapseReleased(on day: Day) {
        for index in allocations.indices where allocations[index].validThrough < day && allocations[index].free > 0 {
            lapse(index, effectiveOn: day)
        }
    }

    mutating func lapse(_ index: Int, effectiveOn day: Day) {
        let amount = allocations[index].free
        allocations[index].lapsed += amount
        allocations[index].free = 0
        made[Key(effectiveOn: day, kind: .expired, sourceID: allocations[index].id), default: 0] -= amount
    }

    /// Takes up to `amount` from the free funds of allocations usable on `day`, oldest first: the holds taken.
    mutating func takeFree(_ amount: Int64, on day: Day) -> [Hold] {
        var rest = amount
        var holds: [Hold] = []
        for index in allocations.indices where rest > 0 && allocations[index].validThrough >= day && allocations[index].free > 0 {
            let taken = min(rest, allocations[index].free)
            allocations[index].free -= taken
            rest -= taken
            holds.append(Hold(allocationID: allocations[index].id, amount: Money(cents: taken)))
        }
        return holds
    }

    /// Gives back `amount` held of an allocation: it pays the debt first, the rest is free again.
    mutating func release(_ amount: Int64, toAllocation id: Int) {
        guard let index = index(ofAllocation: id) else { return }
        allocations[index].held -= amount
        let paid = min(amount, debt)
        debt -= paid
        allocations[index].free += amount - paid
    }

    mutating func releaseHolds(ofRequest index: Int) {
        for hold in requests[index].holds { release(hold.amount.cents, toAllocation: hold.allocationID) }
        requests[index].holds = []
    }

    mutating func apply(_ step: WalletStep) {
        let day = step.day
        switch step.event {
        case .allocation(let id, let amount, let validThrough):
            var allocation = Allocation(id: id, amount: amount.cents, effectiveOn: day, validThrough: validThrough)
            if amount.cents >= 0 {
                let paid = min(amount.cents, debt)
                debt -= paid
                allocation.free = amount.cents - paid
            }
            let position = allocations.firstIndex { ($0.validThrough, $0.id) > (validThrough, id) } ?? allocations.endIndex
            allocations.insert(allocation, at: position)
            if amount.cents < 0 {
                let taken = takeFree(-amount.cents, on: day).reduce(0) { $0 + $1.amount.cents }
                debt += -amount.cents - taken
            }
        case .requestFiled(let id, let plannedCost, let startsOn, let endsOn):
            requests.append(
                FundRequestState(
                    id: id, status: .pending, plannedCost: plannedCost, startsOn: startsOn, endsOn: endsOn, filedOn: day, approved: nil,
                    decidedOn: nil, holds: []))
        case .requestApproved(let id, let amount):
            guard let index = index(ofRequest: id), requests[index].status == .pending else { return }
            let holds = takeFree(amount.cents, on: day)
            for hold in holds {
                if let allocation = self.index(ofAllocation: hold.allocationID) { allocations[allocation].held += hold.amount.cents }
            }
            requests[index].holds = holds
            requests[index].status = .approved
            requests[index].approved = amount
            requests[index].decidedOn = day
        case .requestRejected(let id), .requestWithdrawn(let id):
            guard let index = index(ofRequest: id), [.pending, .approved].contains(requests[index].status) else { return }
            releaseHolds(ofRequest: index)
            if case .requestRejected = step.event { requests[index].status = .rejected } else { requests[index].status = .withdrawn }
            requests[index].decidedOn = day
        case .claimSubmitted(let id, let requestID, let actualCost):
            claims.append(ClaimState(id: id, requestID: requestID, status: .submitted, actualCost: actualCost, submittedOn: day))
        case .claimApproved(let id, let amount):
            guard let index = index(ofClaim: id), claims[index].status == .submitted else { return }
            claims[index].status = .approved
            claims[index].approved = amount
            claims[index].approvedOn = day
        case .claimRejected(let id), .claimWithdrawn(let id):
            guard let index = index(ofClaim: id), [.submitted, .approved].contains(claims[index].status) else { return }
            if case .claimRejected = step.event { claims[index].status = .rejected } else { claims[index].status = .withdrawn }
        case .claimPaid(let id, let reference):
            guard let index = index(ofClaim: id), claims[index].status == .approved, let approved = claims[index].approved else { return }
            claims[index].status = .paid
            claims[index].reference = reference
            claims[index].paidOn = day
            made[Key(effectiveOn: day, kind: .claimPaid, sourceID: id), default: 0] -= approved.cents
            var rest = approved.cents
            if let request = self.index(ofRequest: claims[index].requestID) {
                // Its holds first, oldest first; what they don't cover comes from free funds, then debt.
                var holds = requests[request].holds
                for position in holds.indices where rest > 0 {
                    let used = min(rest, holds[position].amount.cents)
                    holds[position].amount.cents -= used
                    rest -= used
                    if let allocation = self.index(ofAllocation: holds[position].allocationID) {
                        allocations[allocation].held -= used
                        allocations[allocation].spent += used
                    }
                }
                requests[request].holds = holds.filter { $0.amount.cents > 0 }
                releaseHolds(ofRequest: request)
                requests[request].status = .closed
                requests[request].decidedOn = day
            }
            if rest > 0 {
                for hold in takeFree(rest, on: day) {
                    if let allocation = self.index(ofAllocation: hold.allocationID) { allocations[allocation].spent += hold.amount.cents }
                    rest -= hold.amount.cents
                }
                debt += rest
            }
        }
    }

    func state(wallet: Wallet, asOf day: Day) -> WalletState {
        func entry(_ key: Key, _ cents: Int64) -> LedgerEntry {
            LedgerEntry(
                kind: key.kind, programID: wallet.programID, partnerID: wallet.partnerID, amount: Money(cents: cents), currency: wallet.currency,
                effectiveOn: key.effectiveOn, source: key.kind == .claimPaid ? .claim(key.sourceID) : .allocation(key.sourceID))
        }
        let made = self.made.filter { $0.value != 0 }
        var posted: [Key: Int64] = [:]
        for item in wallet.posted where item.effectiveOn <= day {
            posted[Key(effectiveOn: item.effectiveOn, kind: item.kind, sourceID: item.sourceID), default: 0] += item.amount.cents
        }
        var due: [Key: Int64] = [:]
        for key in Set(made.keys).union(posted.keys) {
            let difference = (made[key] ?? 0) - (posted[key] ?? 0)
            if difference != 0 { due[key] = difference }
        }
        let free = allocations.filter { $0.validThrough >= day }.reduce(0) { $0 + $1.free }
        let held = allocations.reduce(0) { $0 + $1.held }
        let pending = requests.filter { $0.status == .pending }.reduce(0) { $0 + $1.plannedCost.cents }
        let funds = allocations.reduce(0) { $0 + $1.amount } + made.values.reduce(0, +)
        return WalletState(
            programID: wallet.programID, partnerID: wallet.partnerID, currency: wallet.currency, asOf: day,
            allocations: allocations.map {
                AllocationState(
                    id: $0.id, amount: Money(cents: $0.amount), effectiveOn: $0.effectiveOn, validThrough: $0.validThrough,
                    free: Money(cents: $0.free),
                    held: Money(cents: $0.held), spent: Money(cents: $0.spent), lapsed: Money(cents: $0.lapsed))
            },
            requests: requests, claims: claims, funds: Money(cents: funds), free: Money(cents: free), held: Money(cents: held),
            debt: Money(cents: debt), pending: Money(cents: pending), available: Money(cents: max(0, free - debt - pending)),
            entries: made.keys.sorted().map { entry($0, made[$0]!) }, due: due.keys.sorted().map { entry($0, due[$0]!) })
    }
}
