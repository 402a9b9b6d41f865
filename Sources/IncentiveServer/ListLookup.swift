import Mustache

// How Mustache finds a name in the models a list repeats (its rows, 50 a page) and in the pager: without
// reflection, as `PageLookup.swift` does for the partner page. Each `child(named:)` answers exactly what
// `Mirror` would (an unknown name is nil, so the lookup goes on to the values around it);
// `ListLookupTests` checks every property against `Mirror`.

extension Pager: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "pageOf": pageOf
        case "hasPrevious": hasPrevious
        case "hasNext": hasNext
        case "previousHref": previousHref
        case "nextHref": nextHref
        case "hasSort": hasSort
        case "sortLinks": sortLinks
        case "hasSearch": hasSearch
        case "searchAction": searchAction
        case "searchValue": searchValue
        case "searchFields": searchFields
        default: nil
        }
    }
}

extension Pager.SortLink: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "sortLabel": sortLabel
        case "sortHref": sortHref
        case "sortCurrent": sortCurrent
        default: nil
        }
    }
}

extension Pager.Field: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "fieldName": fieldName
        case "fieldValue": fieldValue
        default: nil
        }
    }
}

extension PartnerList: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "heading": heading
        case "pager": pager
        case "rows": rows
        case "isEmpty": isEmpty
        case "downloads": downloads
        default: nil
        }
    }
}

extension PartnerRow: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "partnerID": partnerID
        case "partnerName": partnerName
        case "partnerHref": partnerHref
        case "status": status
        case "statusText": statusText
        case "paid": paid
        case "missed": missed
        default: nil
        }
    }
}

extension DiffPage.Change: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "programID": programID
        case "partnerID": partnerID
        case "partnerName": partnerName
        case "diffHref": diffHref
        case "beforeStatus": beforeStatus
        case "beforeStatusText": beforeStatusText
        case "beforePaid": beforePaid
        case "beforeMissed": beforeMissed
        case "afterStatus": afterStatus
        case "afterStatusText": afterStatusText
        case "afterPaid": afterPaid
        case "afterMissed": afterMissed
        case "paidChange": paidChange
        case "missedChange": missedChange
        default: nil
        }
    }
}

extension RunsPage.Run: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "started": started
        case "programs": programs
        case "lines": lines
        case "paid": paid
        case "missed": missed
        case "admin": admin
        default: nil
        }
    }
}

extension ImportsPage.Entry: MustacheParent {
    func child(named name: String) -> Any? {
        switch name {
        case "id": id
        case "at": at
        case "kind": kind
        case "file": file
        case "rows": rows
        case "added": added
        case "changed": changed
        case "unchanged": unchanged
        default: nil
        }
    }
}
