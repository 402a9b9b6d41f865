import Foundation
import HTTPTypes
import Hummingbird
import IncentiveEngine
import IncentiveStore

/// The audit log on the server (issue 16 point 3): the page `/log` and the route `GET /api/v1/log`, for
/// admins only. Both list newest first, a page at a time (`page`, `per_page`), filtered by `actor` (a name,
/// exactly), `action` and `since`.
struct AuditQuery: Sendable, Equatable {
    var filter = AuditFilter()
    var page = 1
    var perPage = 50

    /// The most entries a page shows: with the texts cut to `LogPage`'s budgets, a page stays under 300 KB.
    static let maxPagePerPage = 100

    /// Reads `page`, `per_page`, `actor`, `action` and `since` (an empty one is none); a bad value answers 400.
    /// - Parameter maxPerPage: the largest `per_page` (the API's 500, the page's 100).
    init(_ request: Request, maxPerPage: Int) throws {
        let query = request.uri.queryParameters
        let page = try Page(request)
        guard page.perPage <= maxPerPage else {
            throw APIError.badRequest("per_page \(page.perPage): expected a whole number from 1 to \(maxPerPage)")
        }
        (self.page, perPage) = (page.page, page.perPage)
        func value(_ name: String) -> String? {
            guard let text = query[Substring(name)].map(String.init), !text.isEmpty else { return nil }
            return text
        }
        if let actor = value("actor") {
            guard actor.count <= 200 else { throw APIError.badRequest("actor \"\(APIError.cut(actor, to: 40))\": at most 200 characters") }
            filter.actor = actor
        }
        if let action = value("action") {
            guard AuditAction(rawValue: action) != nil else {
                throw APIError.badRequest(
                    "action \"\(APIError.cut(action, to: 40))\": expected one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            filter.action = action
        }
        if let since = value("since") {
            guard since.count <= 64, let instant = AuditLog.timestamp(from: since) else {
                throw APIError.badRequest(
                    "since \"\(APIError.cut(since, to: 40))\": expected a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM[:SS[.fff]] (UTC unless it ends with Z or ±HH:MM)"
                )
            }
            filter.since = instant
        }
    }

    var offset: Int { (page - 1) * perPage }
}

/// One entry as the API gives it; `subject` and `detail` are null when the entry has none.
struct AuditEntryDocument: Encodable {
    var entry: AuditEntry

    enum CodingKeys: String, CodingKey {
        case id, at, actor, action, subject, detail
        case actorKind = "actor_kind"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(entry.id, forKey: .id)
        try container.encode(entry.at, forKey: .at)
        try container.encode(entry.actor.kind.rawValue, forKey: .actorKind)
        try container.encode(entry.actor.name, forKey: .actor)
        try container.encode(entry.action, forKey: .action)
        try container.encode(entry.subject, forKey: .subject)
        try container.encode(entry.detail, forKey: .detail)
    }
}

/// What `log.mustache` shows.
struct LogPage: Sendable {
    struct Entry: Sendable {
        var id: Int
        var at, actor, actorKind, action, subject, detail: String
    }

    struct Choice: Sendable {
        var choice: String
        var chosen: Bool
    }

    var t: [String: String]
    var actorFilter: String
    /// The `since` as given (UTC unless it names a zone).
    var sinceFilter: String
    var actions: [Choice]
    var perPageField: String?
    var pager: Pager
    var entries: [Entry]
    var isEmpty: Bool

    /// How many bytes a text may take once escaped for HTML; longer ones are cut with `…` (the API and
    /// `incentives log` give them whole). 100 entries at most of these are under 300 KB with the frame.
    static let budgets = (actor: 200, subject: 300, detail: 1_800)

    /// `text` cut so that, escaped for HTML, it takes at most `bytes` bytes, `…` included.
    static func fitted(_ text: String, bytes budget: Int) -> String {
        func cost(_ byte: UInt8) -> Int {
            switch byte {
            case UInt8(ascii: "&"): 5
            case UInt8(ascii: "<"), UInt8(ascii: ">"): 4
            case UInt8(ascii: "\""): 6
            case UInt8(ascii: "'"): 5
            default: 1
            }
        }
        if text.utf8.reduce(0, { $0 + cost($1) }) <= budget { return text }
        var kept = "", used = 0
        for character in text {
            let more = character.utf8.reduce(0) { $0 + cost($1) }
            if used + more + "…".utf8.count > budget { break }
            kept.append(character)
            used += more
        }
        return kept + "…"
    }
}

extension AdminPages {
    /// `/log`: the audit log, newest first, `per_page` (default 50, at most 100) a page, filtered by actor and action.
    func log(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let session = context.session else { return Pages.redirect("/login") }
        guard session.user.role == .admin else { return try pages.notFound(request, context, session: session) }
        let language = Language.of(request)
        let query = try AuditQuery(request, maxPerPage: AuditQuery.maxPagePerPage)
        let workspace = self.workspace
        // Not cached: account changes and sign-ins are entries too, and they do not move the workspace's revision.
        let log = try await quick { try workspace.auditLog(query.filter, offset: query.offset, limit: query.perPage) }
        var keep: [(String, String)] = []
        if let actor = query.filter.actor { keep.append(("actor", actor)) }
        if let action = query.filter.action { keep.append(("action", action)) }
        let since = (request.uri.queryParameters["since"].map(String.init) ?? "").trimmingCharacters(in: .whitespaces)
        if query.filter.since != nil { keep.append(("since", since)) }
        if query.perPage != 50 { keep.append(("per_page", String(query.perPage))) }
        let pageCount = max(1, (log.total + query.perPage - 1) / query.perPage)
        func href(_ page: Int) -> String { URLText.link("/log", keep + (page == 1 ? [] : [("page", String(page))])) }
        let pager = Pager(
            pageOf: language.text(.pageOf, ["page": String(query.page), "pages": String(pageCount)]),
            hasPrevious: query.page > 1, hasNext: query.page < pageCount,
            // A page past the end leads back to the last page.
            previousHref: query.page > 1 ? href(min(query.page - 1, pageCount)) : "", nextHref: query.page < pageCount ? href(query.page + 1) : "",
            hasSort: false, sortLinks: [], hasSearch: false, searchAction: "/log", searchValue: "", searchFields: [])
        let page = LogPage(
            t: language.texts, actorFilter: query.filter.actor ?? "", sinceFilter: query.filter.since == nil ? "" : since,
            actions: AuditAction.allCases.map { LogPage.Choice(choice: $0.rawValue, chosen: $0.rawValue == query.filter.action) },
            perPageField: query.perPage == 50 ? nil : String(query.perPage), pager: pager,
            entries: log.items.map { entry in
                LogPage.Entry(
                    id: entry.id, at: language.timestamp(entry.at), actor: LogPage.fitted(entry.actor.name, bytes: LogPage.budgets.actor),
                    actorKind: language.text(entry.actor.kind == .account ? .actorAccount : .actorOSUser), action: entry.action,
                    subject: LogPage.fitted(entry.subject ?? "", bytes: LogPage.budgets.subject),
                    detail: LogPage.fitted(entry.detail ?? "", bytes: LogPage.budgets.detail))
            }, isEmpty: log.items.isEmpty)
        return try pages.render(.log, page, frame: pages.frame(request, title: language.text(.auditLog), session: session), request: request)
    }
}

extension API {
    /// `GET /api/v1/log`: the audit log, newest first, for admins.
    func listLog(_ request: Request, _ context: AppContext) async throws -> Response {
        _ = try context.requireAdmin()
        let query = try AuditQuery(request, maxPerPage: Page.maxPerPage)
        let workspace = self.workspace
        let log = try await quick { try workspace.auditLog(query.filter, offset: query.offset, limit: query.perPage) }
        return JSONBody.response(
            PageDocument(items: log.items.map(AuditEntryDocument.init), page: query.page, perPage: query.perPage, total: log.total))
    }
}
