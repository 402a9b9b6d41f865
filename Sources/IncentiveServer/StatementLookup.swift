import Mustache

// How Mustache finds a name in the statement page's models (`LedgerPages.StatementPage`, `statement.mustache`):
// without reflection, as `PageLookup.swift` does for the other pages. By `Mirror`, rendering took more than half
// of a statement page's CPU time (bench/README.md, "Statements at 1,000,000 ledger entries"). Each
// `child(named:)` answers exactly what `Mirror` would (an unknown name is nil, so the lookup goes on to the
// values around it); `StatementLookupTests` checks every property against `Mirror`.

extension LedgerPages.StatementPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "w": w
        case "partner": partner
        case "asOf": asOf
        case "programs": programs
        case "isEmpty": isEmpty
        case "fundsLink": fundsLink
        default: nil
        }
    }
}

extension LedgerPages.StatementPage.Program: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "heading": heading
        case "approvals": approvals
        case "payments": payments
        case "showPayments": showPayments
        case "noPayments": noPayments
        case "others": others
        case "hasOthers": hasOthers
        case "entitled": entitled
        case "paid": paid
        case "balance": balance
        case "balanceName": balanceName
        case "isCash": isCash
        default: nil
        }
    }
}

extension LedgerPages.StatementPage.Approval: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "heading": heading
        case "items": items
        case "entitlement": entitlement
        case "delta": delta
        default: nil
        }
    }
}

extension LedgerPages.StatementPage.Item: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "item": item
        case "entitlement": entitlement
        case "delta": delta
        default: nil
        }
    }
}

extension LedgerPages.StatementPage.Payment: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "date": date
        case "reference": reference
        case "amount": amount
        default: nil
        }
    }
}

extension LedgerPages.StatementPage.Entry: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "date": date
        case "kind": kind
        case "amount": amount
        default: nil
        }
    }
}
