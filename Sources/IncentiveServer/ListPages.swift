import Foundation
import Hummingbird
import IncentiveEngine
import IncentiveStore

/// What a list's URL asks for: `page` (1-based, default 1), `sort` (`id`, `paid`, `missed`; default
/// `id`) and `q` (a prefix of a partner's id or name; none by default). A bad value answers 400.
struct ListRequest: Sendable, Equatable {
    static let perPage = 50
    /// The longest search text taken.
    static let maxSearch = 100

    var page = 1
    var order = PartnerOrder.id
    /// Trimmed; empty for none.
    var search = ""

    init() {}

    /// Reads `page` and, for a sortable list, `sort` and `q` (a list that is not sortable ignores them).
    init(_ request: Request, sortable: Bool = true) throws {
        let query = request.uri.queryParameters
        if let text = query["page"] {
            guard let value = Int(text), (1...Page.maxPage).contains(value) else {
                throw APIError.badRequest("page \"\(APIError.cut(String(text), to: 40))\": expected a whole number from 1 to \(Page.maxPage)")
            }
            page = value
        }
        guard sortable else { return }
        if let text = query["sort"] {
            guard let value = PartnerOrder(rawValue: String(text)) else {
                let orders = PartnerOrder.allCases.map(\.rawValue).joined(separator: ", ")
                throw APIError.badRequest("sort \"\(APIError.cut(String(text), to: 40))\": expected one of \(orders)")
            }
            order = value
        }
        if let text = query["q"] {
            let trimmed = String(text).trimmingCharacters(in: .whitespacesAndNewlines)
            guard trimmed.count <= Self.maxSearch else {
                throw APIError.badRequest("q \"\(APIError.cut(trimmed, to: 40))\": at most \(Self.maxSearch) characters")
            }
            search = trimmed
        }
    }

    /// Items before this page (at most `Page.maxPage * perPage`: far from overflowing).
    var offset: Int { (page - 1) * Self.perPage }

    var query: PartnerQuery { PartnerQuery(order: order, search: search.isEmpty ? nil : search, offset: offset, limit: Self.perPage) }

    /// The pager of a list at `path` with `total` items; `keep` are the parameters the page needs
    /// besides these (`a`, `b`, `program`), kept by every link and the search form. Without `sortable`
    /// it has neither sort links nor a search form.
    func pager(path: String, keep: [(String, String)] = [], total: Int, sortable: Bool, _ language: Language) -> Pager {
        let pages = max(1, (total + Self.perPage - 1) / Self.perPage)
        func href(page: Int, order: PartnerOrder) -> String {
            var parameters = keep
            if order != .id { parameters.append(("sort", order.rawValue)) }
            if !search.isEmpty { parameters.append(("q", search)) }
            if page != 1 { parameters.append(("page", String(page))) }
            return URLText.link(path, parameters)
        }
        let labels: [PartnerOrder: PageText] = [.id: .partner, .paid: .paid, .missed: .missed]
        var fields = keep.map { Pager.Field(fieldName: $0.0, fieldValue: $0.1) }
        if order != .id { fields.append(Pager.Field(fieldName: "sort", fieldValue: order.rawValue)) }
        return Pager(
            pageOf: language.text(.pageOf, ["page": String(page), "pages": String(pages)]),
            hasPrevious: page > 1, hasNext: page < pages,
            // A page past the end leads back to the last page.
            previousHref: page > 1 ? href(page: min(page - 1, pages), order: order) : "",
            nextHref: page < pages ? href(page: page + 1, order: order) : "",
            hasSort: sortable,
            sortLinks: sortable
                ? PartnerOrder.allCases.map { sort in
                    Pager.SortLink(sortLabel: language.text(labels[sort]!), sortHref: href(page: 1, order: sort), sortCurrent: sort == order)
                } : [],
            hasSearch: sortable, searchAction: path, searchValue: search, searchFields: sortable ? fields : [])
    }
}

/// Links of the pages: a path and its query, percent-encoded.
enum URLText {
    /// Letters, digits and `-._~`: everything else in a value is percent-encoded.
    static let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// `text` with every byte but letters, digits and `-._~` percent-encoded (`%2F`), as
    /// `addingPercentEncoding(withAllowedCharacters: unreserved)` does; a text of only those bytes (an id,
    /// almost always) is returned as it is, without a copy.
    static func encode(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            guard bytes.contains(where: { !isUnreserved($0) }) else { return nil }
            let hex = Array("0123456789ABCDEF".utf8)
            var encoded: [UInt8] = []
            encoded.reserveCapacity(bytes.count * 3)
            for byte in bytes {
                if isUnreserved(byte) {
                    encoded.append(byte)
                } else {
                    encoded.append(contentsOf: [UInt8(ascii: "%"), hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
            }
            return String(decoding: encoded, as: UTF8.self)
        } ?? text
    }

    static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"): true
        case UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"): true
        default: false
        }
    }

    static func link(_ path: String, _ parameters: [(String, String)]) -> String {
        parameters.isEmpty ? path : path + "?" + parameters.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    static func partner(_ id: String) -> String { "/partners/\(encode(id))" }
    static func program(_ id: String) -> String { "/programs/\(encode(id))" }
}

extension Language {
    /// Whole currency units, grouped the local way, without decimals: `1,000` (`1.000` in Dutch).
    func wholeUnits(_ amount: Money) -> String {
        let text = money(Money(cents: amount.cents / 100 * 100))
        return String(text.dropLast(3))
    }

    /// `after - before` with its sign (`+1,234.50`, `-0.01`, `0.00`), exact whatever the two amounts.
    func change(_ before: Money, _ after: Money) -> String {
        let exact = Int128(after.cents) - Int128(before.cents)
        let magnitude = exact.magnitude
        let sign = exact > 0 ? "+" : exact < 0 ? "-" : ""
        if magnitude <= UInt128(Int64.max) { return sign + money(Money(cents: Int64(magnitude))) }
        // Beyond 64 bits: grouped by hand, in the language's separators.
        var digits = String(magnitude / 100)
        var index = digits.count - 3
        while index > 0 {
            digits.insert(contentsOf: self == .nl ? "." : ",", at: digits.index(digits.startIndex, offsetBy: index))
            index -= 3
        }
        let fraction = magnitude % 100
        return sign + digits + (self == .nl ? "," : ".") + (fraction < 10 ? "0" : "") + String(fraction)
    }

    /// A text of the pages with its `{name}` fields filled in.
    func text(_ key: PageText, _ fields: [String: String]) -> String {
        fields.reduce(text(key)) { $0.replacingOccurrences(of: "{\($1.key)}", with: $1.value) }
    }
}

extension Pages {
    // MARK: Cached bodies

    /// A list page's body (without header and footer) from the page cache, or `body`'s, then kept: the
    /// same path and query, in the same language, for the same viewer, give the same body while the
    /// workspace's revision stays (every import, program version, enrolment and run moves it on).
    /// Nil (not found) is not kept.
    func cachedBody(_ request: Request, _ user: User, _ body: @escaping @Sendable () async throws -> String?) async throws -> String? {
        let workspace = self.workspace
        let revision = try await quick { try workspace.revision() }
        let key = [
            "page", request.uri.path, request.uri.query ?? "", Language.of(request).rawValue, user.role.rawValue, user.partnerID ?? "",
            String(revision),
        ].joined(separator: "\u{0}")
        return try await pageBodies.sharedValue(key, compute: body)
    }

    /// `body` between the header and footer of the page, or the 404 page when there is no body.
    func framed(_ body: String?, title: String, _ request: Request, _ context: AppContext, _ session: Session) throws -> Response {
        guard let body else { return try notFound(request, context, session: session) }
        return page(try templates.framed(body, in: frame(request, title: title, session: session)), request: request)
    }

    // MARK: Overview

    /// Per program of the latest run: totals, statuses, the spread of the amounts, the largest amounts
    /// and a link to the program's whole list. Never a list of every partner.
    func overview(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let (user, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
        if let partner = user.partnerID { return Self.redirect(URLText.partner(partner)) }
        let language = Language.of(request)
        let workspace = self.workspace
        let body = try await cachedBody(request, user) {
            let latest = try await blocking { () -> (RunSummary, [ProgramOverview])? in
                guard let last = try workspace.latestRun() else { return nil }
                return (last, try workspace.runOverview(last.id))
            }
            let page = OverviewPage(
                t: language.texts, run: latest.map { summary, _ in RunLabel(id: summary.id, time: language.timestamp(summary.startedAt)) },
                programs: latest?.1.map { overviewProgram($0, language) } ?? [])
            return try templates.render(.overview, page)
        }
        return try framed(body, title: language.text(.overview), request, context, session)
    }

    func overviewProgram(_ overview: ProgramOverview, _ language: Language) -> OverviewPage.Program {
        let program = overview.program, currency = program.currency
        func standings(_ list: [PartnerStanding], _ amount: KeyPath<PartnerTotals, Money>) -> [OverviewPage.Standing] {
            list.map {
                OverviewPage.Standing(
                    partnerID: $0.partnerID, partnerName: $0.name, partnerHref: URLText.partner($0.partnerID),
                    shownAmount: language.money($0.totals[keyPath: amount]))
            }
        }
        func histogram(_ histogram: AmountHistogram, _ title: PageText, _ color: String) -> String? {
            guard !histogram.buckets.isEmpty else { return nil }
            let bars = histogram.buckets.map { bucket in
                (label: Self.bucketLabel(bucket, language), count: bucket.count)
            }
            let description =
                language.text(title, ["currency": currency]) + ": " + bars.map { "\($0.label): \($0.count)" }.joined(separator: "; ")
            return Charts.histogram(bars, color: color, label: description)
        }
        return OverviewPage.Program(
            id: program.id, name: program.name, kind: Self.kind(program), currency: currency,
            period: language.period(program.period, name: program.periodName),
            version: overview.version, takingPart: overview.takingPart, eligible: overview.eligible,
            paid: language.money(overview.amount) + " " + currency, missed: language.money(overview.missedAmount) + " " + currency,
            statusCounts: overview.statusCounts.map {
                OverviewPage.Program.StatusCount(status: $0.status.rawValue, statusText: language.status($0.status), count: $0.count)
            },
            chart: Charts.split(
                [(overview.amount.cents, Self.paidColor), (overview.missedAmount.cents, Self.missedColor)],
                labels: [language.text(.paid), language.text(.missed)]),
            paidHistogram: histogram(overview.paid, .paidPerPartner, Self.paidColor),
            missedHistogram: histogram(overview.missed, .missedPerPartner, Self.missedColor),
            largestPaid: standings(overview.largestPaid, \.amount), largestMissed: standings(overview.largestMissed, \.missedAmount),
            hasLargestPaid: !overview.largestPaid.isEmpty, hasLargestMissed: !overview.largestMissed.isEmpty,
            allPartners: language.text(.allPartners, ["count": String(overview.takingPart)]),
            allPartnersHref: URLText.program(program.id) + "#partners")
    }

    static let paidColor = "#2e7d4f", missedColor = "#d9534f"

    /// `0–10`, `10–100`, ..., `≥ 100,000` for the last, open bucket: whole currency units.
    static func bucketLabel(_ bucket: AmountHistogram.Bucket, _ language: Language) -> String {
        guard let below = bucket.below else { return "≥ " + language.wholeUnits(bucket.from) }
        return language.wholeUnits(bucket.from) + "–" + language.wholeUnits(below)
    }

    // MARK: Program

    /// The program's rules (its latest version) and, for admins, its partners in the latest run that has it.
    func program(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let (user, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
        let language = Language.of(request)
        let id = context.parameters.get("id") ?? ""
        let admin = user.role == .admin
        let list = admin ? try ListRequest(request) : nil
        let workspace = self.workspace
        let body = try await cachedBody(request, user) { () -> String? in
            let found = try await blocking { () -> (ProgramVersion, Program, (RunSummary, ListPage<PartnerStanding>)?)? in
                guard try !workspace.programHistory(id).isEmpty else { return nil }
                let (version, program) = try workspace.program(id)
                guard let list else { return (version, program, nil) }
                // Mostly the latest run; only when that one lacks the program are the others read.
                let hasProgram = { (run: RunSummary) in run.programs.contains { $0.id == id } }
                guard let run = try workspace.latestRun().flatMap({ hasProgram($0) ? $0 : nil }) ?? workspace.runs().last(where: hasProgram) else {
                    return (version, program, nil)
                }
                return (version, program, (run, try workspace.runPartners(run: run.id, program: id, query: list.query)))
            }
            guard let (version, program, partners) = found else { return nil }
            var page = Self.programPage(program, version: version.version, language)
            if let list {
                if let (run, standings) = partners {
                    page.partnerList = Self.partnerList(
                        standings, list: list, run: run, path: URLText.program(id), keep: [], language)
                    page.partnerList?.downloads = Download.csvAndXLSX("\(API.prefix)/runs/\(run.id)/results", [("program", id)])
                } else {
                    page.noRunHasProgram = true
                }
            }
            return try templates.render(.program, page)
        }
        return try framed(body, title: id, request, context, session)
    }

    /// A page of a run's partners in one program, with the pager.
    static func partnerList(
        _ standings: ListPage<PartnerStanding>, list: ListRequest, run: RunSummary, path: String, keep: [(String, String)], _ language: Language
    ) -> PartnerList {
        PartnerList(
            heading: language.text(.partnersInRun, ["run": String(run.id), "time": language.timestamp(run.startedAt)]),
            pager: list.pager(path: path, keep: keep, total: standings.total, sortable: true, language),
            rows: standings.items.map { standing in
                PartnerRow(
                    partnerID: standing.partnerID, partnerName: standing.name, partnerHref: URLText.partner(standing.partnerID),
                    status: standing.totals.status.rawValue, statusText: language.status(standing.totals.status),
                    paid: language.money(standing.totals.amount), missed: language.money(standing.totals.missedAmount))
            }, isEmpty: standings.items.isEmpty)
    }

    static func programPage(_ program: Program, version: Int, _ language: Language) -> ProgramPage {
        var page = ProgramPage(
            t: language.texts, id: program.id, name: program.name, kind: kind(program), currency: program.currency, version: version,
            period: language.period(program.period, name: program.periodName), countBy: language.counting(program.countBookingsBy))
        func thresholds(_ minimum: MinimumVolume) -> [ProgramPage.Threshold] {
            [ProgramPage.Threshold(country: language.text(.defaultCountry), amount: language.money(minimum.defaultAmount))]
                + minimum.byCountry.sorted { $0.key < $1.key }.map { ProgramPage.Threshold(country: $0.key, amount: language.money($0.value)) }
        }
        switch program.rules {
        case .vip(let rules):
            var requirements = [
                "\(language.text(.eligibleTiers)): \(Tier.allCases.filter(rules.eligibleTiers.contains).map(\.rawValue).joined(separator: ", "))",
                "\(language.text(.csatRequired)): \(rules.csatRequired)",
                "\(language.text(.credentialsValid)) \(language.deadline(rules.knowledgeDeadline))",
            ]
            if let until = rules.fullCreditEnrollmentUntil { requirements.append(language.text(.fullCredit, ["date": language.date(until)])) }
            page.vip = ProgramPage.VIP(
                requirements: requirements.joined(separator: " · "),
                subtracks: rules.subtrackPaths.map { entry in
                    var page = ProgramPage.VIP.Subtrack(
                        path: entry.path, name: entry.subtrack.name, rebate: language.percent(entry.subtrack.rebatePercent),
                        products: entry.subtrack.products.map(\.text).joined(separator: " "), thresholds: thresholds(entry.subtrack.minimumVolume),
                        // Not shown when empty.
                        requiresAll: entry.subtrack.requiresAll.isEmpty ? nil : entry.subtrack.requiresAll.joined(separator: ", "),
                        requiresAny: entry.subtrack.requiresAny.isEmpty ? nil : entry.subtrack.requiresAny.joined(separator: ", "))
                    Self.addRulesV2(entry.subtrack, program: program, to: &page, language)
                    return page
                })
        case .mdf(let rules):
            page.mdf = ProgramPage.MDF(
                rules: rules.intendedUseRules.map { rule in
                    ProgramPage.MDF.Rule(
                        from: rule.from.map(language.date) ?? "—",
                        counts: rule.counts.map { $0.sorted().joined(separator: ", ") } ?? language.text(.anyUse))
                },
                tiers: Tier.allCases.compactMap { tier in
                    rules.tiers[tier].map {
                        ProgramPage.MDF.Tier(
                            tier: tier.rawValue, accrual: language.percent($0.accrualPercent),
                            thresholds: thresholds($0.minimumVolume).map { "\($0.country) \($0.amount)" }.joined(separator: "; "),
                            strategic: language.text($0.requiresStrategicService ? .yes : .no))
                    }
                })
        }
        return page
    }

    /// The facts of rules v2 (formats.md §5.2-5.4) a subtrack uses, in words, from the engine's typed rules; a
    /// subtrack that uses none is left as v1 showed it.
    static func addRulesV2(_ subtrack: Subtrack, program: Program, to page: inout ProgramPage.VIP.Subtrack, _ language: Language) {
        if subtrack.hasDatedProducts {
            let entries = subtrack.productEntries
            page.entries = entries.indices.map { index in
                let entry = entries[index]
                return ProgramPage.VIP.Subtrack.Entry(
                    pattern: entry.pattern.text, dates: language.dates(from: entry.from, until: entry.until), more: index < entries.count - 1)
            }
        }
        switch subtrack.rate {
        case .percent(let byTier) where !byTier.byTier.isEmpty:
            // The tiers listed, in the order of `Tier`, then the `default` every other tier gets.
            let listed = Tier.allCases.compactMap { tier in byTier.byTier[tier].map { "\(tier.rawValue) \(language.percent($0))" } }
            page.rebate = (listed + ["\(language.text(.otherTiers)) \(language.percent(byTier.defaultPercent))"]).joined(separator: ", ")
        case .percent:
            break
        case .tiers(let tiers, let method):
            page.rebate = language.text(method == .retroactive ? .retroactive : .marginal)
            page.rateTiers = ProgramPage.VIP.Subtrack.RateTiers(
                steps: tiers.map { ProgramPage.VIP.Subtrack.RateTiers.Step(from: language.money($0.from), percent: language.percent($0.percent)) })
        }
        guard !subtrack.paysLikeV1 else { return }
        switch subtrack.rebateBase {
        case .all: page.rebateBase = language.text(.baseAll)
        case .aboveMinimum: page.rebateBase = language.text(.baseAboveMin)
        case .growth:
            // A growth base always has its baseline (a load error without).
            let baseline = subtrack.baseline.map { language.period($0.period, name: $0.periodName) } ?? "—"
            page.rebateBase = language.text(.baseGrowth, ["baseline": baseline])
        }
        if let bonus = subtrack.attachBonus {
            page.attachBonus = ProgramPage.VIP.Subtrack.Attach(
                attachProducts: bonus.products.map(\.text).joined(separator: " "),
                bands: bonus.bands.map {
                    ProgramPage.VIP.Subtrack.Attach.Band(
                        from: language.percent($0.fromPercent), bonus: language.text(.points, ["points": language.decimal($0.percent)]))
                })
        }
        if let cap = subtrack.cap {
            page.cap = language.text(.capPerPartner, ["amount": language.money(cap), "currency": program.currency])
        }
    }

    // MARK: Runs

    /// `/runs`: the runs, newest first, 50 a page; with `a` and `b` (admins) the two runs compared.
    func runs(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let (user, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
        let language = Language.of(request)
        let query = request.uri.queryParameters
        let admin = user.role == .admin
        // Two runs to compare (as before, numbers that are not runs show the list).
        if admin, let a = query["a"].flatMap({ Int(String($0)) }), let b = query["b"].flatMap({ Int(String($0)) }),
            let response = try await diff(request, context, user: user, session: session, a: a, b: b)
        {
            return response
        }
        let list = try ListRequest(request, sortable: false)
        let workspace = self.workspace
        let body = try await cachedBody(request, user) { () -> String? in
            let summaries = try await blocking { try workspace.runs() }
            let newestFirst = Array(summaries.reversed())
            let shown = newestFirst.dropFirst(min(list.offset, newestFirst.count)).prefix(ListRequest.perPage)
            let page = RunsPage(
                t: language.texts, admin: admin, canCompare: summaries.count >= 2,
                compareA: summaries.count >= 2 ? summaries[summaries.count - 2].id : 0, compareB: summaries.last?.id ?? 0,
                pager: list.pager(path: "/runs", total: summaries.count, sortable: false, language),
                runs: shown.map { run in
                    RunsPage.Run(
                        id: run.id, started: language.timestamp(run.startedAt),
                        programs: run.programs.map { "\($0.id) v\($0.version)" }.joined(separator: ", "),
                        lines: run.bookingLines, paid: language.money(run.amount), missed: language.money(run.missedAmount), admin: admin)
                }, isEmpty: shown.isEmpty)
            return try templates.render(.runs, page)
        }
        return try framed(body, title: language.text(.runs), request, context, session)
    }

    /// `/runs?a=1&b=2`: the header of the difference and the changed (program, partner) pairs a page at a
    /// time; with `partner=ID`, that partner's whole difference as text. Nil when either run is not there.
    func diff(_ request: Request, _ context: AppContext, user: User, session: Session, a: Int, b: Int) async throws -> Response? {
        let language = Language.of(request)
        let query = request.uri.queryParameters
        let partner = query["partner"].map(String.init)
        if let partner, partner.isEmpty || partner.count > ListRequest.maxSearch {
            throw APIError.badRequest("partner \"\(APIError.cut(partner, to: 40))\": expected a partner id")
        }
        let showLines = query["lines"] == "1" && partner == nil
        let list = try ListRequest(request, sortable: !showLines)
        let workspace = self.workspace
        let title = "\(language.text(.compare)) \(a) → \(b)"
        let body = try await cachedBody(request, user) { () -> String? in
            let found = try await blocking { () -> (RunDiffHeader, ListPage<PartnerChange>?, String?, LineChanges?)? in
                guard try workspace.hasRun(a), try workspace.hasRun(b) else { return nil }
                let header = try workspace.runDiffHeader(a, b)
                // The changed booking lines: counted when the data changed, listed with `lines=1`.
                let lines = (header.dataChanged || showLines) && partner == nil ? try workspace.changedLines(a, b) : nil
                if let partner { return (header, nil, RunDiffText.render(try workspace.diffRuns(a, b, partner: partner)), nil) }
                if showLines { return (header, nil, nil, lines) }
                return (header, try workspace.changedPartners(a, b, query: list.query), nil, lines)
            }
            guard let (header, changes, text, lines) = found else { return nil }
            let keep = [("a", String(a)), ("b", String(b))]
            let none = "—"
            var page = DiffPage(
                t: language.texts, a: a, b: b,
                heading: language.text(
                    .diffHeading,
                    [
                        "a": String(a), "b": String(b), "timeA": language.timestamp(header.before.startedAt),
                        "timeB": language.timestamp(header.after.startedAt),
                    ]),
                currency: header.currency,
                programChanges: header.programs.map { program in
                    let versions: String
                    switch (program.before, program.after) {
                    case (let before?, let after?) where before == after: versions = "v\(after) (\(language.text(.sameVersion)))"
                    case (let before?, let after?): versions = "v\(before) → v\(after)"
                    case (nil, let after?): versions = "\(language.text(.onlyInRun, ["run": String(b)])) (v\(after))"
                    case (let before?, nil): versions = "\(language.text(.onlyInRun, ["run": String(a)])) (v\(before))"
                    default: versions = ""
                    }
                    let formOnly = program.before != program.after && program.before != nil && program.after != nil && program.changes.isEmpty
                    return DiffPage.ProgramChange(
                        programID: program.id, versions: versions, changes: formOnly ? [language.text(.formOnly)] : program.changes)
                },
                dataText: language.text(header.dataChanged ? .dataChanged : .dataSame),
                imports: header.imports.map { entry in
                    DiffPage.Import(
                        kind: entry.kind.rawValue, file: entry.file,
                        counts: entry.digest.isEmpty
                            ? nil
                            : "\(entry.added) \(language.text(.added)), \(entry.changed) \(language.text(.changed)), \(entry.unchanged) \(language.text(.unchanged))"
                    )
                },
                hasImports: header.dataChanged,
                paidBefore: language.money(header.before.amount), paidAfter: language.money(header.after.amount),
                missedBefore: language.money(header.before.missedAmount), missedAfter: language.money(header.after.missedAmount),
                changedText: language.text(.changedPairs, ["count": String(header.changedPartners)]), pairs: [], pager: nil, isEmpty: false,
                partnerDiff: text, partnerHeading: partner.map { language.text(.fullDiff, ["partner": $0]) },
                backHref: URLText.link("/runs", keep))
            page.downloads = Download.csvAndXLSX("\(API.prefix)/runs/\(b)/diff", [("since", String(a))])
            if header.dataChanged && header.imports.isEmpty { page.dataText += " " + language.text(.noImportsBetween) }
            if let lines, header.dataChanged {
                let counts = ["changed": String(lines.changed), "added": String(lines.added), "retired": String(lines.retired)]
                page.linesText = language.text(.changedLinesSummary, counts)
                page.linesHref = URLText.link("/runs", keep + [("lines", "1")]) + "#lines"
            }
            if showLines, let lines {
                let keepLines = keep + [("lines", "1")]
                page.showLines = true
                page.linesHeading = language.text(
                    .changedLinesHeading, ["a": String(a), "b": String(b), "from": String(lines.fromImport), "to": String(lines.toImport)])
                page.pager = list.pager(path: "/runs", keep: keepLines, total: lines.lines.count, sortable: false, language)
                let shown = lines.lines.dropFirst(min(list.offset, lines.lines.count)).prefix(ListRequest.perPage)
                page.isEmpty = shown.isEmpty
                let kinds: [LineChange.Kind: PageText] = [.changed: .changed, .added: .added, .retired: .retired]
                page.lineRows = shown.map { line in
                    DiffPage.LineRow(
                        orderID: line.orderID, line: line.line, partnerID: line.partnerID, change: language.text(kinds[line.kind]!),
                        importText: "\(line.importID): \(line.importFile) (\(language.timestamp(line.importedAt)))",
                        columns: line.columns.map { DiffPage.LineRow.Column(name: $0.name, before: $0.before ?? none, after: $0.after ?? none) })
                }
            }
            if let changes {
                page.pager = list.pager(path: "/runs", keep: keep, total: changes.total, sortable: true, language)
                page.isEmpty = changes.items.isEmpty
                page.pairs = changes.items.map { change in
                    DiffPage.Change(
                        programID: change.program, partnerID: change.partnerID, partnerName: change.name,
                        diffHref: URLText.link("/runs", keep + [("partner", change.partnerID)]),
                        beforeStatus: change.before?.status.rawValue ?? "",
                        beforeStatusText: change.before.map { language.status($0.status) } ?? none,
                        beforePaid: change.before.map { language.money($0.amount) } ?? none,
                        beforeMissed: change.before.map { language.money($0.missedAmount) } ?? none,
                        afterStatus: change.after?.status.rawValue ?? "", afterStatusText: change.after.map { language.status($0.status) } ?? none,
                        afterPaid: change.after.map { language.money($0.amount) } ?? none,
                        afterMissed: change.after.map { language.money($0.missedAmount) } ?? none,
                        paidChange: language.change(change.before?.amount ?? .zero, change.after?.amount ?? .zero),
                        missedChange: language.change(change.before?.missedAmount ?? .zero, change.after?.missedAmount ?? .zero))
                }
            }
            return try templates.render(.diff, page)
        }
        guard let body else { return nil }
        return try framed(body, title: title, request, context, session)
    }

    // MARK: Run

    /// `/runs/{id}`: the run's summary and, for admins, the partners of one of its programs
    /// (`?program=`, the first by default) a page at a time, then its approvals with the forms to approve it
    /// (`LedgerPages.runApprovals`, after a post its `outcome`). A partner user sees the summary without
    /// totals and no list.
    func run(
        _ request: Request, _ context: AppContext, outcome: LedgerPages.Outcome? = nil, status: HTTPResponse.Status = .ok
    ) async throws -> Response {
        guard let (user, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
        let language = Language.of(request)
        guard let id = context.parameters.get("id").flatMap({ Int($0) }), id >= 1 else {
            return try notFound(request, context, session: session)
        }
        let admin = user.role == .admin
        let list = admin ? try ListRequest(request) : nil
        let chosen = request.uri.queryParameters["program"].map(String.init)
        let workspace = self.workspace
        let body = try await cachedBody(request, user) { () -> String? in
            let found = try await blocking { () -> (RunSummary, String?, ListPage<PartnerStanding>?)? in
                guard try workspace.hasRun(id) else { return nil }
                let summary = try workspace.runSummary(id)
                guard let list else { return (summary, nil, nil) }
                guard let program = chosen ?? summary.programs.first?.id else { return (summary, nil, nil) }
                guard summary.programs.contains(where: { $0.id == program }) else { return nil }
                return (summary, program, try workspace.runPartners(run: id, program: program, query: list.query))
            }
            guard let (summary, program, standings) = found else { return nil }
            let path = "/runs/\(id)"
            var page = RunPage(
                t: language.texts, heading: language.text(.runHeading, ["run": String(id)]), started: language.timestamp(summary.startedAt),
                finished: language.timestamp(summary.finishedAt), lines: summary.bookingLines, partners: summary.partners,
                programs: summary.programs.map { entry in
                    RunPage.ProgramTab(
                        programID: entry.id, version: entry.version, tabHref: URLText.link(path, [("program", entry.id)]) + "#partners",
                        selected: entry.id == program)
                }, admin: admin, paid: admin ? language.money(summary.amount) : "", missed: admin ? language.money(summary.missedAmount) : "")
            page.downloads = Download.csvAndXLSX("\(API.prefix)/runs/\(id)/results", [])
            if let list, let program, let standings {
                page.partnerList = Self.partnerList(standings, list: list, run: summary, path: path, keep: [("program", program)], language)
                page.partnerList?.downloads = Download.csvAndXLSX("\(API.prefix)/runs/\(id)/results", [("program", program)])
            }
            return try templates.render(.run, page)
        }
        // The approvals change without a new revision and the forms carry the session's token: never cached.
        let approvals = admin && body != nil ? try await LedgerPages(pages: self).runApprovals(run: id, session: session, language, outcome) : ""
        var response = try framed(body.map { $0 + approvals }, title: language.text(.runHeading, ["run": String(id)]), request, context, session)
        if body != nil { response.status = status }
        return response
    }

    // MARK: Imports

    /// The import page: the form and the log, newest first, 50 a page (`page=`); after an upload, what
    /// came of it.
    func imports(_ request: Request, _ context: AppContext, outcome: UploadOutcome?) async throws -> Response {
        guard let (user, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
        guard user.role == .admin else { return try notFound(request, context, session: session) }
        let language = Language.of(request)
        // After an upload (a POST), the first page of the log.
        let list = outcome == nil ? try ListRequest(request, sortable: false) : ListRequest()
        let workspace = self.workspace
        let log = try await quick { try workspace.importLog(offset: list.offset, limit: ListRequest.perPage) }
        var page = ImportsPage(
            t: language.texts, csrf: session.csrfToken, kinds: DataKind.allCases.map(\.rawValue),
            pager: list.pager(path: "/imports", total: log.total, sortable: false, language),
            log: log.items.map { entry in
                ImportsPage.Entry(
                    id: entry.id, at: language.timestamp(entry.importedAt), kind: entry.summary.kind.rawValue, file: entry.summary.file,
                    rows: entry.summary.rows, added: entry.summary.added, changed: entry.summary.changed, unchanged: entry.summary.unchanged)
            }, hasProblems: false, problems: [])
        if let outcome {
            page.done = outcome.done
            page.hasProblems = !outcome.problems.isEmpty
            // As in the API's answer: at most 100 problems, each text cut, and a count of the rest.
            let shown = outcome.problems.prefix(APIError.maxDetails)
            page.problems = shown.map { problem in
                ImportsPage.Problem(
                    file: APIError.cut(problem.file, to: APIError.maxValue), line: problem.line.map(String.init) ?? "",
                    column: APIError.cut(problem.column ?? "", to: APIError.maxValue),
                    value: APIError.cut(problem.value ?? "", to: APIError.maxValue),
                    message: APIError.cut(problem.message, to: APIError.maxMessage))
            }
            let more = max(outcome.total, outcome.problems.count) - shown.count
            if more > 0 { page.moreProblems = more }
            page.warnings = outcome.warnings.map { APIError.cut($0, to: APIError.maxMessage) }
            page.hasWarnings = !page.warnings.isEmpty
            if let (summary, token) = outcome.preview { page.preview = Self.preview(summary, token: token, language) }
        }
        let status: HTTPResponse.Status = outcome.map { $0.problems.isEmpty ? .ok : .unprocessableContent } ?? .ok
        return try render(.imports, page, frame: frame(request, title: language.text(.imports), session: session), request: request, status: status)
    }

    /// The preview of an upload: the counts, then the rows that would be added, changed (`column old -> new`)
    /// and retired, the first 50 of each (`ImportPreview.listLimit`), then how many more.
    static func preview(_ summary: ImportSummary, token: String, _ language: Language) -> ImportsPage.Preview {
        let counts = [
            "\(summary.rows) \(language.text(.rows))", "\(summary.added) \(language.text(.added))",
            "\(summary.changed) \(language.text(.changed))", "\(summary.unchanged) \(language.text(.unchanged))",
        ].joined(separator: ", ")
        var rows: [ImportsPage.Preview.Row] = []
        var more: [String] = []
        func cut(_ text: String) -> String { APIError.cut(text, to: APIError.maxMessage) }
        func left(_ count: Int, _ shown: Int, _ what: PageText) {
            if count > shown {
                more.append(
                    language.text(.moreRows).replacingOccurrences(of: "{count}", with: "\(count - shown)").replacingOccurrences(
                        of: "{what}", with: language.text(what)))
            }
        }
        if let preview = summary.preview {
            for row in preview.added {
                rows.append(.init(what: language.text(.added), key: cut(row.key), text: cut(ImportReport.values(row, columns: preview.columns))))
            }
            left(summary.added, preview.added.count, .added)
            for row in preview.changed {
                rows.append(.init(what: language.text(.changed), key: cut(row.key), text: cut(ImportReport.changes(row))))
            }
            left(summary.changed, preview.changed.count, .changed)
            for row in preview.retired {
                rows.append(.init(what: language.text(.retired), key: cut(row.key), text: cut(ImportReport.values(row, columns: preview.columns))))
            }
            left(summary.retired, preview.retired.count, .retired)
        }
        return ImportsPage.Preview(
            heading: language.text(.previewHeading).replacingOccurrences(of: "{file}", with: APIError.cut(summary.file, to: APIError.maxValue)),
            counts: counts, token: token, hasRows: !rows.isEmpty, rows: rows, more: more)
    }
}
