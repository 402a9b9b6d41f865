import Mustache

// How Mustache finds a name in the partner page's models. Without this it reflects on each value with
// `Mirror` for every name a template asks for, which made rendering cost 60% of a partner page at
// 100,000 partners. Each `child(named:)` answers exactly what `Mirror` would (the stored property of
// that name, a nil optional as nil, an unknown name as nil so the lookup goes on to the values
// around it): `PageLookupTests` checks every property against `Mirror`.

extension PartnerPage: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "t": t
        case "partnerID": partnerID
        case "partnerName": partnerName
        case "country": country
        case "tier": tier
        case "provider": provider
        case "storedRun": storedRun
        case "programs": programs
        case "advice": advice
        case "hasAdvice": hasAdvice
        default: nil
        }
    }
}

extension PartnerPage.Program: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "currency": currency
        case "status": status
        case "statusText": statusText
        case "amount": amount
        case "missed": missed
        case "rows": rows
        case "lines": lines
        case "hasLines": hasLines
        case "paid": paid
        case "notInRun": notInRun
        default: nil
        }
    }
}

extension PartnerPage.Program.Paid: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "time": time
        case "amount": amount
        case "missed": missed
        case "statusText": statusText
        default: nil
        }
    }
}

extension PartnerPage.Program.Row: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "item": item
        case "eligible": eligible
        case "bar": bar
        case "volume": volume
        case "threshold": threshold
        case "amount": amount
        case "missed": missed
        case "checks": checks
        default: nil
        }
    }
}

extension PartnerPage.Program.Row.Check: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "passed": passed
        case "explanation": explanation
        default: nil
        }
    }
}

extension PartnerPage.Program.Line: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "order": order
        case "sku": sku
        case "booked": booked
        case "item": item
        case "amount": amount
        default: nil
        }
    }
}

extension RunLabel: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "time": time
        default: nil
        }
    }
}

// A section over a Bool or a String (`{{#passed}}`, `{{#provider}}`) puts the value on Mustache's stack,
// and every name looked up inside is first asked of it: by reflection, unless it answers itself. Neither
// has a child of any name, as `Mirror` finds none.

extension Bool: @retroactive MustacheParent {
    public func child(named name: String) -> Any? { nil }
}

extension String: @retroactive MustacheParent {
    public func child(named name: String) -> Any? { nil }
}
