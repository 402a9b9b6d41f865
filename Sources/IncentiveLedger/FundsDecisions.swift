import IncentiveEngine

/// A funds operation refused, in words that name the request or claim, the amounts and dates involved.
public struct FundsRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: String, Sendable, Hashable {
        /// The request or claim is not there (in this wallet).
        case notFound = "not_found"
        /// Its status does not allow the operation (a claim against a pending request, approving a rejected one).
        case state
        /// An amount or a date that is not allowed (above the planned cost, a claim after its window).
        case invalid
        /// Above the free funds.
        case insufficientFunds = "insufficient_funds"
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { message }
}

/// What a funds operation does: record a step, or nothing (it was done already), said in words.
public enum FundsDecision: Sendable, Hashable {
    case record(WalletStep)
    case unchanged(String)
}

/// The decisions on a wallet's requests and claims, taken on its state as of the operation's day.
extension WalletState {
    /// `12,345.67 EUR`.
    func text(_ amount: Money) -> String { "\(amount.groupedText) \(currency)" }

    func existingRequest(_ id: Int) throws(FundsRefusal) -> FundRequestState {
        guard let request = request(id) else { throw FundsRefusal(.notFound, "there is no fund request \(id) of \(partnerID) in \(programID)") }
        return request
    }

    func existingClaim(_ id: Int) throws(FundsRefusal) -> ClaimState {
        guard let claim = claim(id) else { throw FundsRefusal(.notFound, "there is no claim \(id) of \(partnerID) in \(programID)") }
        return claim
    }

    /// A new request (its id given by the store) for `plannedCost`, for an activity from `startsOn` through `endsOn`.
    public func fileRequest(id: Int, plannedCost: Money, startsOn: Day, endsOn: Day) throws(FundsRefusal) -> FundsDecision {
        guard plannedCost.cents > 0 else { throw FundsRefusal(.invalid, "planned cost \(plannedCost.plainText): expected an amount above 0") }
        guard startsOn <= endsOn else {
            throw FundsRefusal(.invalid, "the activity ends on \(endsOn), before it starts on \(startsOn): expected an end on or after the start")
        }
        return .record(WalletStep(day: asOf, event: .requestFiled(id: id, plannedCost: plannedCost, startsOn: startsOn, endsOn: endsOn)))
    }

    /// Approving request `id` for `amount` (at most its planned cost): refused above the free funds of the
    /// unexpired allocations (less any debt). Pending requests do not block an approval: they only lower what
    /// the partner sees as available.
    public func approveRequest(_ id: Int, amount: Money) throws(FundsRefusal) -> FundsDecision {
        let request = try existingRequest(id)
        if request.status == .approved, request.approved == amount {
            return .unchanged("fund request \(id) is already approved for \(text(amount)); nothing changed")
        }
        guard request.status == .pending else {
            throw FundsRefusal(.state, "fund request \(id) is \(request.status.rawValue)\(decided(request)); only a pending request can be approved")
        }
        guard amount.cents > 0, amount <= request.plannedCost else {
            throw FundsRefusal(
                .invalid,
                "fund request \(id) for \(text(amount)): expected an amount above 0 and at most its planned cost \(text(request.plannedCost))")
        }
        let usable = free.cents - debt.cents
        guard amount.cents <= usable else {
            throw FundsRefusal(
                .insufficientFunds,
                "fund request \(id) can't be approved for \(text(amount)): only \(text(Money(cents: max(0, usable)))) of \(partnerID)'s funds in \(programID) are free on \(asOf) (available to new requests: \(text(available)))"
            )
        }
        return .record(WalletStep(day: asOf, event: .requestApproved(id: id, amount: amount)))
    }

    /// Rejecting (an admin) or withdrawing a pending or approved request; an approved one releases its holds. Refused
    /// while it has a claim that is not rejected or withdrawn.
    public func endRequest(_ id: Int, rejected: Bool) throws(FundsRefusal) -> FundsDecision {
        let request = try existingRequest(id)
        let target: FundRequestStatus = rejected ? .rejected : .withdrawn
        if request.status == target { return .unchanged("fund request \(id) is already \(target.rawValue); nothing changed") }
        guard request.status == .pending || request.status == .approved else {
            throw FundsRefusal(
                .state,
                "fund request \(id) is \(request.status.rawValue)\(decided(request)); only a pending or approved request can be \(target.rawValue)")
        }
        if let claim = activeClaim(ofRequest: id) {
            throw FundsRefusal(
                .state,
                "fund request \(id) has claim \(claim.id), \(claim.status.rawValue); reject or withdraw the claim before the request is \(target.rawValue)"
            )
        }
        return .record(WalletStep(day: asOf, event: rejected ? .requestRejected(id: id) : .requestWithdrawn(id: id)))
    }

    /// A claim (its id given by the store) against approved request `requestID`, submitted on `asOf`: on or after the
    /// activity's start and at most `rules.claimWithinDays` days after its end.
    public func submitClaim(id: Int, requestID: Int, actualCost: Money, rules: FundsRules) throws(FundsRefusal) -> FundsDecision {
        let request = try existingRequest(requestID)
        guard request.status == .approved else {
            throw FundsRefusal(
                .state, "fund request \(requestID) is \(request.status.rawValue)\(decided(request)); a claim needs an approved request")
        }
        if let claim = activeClaim(ofRequest: requestID) {
            throw FundsRefusal(
                .state, "fund request \(requestID) already has claim \(claim.id), \(claim.status.rawValue); a request has one claim at a time")
        }
        guard actualCost.cents > 0 else { throw FundsRefusal(.invalid, "actual cost \(actualCost.plainText): expected an amount above 0") }
        guard asOf >= request.startsOn else {
            throw FundsRefusal(
                .invalid, "a claim for fund request \(requestID) can't be submitted on \(asOf), before its activity starts on \(request.startsOn)")
        }
        let last = Day(daysSinceEpoch: request.endsOn.daysSinceEpoch + Int32(rules.claimWithinDays))
        guard asOf <= last else {
            throw FundsRefusal(
                .invalid,
                "a claim for fund request \(requestID) is too late on \(asOf): its activity ended on \(request.endsOn) and claims are due within \(rules.claimWithinDays) days, by \(last)"
            )
        }
        return .record(WalletStep(day: asOf, event: .claimSubmitted(id: id, requestID: requestID, actualCost: actualCost)))
    }

    /// Approving a submitted claim for `amount`: at most its request's approved amount and its actual cost.
    public func approveClaim(_ id: Int, amount: Money) throws(FundsRefusal) -> FundsDecision {
        let claim = try existingClaim(id)
        if claim.status == .approved, claim.approved == amount {
            return .unchanged("claim \(id) is already approved for \(text(amount)); nothing changed")
        }
        guard claim.status == .submitted else {
            throw FundsRefusal(.state, "claim \(id) is \(claim.status.rawValue); only a submitted claim can be approved")
        }
        let request = try existingRequest(claim.requestID)
        guard request.status == .approved, let approved = request.approved else {
            throw FundsRefusal(.state, "claim \(id)'s fund request \(request.id) is \(request.status.rawValue); its claim can't be approved")
        }
        let limit = min(approved, claim.actualCost)
        guard amount.cents > 0, amount <= limit else {
            throw FundsRefusal(
                .invalid,
                "claim \(id) for \(text(amount)): expected an amount above 0 and at most \(text(limit)) (the request's approved \(text(approved)), the actual cost \(text(claim.actualCost)))"
            )
        }
        return .record(WalletStep(day: asOf, event: .claimApproved(id: id, amount: amount)))
    }

    /// Rejecting (an admin) or withdrawing a submitted or approved claim: its request stays approved.
    public func endClaim(_ id: Int, rejected: Bool) throws(FundsRefusal) -> FundsDecision {
        let claim = try existingClaim(id)
        let target: ClaimStatus = rejected ? .rejected : .withdrawn
        if claim.status == target { return .unchanged("claim \(id) is already \(target.rawValue); nothing changed") }
        guard claim.status == .submitted || claim.status == .approved else {
            throw FundsRefusal(.state, "claim \(id) is \(claim.status.rawValue); only a submitted or approved claim can be \(target.rawValue)")
        }
        return .record(WalletStep(day: asOf, event: rejected ? .claimRejected(id: id) : .claimWithdrawn(id: id)))
    }

    /// Paying an approved claim on `paidOn` (on or after its approval, at the latest on `asOf`) with `reference`.
    public func payClaim(_ id: Int, reference: String, paidOn: Day) throws(FundsRefusal) -> FundsDecision {
        let claim = try existingClaim(id)
        if claim.status == .paid {
            if claim.reference == reference, claim.paidOn == paidOn {
                return .unchanged("claim \(id) is already paid with \(reference) on \(paidOn); nothing changed")
            }
            throw FundsRefusal(
                .state, "claim \(id) is already paid with \(claim.reference ?? "") on \(claim.paidOn.map(String.init(describing:)) ?? "")")
        }
        guard claim.status == .approved, let approvedOn = claim.approvedOn else {
            throw FundsRefusal(.state, "claim \(id) is \(claim.status.rawValue); only an approved claim can be paid")
        }
        guard reference.contains(where: { !$0.isWhitespace }) else { throw FundsRefusal(.invalid, "a payment reference is required (not empty)") }
        guard paidOn >= approvedOn, paidOn <= asOf else {
            throw FundsRefusal(
                .invalid, "claim \(id) paid on \(paidOn): expected a date from its approval on \(approvedOn) through today, \(asOf)")
        }
        return .record(WalletStep(day: paidOn, event: .claimPaid(id: id, reference: reference)))
    }

    func decided(_ request: FundRequestState) -> String { request.decidedOn.map { " since \($0)" } ?? "" }
}
