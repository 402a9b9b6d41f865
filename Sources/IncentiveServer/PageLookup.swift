import Mustache

// How Mustache finds a name in a page's models. Without this it reflects on each value with `Mirror`
// for every name a template asks for, which cost more than the rest of a page. Each `child(named:)`
// answers exactly what `Mirror` would (the stored property of that name, a nil optional as nil, an
// unknown name as nil so the lookup goes on to the values around it): `PageLookupTests` and
// `ListLookupTests` check every property against `Mirror`. (The partner page is written without
// Mustache: `PartnerHTML`.)

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
