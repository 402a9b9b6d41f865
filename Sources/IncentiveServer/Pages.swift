import Foundation
import HTTPTypes
import Hummingbird
import IncentiveAdvisor
import IncentiveEngine
import IncentiveSheets
import IncentiveStore
import NIOCore

/// The pages, rendered on the server: overview, programs, partners, runs with their diff, imports, login.
/// A partner user sees its own partner page, the programs and the runs (without totals); anything
/// about another partner is 404. Every form post carries the session's CSRF token.
struct Pages: Sendable {
    let workspace: Workspace
    let options: ServerOptions
    let templates: Templates
    let cache: ResponseCache
    /// The bodies of list pages (`cachedBody`): up to 20 KB each, so fewer are kept than answers.
    let pageBodies = ResponseCache(capacity: 512)

    static let loginCSRFCookie = "incentives_login_csrf"
    static let sessionLifetime: TimeInterval = 12 * 3600

    init(workspace: Workspace, options: ServerOptions, cache: ResponseCache, templates: Templates = .shared) {
        self.workspace = workspace
        self.options = options
        self.cache = cache
        self.templates = templates
    }

    func register(on router: Routes) {
        router.get("login") { request, _ in try loginPage(request, failed: false) }
        router.post("login") { request, context in try await login(request, context) }
        router.get("login/link") { request, _ in try await loginLink(request) }
        router.post("logout") { request, context in try await logout(request, context) }
        router.get("/") { request, context in try await overview(request, context) }
        router.get("programs") { request, context in try await programs(request, context) }
        router.get("programs/{id}") { request, context in try await program(request, context) }
        router.get("partners/{id}") { request, context in try await partner(request, context) }
        router.get("partners/{id}/estimate") { request, context in try await estimate(request, context) }
        router.get("runs") { request, context in try await runs(request, context) }
        router.get("runs/{id}") { request, context in try await run(request, context) }
        router.get("imports") { request, context in try await imports(request, context, outcome: nil) }
        router.post("imports") { request, context in try await upload(request, context) }
        LedgerPages(pages: self).register(on: router)
    }

    // MARK: Rendering

    /// What every page's header and footer show: language, texts, the user and the CSRF token.
    func frame(_ request: Request, title: String, session: Session?) -> PageFrame {
        let language = Language.of(request)
        let user = session.map { session in
            PageFrame.SignedIn(
                name: session.user.name, admin: session.user.role == .admin, csrf: session.csrfToken,
                partnerLink: session.user.partnerID.map { "/partners/\($0)" })
        }
        return PageFrame(lang: language.rawValue, otherLang: language.other.rawValue, t: language.texts, title: title, user: user)
    }

    /// `model` shown through `template`, between the header and footer of `frame`.
    func render(
        _ template: PageTemplate, _ model: some Sendable, frame: PageFrame, request: Request, status: HTTPResponse.Status = .ok
    ) throws -> Response {
        page(try templates.page(template, model, frame: frame), request: request, status: status)
    }

    func page(_ html: String, request: Request, status: HTTPResponse.Status = .ok) -> Response {
        // The security header fields are added to every answer by `WebDefaultsMiddleware`.
        var headers: HTTPFields = [.contentType: "text/html; charset=utf-8"]
        if let value = request.uri.queryParameters["lang"], Language(rawValue: String(value)) != nil {
            headers[.setCookie] = "\(Language.cookie)=\(value); Path=/; Max-Age=31536000; SameSite=Lax"
        }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    static func redirect(_ location: String, cookies: [String] = []) -> Response {
        var headers: HTTPFields = [.location: location]
        for cookie in cookies { headers.append(HTTPField(name: .setCookie, value: cookie)) }
        return Response(status: .seeOther, headers: headers)
    }

    /// The signed-in user and the session of the page's cookie (found by the authenticator); nil sends to the login page.
    func signedIn(_ request: Request, _ context: AppContext) async throws -> (User, Session)? {
        guard let session = context.session else { return nil }
        return (session.user, session)
    }

    func notFound(_ request: Request, _ context: AppContext, session: Session?) throws -> Response {
        let page = MessagePage(heading: "404", text: Language.of(request).text(.noAccess))
        return try render(.message, page, frame: frame(request, title: "404", session: session), request: request, status: .notFound)
    }

    // MARK: Login

    /// The login form: after a wrong attempt with 401; held back (`outcome` throttled or busy) with 429 or
    /// 503 and `Retry-After`.
    func loginPage(_ request: Request, failed: Bool, outcome: SignInGuard.Outcome? = nil) throws -> Response {
        let token = Accounts.newSecret(prefix: "")
        let language = Language.of(request)
        var page = LoginPage(t: language.texts, loginCSRF: token, failed: failed)
        var status: HTTPResponse.Status = failed ? .unauthorized : .ok
        var retryAfter: Int?
        switch outcome {
        case .throttled(let seconds):
            (status, retryAfter) = (.tooManyRequests, seconds)
            page.refusal = language.text(.tooManyAttempts, ["wait": SignInGuard.wait(seconds, language.texts)])
        case .busy:
            (status, retryAfter) = (.serviceUnavailable, 1)
            page.refusal = language.text(.signInBusy)
        default: break
        }
        var response = try render(.login, page, frame: frame(request, title: language.text(.signIn), session: nil), request: request, status: status)
        response.headers.append(HTTPField(name: .setCookie, value: "\(Self.loginCSRFCookie)=\(token); Path=/login; HttpOnly; SameSite=Strict"))
        if let retryAfter { response.headers[.retryAfter] = "\(retryAfter)" }
        return response
    }

    /// Signs in with the login form, throttled per name and address (`SignInGuard`).
    func login(_ request: Request, _ context: AppContext) async throws -> Response {
        let form = try await Form.read(request)
        guard let expected = request.cookies[Self.loginCSRFCookie]?.value, Form.same(form["csrf"], expected) else {
            throw APIError(status: .forbidden, code: "csrf", message: "the form is stale or came from elsewhere; reload the login page")
        }
        guard let scope = SignInGuard.current else { throw SignInGuard.missing }
        switch try await scope.accounts.signIn(name: form["name"] ?? "", password: form["password"] ?? "", address: scope.address) {
        case .signedIn(let user): return try await startSession(user, target: nil)
        case .wrong: return try loginPage(request, failed: true)
        case let refused: return try loginPage(request, failed: false, outcome: refused)
        }
    }

    /// Signs in and sends the browser on: to `target` (a path of this site) or the user's home page.
    func startSession(_ user: User, target: String?) async throws -> Response {
        let secret = Accounts.newSecret(prefix: ""), csrf = Accounts.newSecret(prefix: "")
        let hash = Accounts.digest(secret)
        let workspace = self.workspace
        let expires = workspace.clock.now().addingTimeInterval(Self.sessionLifetime)
        try await blocking {
            try workspace.addSession(hash: hash, user: user.name, csrfToken: csrf, expires: expires, by: .account(user.name))
        }
        let home = user.partnerID.map { "/partners/\($0)" } ?? "/"
        let next = target.flatMap(LocalPath.validated) ?? home
        return Self.redirect(
            next,
            cookies: [
                "\(Authenticator.sessionCookie)=\(secret); Path=/; HttpOnly; SameSite=Lax; Max-Age=\(Int(Self.sessionLifetime))",
                "\(Self.loginCSRFCookie)=; Path=/login; Max-Age=0",
            ])
    }

    /// `/login/link?key=...&next=/path`: a single-use sign-in link (as `serve --demo` prints).
    func loginLink(_ request: Request) async throws -> Response {
        let query = request.uri.queryParameters
        guard let scope = SignInGuard.current else { throw SignInGuard.missing }
        switch try await scope.accounts.useLink(key: query["key"].map(String.init) ?? "", address: scope.address) {
        case .signedIn(let user): return try await startSession(user, target: query["next"].map(String.init))
        case .wrong: return try loginPage(request, failed: true)
        case let refused: return try loginPage(request, failed: false, outcome: refused)
        }
    }

    func logout(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let (_, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
        let form = try await Form.read(request)
        try checkCSRF(form, session)
        if let cookie = request.cookies[Authenticator.sessionCookie] {
            let workspace = self.workspace
            let hash = Accounts.digest(cookie.value)
            try await blocking { try workspace.deleteSession(hash: hash) }
        }
        return Self.redirect("/login", cookies: ["\(Authenticator.sessionCookie)=; Path=/; Max-Age=0"])
    }

    func checkCSRF(_ form: [String: String], _ session: Session) throws {
        guard Form.same(form["csrf"], session.csrfToken) else {
            throw APIError(status: .forbidden, code: "csrf", message: "the form is stale or came from elsewhere; reload the page")
        }
    }

    /// How the pages name a program's kind.
    static func kind(_ program: Program) -> String { program.kind == .vip ? "VIP" : "MDF" }

    // MARK: Programs

    func programs(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let (_, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
        let language = Language.of(request)
        let workspace = self.workspace
        let versions = try await quick { try workspace.latestPrograms() }
        let page = ProgramsPage(
            t: language.texts,
            programs: versions.map { version, program in
                ProgramsPage.Program(
                    id: program.id, name: program.name, kind: Self.kind(program),
                    period: language.period(program.period, name: program.periodName),
                    currency: program.currency, version: version.version)
            })
        return try render(.programs, page, frame: frame(request, title: language.text(.programs), session: session), request: request)
    }

    // MARK: Partner

    /// The partner's standing computed now from the workspace: a projection, labelled as what would be
    /// paid on the data as it stands, next to what the latest stored run paid (which run, and when).
    /// Both cost one partner: the projection reads only its rows, the stored run only its rows and checks.
    func partner(_ request: Request, _ context: AppContext) async throws -> Response {
        let id = context.parameters.get("id") ?? ""
        let language = Language.of(request)
        let workspace = self.workspace
        // The body depends only on the workspace (its runs included), the partner and the language.
        // The advice on it is as of today, so the day is part of the key too. Everything, from reading the
        // session and the revision to writing the page, is done in one go off the request's thread.
        let today = options.clock.today.daysSinceEpoch
        @Sendable func key(_ revision: Int) -> String { "partner\u{0}\(id)\u{0}\(language.rawValue)\u{0}\(revision)\u{0}\(today)" }
        /// The page's body (nil: no such partner) from what one read gave.
        @Sendable func body(_ hit: String?, revision: Int, view: PartnerView?) -> String? {
            if let hit { return hit }
            guard let view,
                let page = partnerPage(id: id, view: view, result: Engine.compute(view.input), language: language)
            else { return nil }
            let body = PartnerHTML.render(page)
            cache.keep(body, for: key(revision))
            return body
        }
        enum Outcome: Sendable {
            case signedOut
            case notFound(Session)
            case page(Session, String?)
        }
        let outcome: Outcome
        if let sessionHash = context.sessionHash {
            // Who asks, and (only for a user who may see it) the partner: one read (`Authenticator`).
            outcome = try await quick { () -> Outcome in
                var hit: String?
                let read = try workspace.partnerView(
                    id, sessionHash: sessionHash, allowed: { $0.mayView(partner: id) }, ledgerAsOf: Day(daysSinceEpoch: today)
                ) { revision in
                    hit = cache[key(revision)]
                    return hit != nil
                }
                guard let session = read.session else { return .signedOut }
                guard read.allowed else { return .notFound(session) }
                return .page(session, body(hit, revision: read.revision, view: read.view))
            }
        } else {
            guard let (user, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
            guard user.mayView(partner: id) else { return try notFound(request, context, session: session) }
            outcome = try await quick { () -> Outcome in
                var hit: String?
                // Only this partner's rows, read through the tables' partner indexes: never the whole workspace.
                let read = try workspace.partnerView(id, ledgerAsOf: Day(daysSinceEpoch: today)) { revision in
                    hit = cache[key(revision)]
                    return hit != nil
                }
                return .page(session, body(hit, revision: read.revision, view: read.view))
            }
        }
        switch outcome {
        case .signedOut: return Self.redirect("/login")
        case .notFound(let session): return try notFound(request, context, session: session)
        case .page(let session, nil): return try notFound(request, context, session: session)
        case .page(let session, let body?):
            return page(try templates.framed(body, in: frame(request, title: id, session: session)), request: request)
        }
    }

    /// Whether `path` is a partner page's (`/partners/{id}`): it looks the session up in its own read.
    static func looksUpItsOwnSession(_ path: String) -> Bool {
        guard path.hasPrefix("/partners/") else { return false }
        let rest = path.utf8.dropFirst("/partners/".utf8.count)
        return !rest.isEmpty && !rest.contains(UInt8(ascii: "/"))
    }

    /// At most this many counted lines are listed per program (a partner page stays under 300 KB
    /// whatever the partner booked); the page says how many more there are.
    static let maxLines = 200

    func partnerPage(id: String, view: PartnerView, result: ComputeResult, language: Language) -> PartnerPage? {
        let input = view.input, stored = view.stored
        guard let index = input.dataset.partnerIndex(id) else { return nil }
        let partner = input.dataset.partners[index]
        let storedRun = stored.map { RunLabel(id: $0.summary.id, time: language.timestamp($0.summary.startedAt)) }
        let programs = result.programs.enumerated().compactMap { programIndex, programResult -> PartnerPage.Program? in
            guard let standing = programResult.partners.first(where: { $0.partnerID == id }) else { return nil }
            let program = programResult.program
            let totals = input.totals.programs[programIndex]
            let paths: [String] = {
                if case .vip(let rules) = program.rules { return rules.subtrackPaths.map(\.path) }
                return []
            }()
            let rows = standing.rows.map { row in
                var bar = Charts.progress(
                    volume: row.qualifyingVolume.cents, minimum: row.threshold.cents, label: language.text(.volumeAgainstMinimum))
                if program.kind == .mdf {
                    let mdf = totals.mdf[index]
                    bar = Charts.split(
                        [(mdf.qualifyingVolume.cents, "#2e7d4f"), (mdf.untaggedVolume.cents, "#e0a526")],
                        labels: [
                            "\(language.text(.tagged)) \(language.money(mdf.qualifyingVolume))",
                            "\(language.text(.untagged)) \(language.money(mdf.untaggedVolume))",
                        ])
                }
                return PartnerPage.Program.Row(
                    item: row.item, eligible: row.eligible, bar: bar, volume: language.money(row.qualifyingVolume),
                    threshold: language.money(row.threshold), amount: language.money(row.amount), missed: language.money(row.missedAmount),
                    checks: row.checks.map { PartnerPage.Program.Row.Check(passed: $0.passed, explanation: language.check($0)) })
            }
            var counted = 0
            let lines = input.totals.traced.compactMap { line -> PartnerPage.Program.Line? in
                let order = "\(line.orderID)/\(line.lineID)", booked = language.date(line.bookedOn)
                switch line.outcomes[programIndex] {
                case .counted(let subtrack, let amount):
                    counted += 1
                    guard counted <= Self.maxLines else { return nil }
                    return PartnerPage.Program.Line(
                        order: order, sku: line.sku, booked: booked, item: paths[subtrack], amount: language.money(amount))
                case .qualifying(let amount):
                    counted += 1
                    guard counted <= Self.maxLines else { return nil }
                    return PartnerPage.Program.Line(
                        order: order, sku: line.sku, booked: booked, item: line.intendedUse, amount: language.money(amount))
                default: return nil
                }
            }
            var card = PartnerPage.Program(
                id: program.id, currency: program.currency, status: standing.status.rawValue, statusText: language.status(standing.status),
                amount: language.money(standing.amount), missed: language.money(standing.missedAmount), rows: rows, lines: lines,
                hasLines: !lines.isEmpty,
                moreLines: counted > lines.count
                    ? language.text(.moreLines, ["shown": String(lines.count), "count": String(counted)]) : nil)
            // What the latest stored run paid in this program, if the run has the program and the partner in it.
            if let stored, let storedRun {
                if let paid = stored.totals[program.id] {
                    card.paid = PartnerPage.Program.Paid(
                        id: storedRun.id, time: storedRun.time, amount: language.money(paid.amount), missed: language.money(paid.missedAmount),
                        statusText: language.status(paid.status))
                } else {
                    card.notInRun = storedRun
                }
            }
            return card
        }
        var advice = adviceLines(id: id, input: input, computed: result, language: language)
        if let ledger = view.ledger { advice.summary += ledgerLines(ledger, language: language) }
        return PartnerPage(
            t: language.texts, partnerID: partner.id, partnerName: partner.name, country: partner.country, tier: partner.tier.rawValue,
            provider: partner.provider ? "Partner Provider" : nil, storedRun: storedRun,
            downloads: storedRun.map { Download.csvAndXLSX("\(API.prefix)/runs/\($0.id)/results", [("partner", id)]) } ?? [],
            programs: programs, advice: advice.summary, hasAdvice: !advice.summary.isEmpty, calendar: advice.calendar,
            hasCalendar: !advice.calendar.isEmpty)
    }

    /// The advisor's view in a few sentences: where each open subtrack's pace leads, and MDF lost to untagged orders; and
    /// its deadline calendar (the plan weighed with the server's catalogue, or without credentials when it has none).
    func adviceLines(id: String, input: LoadedInput, computed: ComputeResult? = nil, language: Language) -> (summary: [String], calendar: [String]) {
        let today = options.clock.today
        guard let advice = Advisor.advise(partnerID: id, input: input, asOf: today, computed: computed) else { return ([], []) }
        let format = AdviceFormat(
            money: { language.money($0) }, date: { language.date($0) }, check: { language.check($0) },
            decimalSeparator: language == .nl ? "," : ".")
        let calendarWords: CalendarWords = language == .nl ? .dutch : .english
        let actions = AdviceCalendar.actions(advice, recommendation: Recommender.recommend(advice, catalogue: options.catalogue ?? []))
        return (
            AdviceOutput.summary(
                advice, words: language == .nl ? .dutch : .english, format: format, forecastWords: language == .nl ? .dutch : .english,
                calendarWords: calendarWords),
            AdviceOutput.calendarLines(advice, actions, words: calendarWords, format: format)
        )
    }

    /// The partner page's estimate form sent (`?quote=CSV&as_of=DAY`): what the deal adds (docs/estimate.md), the engine's
    /// table in a `pre`, or the quote's problems line by line; the form again below. Read-only, so a GET.
    func estimate(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let (user, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
        let id = context.parameters.get("id") ?? ""
        guard user.mayView(partner: id) else { return try notFound(request, context, session: session) }
        let language = Language.of(request)
        let query = request.uri.queryParameters
        let quoteText = query["quote"].map(String.init) ?? ""
        let asOfText = query["as_of"].map(String.init) ?? ""
        let workspace = self.workspace, today = options.clock.today
        let body = try await blocking { () -> String? in
            guard try workspace.partners(offset: 0, limit: 1, only: id).total == 1 else { return nil }
            return try Self.estimateBody(
                id: id, quote: quoteText, asOf: asOfText, today: today, texts: language.texts, workspace: workspace)
        }
        guard let body else { return try notFound(request, context, session: session) }
        return page(try templates.framed(body, in: frame(request, title: id, session: session)), request: request)
    }

    /// The estimate of `quote` (CSV text) for partner `id` as it stood on `day`.
    static func estimateOutcome(id: String, quote: String, day: Day, workspace: Workspace) throws(DiagnosticReport) -> DealEstimate {
        let lines = try Estimate.readQuote(text: quote, file: "quote", bookedOn: day)
        var input = try workspace.loadInput(tracePartner: id, onlyPartner: true, bookingView: Advisor.bookings(asOf: day)).input
        input.dataset = Advisor.dataset(input.dataset, asOf: day)
        return try Estimate.estimate(partnerID: id, input: input, quote: lines, quoteFile: "quote")
    }

    /// The estimate page's body: the outcome (or the problems), then the form with what was sent.
    static func estimateBody(id: String, quote: String, asOf: String, today: Day, texts t: [String: String], workspace: Workspace) throws -> String {
        let html = TextBuffer(capacity: 8192)
        html.raw("<h1><a href=\"/partners/").html(id).raw("\">").html(id).raw("</a> <span class=\"muted\">").html(t["estimateDeal"]).raw(
            "</span></h1>\n")
        var problems: [String] = []
        var day = today
        if !asOf.isEmpty {
            if let parsed = Day(iso: asOf) { day = parsed } else { problems.append("as_of \"\(asOf)\": expected a real calendar date YYYY-MM-DD") }
        }
        if problems.isEmpty && !quote.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            switch Result(catching: { () throws(DiagnosticReport) -> DealEstimate in
                try estimateOutcome(id: id, quote: quote, day: day, workspace: workspace)
            }) {
            case .success(let estimate):
                html.raw("<div class=\"card\"><h2>").html(t["estimateFor"]).raw("</h2><p class=\"muted\">").html(t["estimateWords"])
                html.raw("</p><pre>").html(EstimateOutput.table(estimate)).raw("</pre></div>\n")
            case .failure(let report):
                problems = report.errorLines
            }
        }
        if !problems.isEmpty {
            html.raw("<div class=\"card\"><ul>")
            for problem in problems.prefix(100) { html.raw("<li class=\"fail\">").html(problem).raw("</li>") }
            html.raw("</ul></div>\n")
        }
        html.raw("<div class=\"card\"><form method=\"get\" action=\"/partners/").html(id).raw("/estimate\"><p class=\"muted\">").html(
            t["estimateHelp"])
        html.raw("</p><textarea name=\"quote\" rows=\"8\" cols=\"60\">").html(quote.isEmpty ? "sku,amount,currency\n" : quote)
        html.raw("</textarea><p><label>").html(t["estimateAsOf"]).raw(" <input type=\"date\" name=\"as_of\" value=\"").html(day.description)
        html.raw("\"></label> <button type=\"submit\">").html(t["estimateButton"]).raw("</button></p></form></div>\n")
        return html.result
    }

    // MARK: Imports

    /// What an upload came to: what was imported, or the problems that stopped it (`total` counts the
    /// problems found, which may be more than the engine kept), or, for a preview, what the import would do.
    struct UploadOutcome {
        var done: String?
        var problems: [Diagnostic]
        var total: Int
        /// The import's warnings (it went through, or would).
        var warnings: [String] = []
        /// "Preview": what importing the file would do, and the token of the kept upload that "Import" imports.
        var preview: (summary: ImportSummary, token: String)? = nil
    }

    /// A multipart form with `csrf`, `kind` and `file`: the body is streamed to a temporary file, the
    /// file part copied out of it, then imported all or nothing; problems are listed line by line.
    /// With `action=preview` nothing is written: the page lists what the import would add, change and
    /// retire, with its warnings, and keeps the file (`ImportPreviews`) for its "Import" button, a form
    /// with `csrf` and `preview` (the token) that imports exactly the file previewed.
    func upload(_ request: Request, _ context: AppContext) async throws -> Response {
        guard let (user, session) = try await signedIn(request, context) else { return Self.redirect("/login") }
        guard user.role == .admin else { return try notFound(request, context, session: session) }
        guard let contentType = request.headers[.contentType], let boundary = Multipart.boundary(contentType) else {
            throw APIError.badRequest("expected a multipart/form-data upload")
        }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let bodyPath = folder.file("body")
        try await Multipart.store(request.body, to: bodyPath, limit: options.maxBodySize)
        let parts = try Multipart.parts(of: bodyPath, boundary: boundary, fileTo: folder.file("upload.csv"))
        try checkCSRF(parts.fields, session)
        let workspace = self.workspace
        let language = Language.of(request)
        let previews = ImportPreviews()
        if let token = parts.fields["preview"] {
            guard let kept = previews.take(token, csrf: session.csrfToken) else {
                let gone = Diagnostic(file: "upload", line: nil, message: language.text(.previewGone))
                return try await imports(request, context, outcome: UploadOutcome(problems: [gone], total: 1))
            }
            defer { kept.remove() }
            return try await importUpload(
                request, context, kind: kept.kind, path: kept.path, display: kept.displayName, language: language, by: .account(user.name))
        }
        guard let kindText = parts.fields["kind"], let kind = DataKind(rawValue: kindText) else { throw APIError.badRequest("unknown kind") }
        guard let file = parts.file else { throw APIError.badRequest("no file in the upload") }
        let display = "upload:\(file.name.isEmpty ? kind.fileName : file.name)"
        guard parts.fields["action"] == "preview" else {
            return try await importUpload(
                request, context, kind: kind, path: file.path, display: display, language: language, by: .account(user.name))
        }
        do {
            let path = try Self.namedForItsContent(file.path)
            let outcome = try await blocking {
                try workspace.importSpreadsheets(
                    kind: kind, file: path, displayName: display, dir: nil, read: ReadOptions(), mode: ImportMode(dryRun: true), remedies: .plain)
            }
            let token = try previews.keep(file: path, kind: kind, displayName: display, csrf: session.csrfToken)
            return try await imports(
                request, context,
                outcome: UploadOutcome(
                    problems: [], total: 0, warnings: outcome.warnings.lines(severity: .warning), preview: (outcome.files[0], token)))
        } catch let report as DiagnosticReport {
            return try await imports(request, context, outcome: UploadOutcome(problems: report.collector.errors, total: report.collector.errorCount))
        }
    }

    /// An uploaded file that is a workbook (a ZIP archive, whatever its name) gets the .xlsx name the readers
    /// go by; any other file keeps its path and is read as CSV (standard, or an Excel dialect).
    static func namedForItsContent(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else { return path }
        let start = (try? handle.read(upToCount: 4)).flatMap { $0 }
        try? handle.close()
        guard let start, Array(start) == API.zipSignature, !path.lowercased().hasSuffix(".xlsx") else { return path }
        let renamed = (path as NSString).deletingPathExtension + ".xlsx"
        try FileManager.default.moveItem(atPath: path, toPath: renamed)
        return renamed
    }

    /// Imports one uploaded file and shows the import page with what it did, or with its problems.
    func importUpload(
        _ request: Request, _ context: AppContext, kind: DataKind, path: String, display: String, language: Language, by actor: Actor
    ) async throws -> Response {
        let workspace = self.workspace
        do {
            let path = try Self.namedForItsContent(path)
            let outcome = try await options.metrics.timeImport(
                {
                    try await blocking {
                        try workspace.importSpreadsheets(
                            kind: kind, file: path, displayName: display, dir: nil, read: ReadOptions(), mode: ImportMode(), remedies: .plain,
                            by: actor)
                    }
                },
                rows: { $0.files.reduce(0) { $0 + $1.rows } })
            let summary = outcome.files[0]
            let done = [
                "\(summary.rows) \(language.text(.rows))", "\(summary.added) \(language.text(.added))",
                "\(summary.changed) \(language.text(.changed))", "\(summary.unchanged) \(language.text(.unchanged))",
            ].joined(separator: ", ")
            let text = "\(APIError.cut(display, to: APIError.maxValue)): \(done)"
            return try await imports(
                request, context, outcome: UploadOutcome(done: text, problems: [], total: 0, warnings: outcome.warnings.lines(severity: .warning)))
        } catch let report as DiagnosticReport {
            return try await imports(request, context, outcome: UploadOutcome(problems: report.collector.errors, total: report.collector.errorCount))
        }
    }
}
