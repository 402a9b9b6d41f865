import Foundation
import HTTPTypes
import Hummingbird
import IncentiveAdvisor
import IncentiveEngine
import IncentiveSheets
import IncentiveStore
import NIOCore

/// The JSON API under `/api/v1`. Money is a decimal string (`"57500.00"`), as in the results CSV.
/// A partner user sees only its own partner: any other partner's data answers 404, as if it did not exist.
struct API: Sendable {
    let workspace: Workspace
    let options: ServerOptions
    let cache: ResponseCache

    static let prefix = "/api/v1"
    /// The paths under `prefix` that answer anyone, whatever credentials come with the request.
    static let publicPaths: Set<String> = ["\(prefix)/health", "\(prefix)/openapi.yaml"]
    /// The OpenAPI 3.1 description of the API (`Resources/openapi.yaml`, embedded in the binary when it is built).
    static let openAPIDocument = String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
    /// Bodies other than uploads are small.
    static let maxJSONBody = 1 << 20

    func register(on routes: Routes) {
        let api = routes.group(Self.prefix)
        api.get("health") { _, _ in JSONBody.response(["status": "ok", "engine_version": Engine.version]) }
        api.get("openapi.yaml") { _, _ in JSONBody.text(Self.openAPIDocument, contentType: "application/yaml; charset=utf-8") }

        api.get("programs", use: listPrograms)
        api.get("programs/{id}", use: program)
        api.post("programs", use: addProgram)

        api.get("partners", use: listPartners)
        api.get("partners/{id}", use: partner)
        api.get("partners/{id}/advice", use: advice)
        api.post("partners/{id}/estimate", use: estimate)

        api.post("imports/{kind}", use: importFile)

        api.get("enrollments", use: listEnrollments)
        api.post("enrollments", use: enroll)
        api.delete("enrollments", use: unenroll)

        api.post("runs", use: run)
        api.get("runs", use: listRuns)
        api.get("runs/{id}", use: runSummary)
        api.get("runs/{id}/results", use: results)
        api.get("runs/{id}/partners/{partnerId}", use: explanation)

        api.get("log", use: listLog)
        api.get("runs/{id}/changed-lines", use: changedLines)
        api.get("runs/{id}/diff", use: runDiff)
        LedgerAPI(api: self).register(on: api)
    }

    /// The API's words for the remedies the workspace's reports suggest: its routes.
    static let remedies = Remedies(
        unenrollFirst: "unenroll first with DELETE \(prefix)/enrollments", addProgramsFirst: "add them first with POST \(prefix)/programs",
        giveAFile: "give the CSV file to import", addAProgram: "add one with POST \(prefix)/programs",
        importData: "import a dataset first with POST \(prefix)/imports/{kind}")

    /// The date given as `name` (`YYYY-MM-DD`, a query parameter or a body key); today by the server's clock when it is absent.
    func day(_ text: (some StringProtocol)?, parameter name: String) throws -> Day {
        guard let text else { return options.clock.today }
        guard let day = Day(iso: String(text)) else { throw APIError.badRequest("\(name) \"\(text)\": expected a real calendar date YYYY-MM-DD") }
        return day
    }

    // MARK: Programs

    func listPrograms(_ request: Request, _ context: AppContext) async throws -> Response {
        _ = try context.requireUser()
        let page = try Page(request)
        let workspace = self.workspace
        let versions = try await quick { try workspace.latestPrograms() }
        let items = versions.map { ProgramDocument(version: $0.0, program: $0.1, detailed: false) }
        return JSONBody.response(page.slice(items))
    }

    func program(_ request: Request, _ context: AppContext) async throws -> Response {
        _ = try context.requireUser()
        let id = try context.parameters.require("id")
        let workspace = self.workspace
        let (version, program, history) =
            try await blocking { () throws -> (ProgramVersion, Program, [ProgramVersion])? in
                let history = try workspace.programHistory(id)
                guard !history.isEmpty else { return nil }
                let (version, program) = try workspace.program(id)
                return (version, program, history)
            } ?? { throw APIError.notFound("no program \(id)") }()
        var document = ProgramDocument(version: version, program: program, detailed: true)
        document.versions = history.map { .init(version: $0.version, addedAt: $0.addedAt, digest: $0.digest, fileName: $0.fileName) }
        return JSONBody.response(document)
    }

    func addProgram(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let body = try await request.body.collect(upTo: Self.maxJSONBody)
        let folder = try TemporaryFolder()
        let given = (request.uri.queryParameters["file_name"].map(String.init) ?? "") as NSString
        let name = [".", "..", "/", ""].contains(given.lastPathComponent) ? "program.yaml" : given.lastPathComponent
        let path = folder.file("program.yaml")
        try Data(body.readableBytesView).write(to: URL(fileURLWithPath: path))
        let workspace = self.workspace
        let added: ProgramAdded
        do {
            added = try await blocking {
                try folder.keep {
                    try workspace.addProgram(file: path, displayName: "upload:\(name)", remedies: Self.remedies, by: .account(admin.name))
                }
            }
        } catch let report as DiagnosticReport {
            throw APIError.invalid(report, what: "the program was not stored")
        }
        struct Answer: Encodable {
            var id: String
            var version: Int
            var stored: Bool
            var changes: [String]
        }
        return JSONBody.response(
            Answer(id: added.version.programID, version: added.version.version, stored: added.isNew, changes: added.changes),
            status: added.isNew ? .created : .ok)
    }

    // MARK: Partners

    func listPartners(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try Page(request)
        let workspace = self.workspace
        let only = user.role == .admin ? nil : user.partnerID
        let (items, total) = try await quick { try workspace.partners(offset: page.offset, limit: page.perPage, only: only) }
        return JSONBody.response(PageDocument(items: items.map(PartnerDocument.init), page: page.page, perPage: page.perPage, total: total))
    }

    func partner(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        guard user.mayView(partner: id) else { throw APIError.notFound("no partner \(id)") }
        let workspace = self.workspace
        guard let record = try await quick({ try workspace.partnerRecord(id) }) else { throw APIError.notFound("no partner \(id)") }
        return JSONBody.response(PartnerDetailDocument(record))
    }

    /// `?as_of=YYYY-MM-DD` (default today) `&program=ID`: the advisor's JSON (docs/advice.md).
    func advice(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        guard user.mayView(partner: id) else { throw APIError.notFound("no partner \(id)") }
        let query = request.uri.queryParameters
        let day = try self.day(query["as_of"], parameter: "as_of")
        let programs = query["program"].map { [String($0)] } ?? []
        let horizon = try Self.horizon(query["horizon"])
        let workspace = self.workspace, catalogue = options.catalogue
        if let program = programs.first {
            guard !program.isEmpty else { throw APIError.badRequest("program: give a program id, or leave the parameter out for every program") }
            let known = try await blocking { try workspace.programVersions().map(\.programID) }
            guard ProgramSelection.unknown([program], among: known).isEmpty else { throw APIError.notFound("no program \(program)") }
        }
        let text = try await blocking { () -> String? in
            guard try workspace.partners(offset: 0, limit: 1, only: id).total == 1 else { return nil }
            let input = try workspace.loadInput(
                programIDs: programs, tracePartner: id, onlyPartner: true, bookingView: Advisor.bookings(asOf: day), remedies: Self.remedies
            )
            .input
            guard let advice = Advisor.advise(partnerID: id, input: input, asOf: day) else { return nil }
            let recommendation = catalogue.map { Recommender.recommend(advice, catalogue: $0, horizon: horizon) }
            // What the partner's ledger says as of the same day (issue 17 point 7), as `advise --format json` has it.
            let ledger = PartnerLedger.outlook(try workspace.partnerLedger(partner: id, asOf: day))
            return AdviceOutput.json(
                advice, recommendation: recommendation, calendar: AdviceCalendar.actions(advice, recommendation: recommendation), ledger: ledger)
        }
        guard let text else { throw APIError.notFound("no partner \(id)") }
        return JSONBody.text(text, contentType: "application/json; charset=utf-8")
    }

    /// `?horizon=N`: the periods a credential's cost is weighed over, 1 (the default) to 1000.
    static func horizon(_ text: (some StringProtocol)?) throws -> Int {
        guard let text else { return 1 }
        guard let value = Int(String(text)), value >= 1, value <= 1000 else {
            throw APIError.badRequest("horizon \"\(text)\": expected a whole number of periods from 1 to 1000")
        }
        return value
    }

    /// The body of `POST /partners/{id}/estimate`: the quote's lines, amounts as decimal strings.
    struct EstimateRequest: Decodable {
        struct Line: Decodable {
            var sku, amount, currency: String
            var intendedUse, bookedOn, shippedOn: String?
            enum CodingKeys: String, CodingKey {
                case sku, amount, currency
                case intendedUse = "intended_use", bookedOn = "booked_on", shippedOn = "shipped_on"
            }
        }
        var asOf: String?
        var program: [String]?
        var lines: [Line]
        enum CodingKeys: String, CodingKey { case asOf = "as_of", program, lines }
    }

    /// The most lines of one quote: each is one more computation of the partner.
    static let maxQuoteLines = 1000

    /// What a deal adds to the partner's rebates and MDF as it stood on `as_of` (default today): `Estimate.estimate`,
    /// the JSON of `incentives estimate --format json`. A partner user may estimate only for its own partner.
    func estimate(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try context.parameters.require("id")
        guard user.mayView(partner: id) else { throw APIError.notFound("no partner \(id)") }
        let body = try await decode(EstimateRequest.self, request)
        let day = try self.day(body.asOf, parameter: "as_of")
        guard !body.lines.isEmpty else { throw APIError.badRequest("lines: give at least one quote line") }
        guard body.lines.count <= Self.maxQuoteLines else {
            throw APIError.badRequest("lines: at most \(Self.maxQuoteLines) quote lines (found \(body.lines.count))")
        }
        var collector = DiagnosticCollector()
        var quote: [QuoteLine] = []
        for (position, line) in body.lines.enumerated() {
            if let parsed = Estimate.quoteLine(
                file: "lines", line: position + 1, sku: line.sku, amount: line.amount, currency: line.currency, intendedUse: line.intendedUse,
                bookedOn: line.bookedOn, shippedOn: line.shippedOn, defaultBookedOn: day, collector: &collector)
            {
                quote.append(parsed)
            }
        }
        if collector.hasErrors { throw APIError.invalid(DiagnosticReport(collector), what: "nothing was estimated") }
        let programs = body.program ?? [], lines = quote
        let workspace = self.workspace
        if !programs.isEmpty {
            let known = try await blocking { try workspace.programVersions().map(\.programID) }
            if let unknown = ProgramSelection.unknown(programs, among: known).first { throw APIError.notFound("no program \(unknown)") }
        }
        let text = try await blocking { () -> String? in
            guard try workspace.partners(offset: 0, limit: 1, only: id).total == 1 else { return nil }
            var input = try workspace.loadInput(
                programIDs: programs, tracePartner: id, onlyPartner: true, bookingView: Advisor.bookings(asOf: day), remedies: Self.remedies
            )
            .input
            input.dataset = Advisor.dataset(input.dataset, asOf: day)
            let estimate: DealEstimate
            do {
                estimate = try Estimate.estimate(partnerID: id, input: input, quote: lines, quoteFile: "lines")
            } catch let report as DiagnosticReport {
                throw APIError.invalid(report, what: "nothing was estimated")
            }
            return EstimateOutput.json(estimate)
        }
        guard let text else { throw APIError.notFound("no partner \(id)") }
        return JSONBody.text(text, contentType: "application/json; charset=utf-8")
    }

    // MARK: Imports

    /// The CSV body is streamed to a temporary file (never held whole), then imported all or nothing.
    func importFile(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let kindText = try context.parameters.require("kind")
        guard let kind = DataKind(rawValue: kindText) else {
            throw APIError.notFound("no import kind \(kindText) (kinds: \(DataKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        let query = request.uri.queryParameters
        let mode = ImportMode(
            replace: try Self.flag(query["replace"], parameter: "replace"), dryRun: try Self.flag(query["dry_run"], parameter: "dry_run"))
        let read = ReadOptions(dialect: try Self.dialect(query["dialect"]), sheet: query["sheet"].map(String.init))
        let folder = try TemporaryFolder()
        var path = folder.file(kind.fileName)
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            folder.remove()
            throw APIError(status: .internalServerError, code: "internal", message: "cannot buffer the upload")
        }
        var size = 0
        var start: [UInt8] = []
        do {
            for try await buffer in request.body {
                size += buffer.readableBytes
                if size > options.maxBodySize {
                    throw APIError(status: .contentTooLarge, code: "too_large", message: "the upload is larger than \(options.maxBodySize) bytes")
                }
                if start.count < 4 { start += buffer.readableBytesView.prefix(4 - start.count) }
                try handle.write(contentsOf: Data(buffer.readableBytesView))
            }
            try handle.close()
            // A workbook (a ZIP archive) is read as the .xlsx of its kind.
            if start == Self.zipSignature {
                let workbook = folder.file(Self.workbookName(kind))
                try FileManager.default.moveItem(atPath: path, toPath: workbook)
                path = workbook
            }
        } catch {
            try? handle.close()
            folder.remove()
            throw error
        }
        let workspace = self.workspace
        let upload = path
        let display = "upload:\((upload as NSString).lastPathComponent)"
        let outcome: ImportOutcome
        var notes: [String] = []
        do {
            (outcome, notes) = try await options.metrics.timeImport(
                {
                    try await blocking {
                        try folder.keep {
                            var heard: [String] = []
                            let outcome = try workspace.importSpreadsheets(
                                kind: kind, file: upload, displayName: display, dir: nil, read: read, mode: mode, remedies: Self.remedies,
                                by: .account(admin.name), notes: { heard = $0 })
                            return (outcome, heard)
                        }
                    }
                }, rows: { $0.0.files.reduce(0) { $0 + $1.rows } })
        } catch let report as DiagnosticReport {
            throw APIError.invalid(report, what: "nothing was imported; the workspace is unchanged")
        }
        struct Answer: Encodable {
            var kind: String
            var rows, added, changed, unchanged, retired: Int
            var digest: String
            var warnings: [String]
            var notes: [String]
            var dry_run: Bool
            var added_rows: [ImportReport.ListedRow]
            var changed_rows: [ImportReport.ChangedRow]
            var retired_rows: [ImportReport.ListedRow]
        }
        let file = outcome.files[0]
        let rows = ImportReport.listedRows(file)
        return JSONBody.response(
            Answer(
                kind: kind.rawValue, rows: file.rows, added: file.added, changed: file.changed, unchanged: file.unchanged, retired: file.retired,
                digest: file.digest, warnings: Self.capped(outcome.warnings.lines(severity: .warning)), notes: notes, dry_run: outcome.dryRun,
                added_rows: rows.added, changed_rows: rows.changed, retired_rows: rows.retired))
    }

    /// The first bytes of a ZIP archive, which an .xlsx workbook is.
    static let zipSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]

    /// `bookings.xlsx` for bookings.
    static func workbookName(_ kind: DataKind) -> String { (kind.fileName as NSString).deletingPathExtension + ".xlsx" }

    /// The `dialect` query parameter of an upload: auto (the default), standard or excel-nl.
    static func dialect(_ value: Substring?) throws -> ReadDialectChoice {
        guard let value else { return .auto }
        guard let choice = ReadDialectChoice(rawValue: String(value)) else {
            throw APIError.badRequest("dialect must be auto, standard or excel-nl, not \(value)")
        }
        return choice
    }

    /// A yes/no query parameter: absent or `false` is no, `true` is yes, anything else is a 400.
    static func flag(_ value: Substring?, parameter: String) throws -> Bool {
        switch value {
        case nil, "false": return false
        case "true": return true
        case let value?: throw APIError.badRequest("\(parameter) must be true or false, not \(value)")
        }
    }

    /// At most `APIError.maxDetails` lines, each cut; a last line counts the ones left out.
    static func capped(_ lines: [String]) -> [String] {
        var kept = lines.prefix(APIError.maxDetails).map { APIError.cut($0, to: APIError.maxMessage) }
        if lines.count > kept.count { kept.append("... and \(lines.count - kept.count) more not shown") }
        return kept
    }

    // MARK: Enrolments

    func listEnrollments(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try Page(request)
        var partner = request.uri.queryParameters["partner"].map(String.init)
        if user.role == .partner {
            if let partner, partner != user.partnerID { throw APIError.notFound("no partner \(partner)") }
            partner = user.partnerID
        }
        let workspace = self.workspace
        let items = try await blocking { [partner] in try workspace.enrollments(partner: partner) }
        return JSONBody.response(page.slice(items.map(EnrollmentDocument.init)))
    }

    struct EnrollmentRequest: Decodable {
        var partnerID, program, subtrack: String
        var enrolledOn: String?
        enum CodingKeys: String, CodingKey { case partnerID = "partner_id", program, subtrack, enrolledOn = "enrolled_on" }
    }

    func enroll(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let body = try await decode(EnrollmentRequest.self, request)
        let day = try self.day(body.enrolledOn, parameter: "enrolled_on")
        let workspace = self.workspace
        let outcome = try await blocking {
            try workspace.enroll(partner: body.partnerID, program: body.program, subtrack: body.subtrack, on: day, by: .account(admin.name))
        }
        struct Answer: Encodable {
            var change: String
            var enrollment: EnrollmentDocument
            var lacking: [CheckDocument]
            var row: RowDocument?
        }
        return JSONBody.response(
            Answer(
                change: outcome.change.rawValue,
                enrollment: EnrollmentDocument(
                    Enrollment(partnerID: body.partnerID, program: body.program, subtrack: body.subtrack, enrolledOn: day)),
                lacking: outcome.lacking.map(CheckDocument.init), row: outcome.row.map(RowDocument.init)),
            status: outcome.change == .added ? .created : .ok)
    }

    func unenroll(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let query = request.uri.queryParameters
        guard let partner = query["partner_id"].map(String.init), let program = query["program"].map(String.init),
            let subtrack = query["subtrack"].map(String.init)
        else { throw APIError.badRequest("give partner_id, program and subtrack as query parameters") }
        let workspace = self.workspace
        try await blocking { try workspace.unenroll(partner: partner, program: program, subtrack: subtrack, by: .account(admin.name)) }
        return Response(status: .noContent)
    }

    // MARK: Runs

    struct RunRequest: Decodable {
        var programs: [String]?
    }

    func run(_ request: Request, _ context: AppContext) async throws -> Response {
        let admin = try context.requireAdmin()
        let buffer = try await request.body.collect(upTo: Self.maxJSONBody)
        if buffer.readableBytes > 0 { try Self.requireJSON(request) }
        let programs =
            buffer.readableBytes == 0 ? [] : (try JSONDecoder().decode(RunRequest.self, from: Data(buffer.readableBytesView)).programs ?? [])
        let workspace = self.workspace
        let known = try await blocking { try workspace.programVersions().map(\.programID) }
        for id in ProgramSelection.unknown(programs, among: known) {
            throw APIError(
                status: .unprocessableContent, code: "invalid_input",
                message: "no program \(id) in the workspace (it has: \(known.joined(separator: ", ")))")
        }
        let summary: RunSummary
        let start = ContinuousClock.now
        do {
            summary = try await blocking { try workspace.run(programIDs: programs, remedies: Self.remedies, by: .account(admin.name)).summary }
        } catch let report as DiagnosticReport {
            options.metrics.ran(nil, duration: ContinuousClock.now - start)
            throw APIError.invalid(report, what: "no run was stored")
        } catch {
            options.metrics.ran(nil, duration: ContinuousClock.now - start)
            throw error
        }
        options.metrics.ran(summary, duration: ContinuousClock.now - start)
        return JSONBody.response(RunDocument(summary, withTotals: true), status: .created)
    }

    func listRuns(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let page = try Page(request)
        let workspace = self.workspace
        let runs = try await quick { try workspace.runs() }
        return JSONBody.response(page.slice(runs.reversed().map { RunDocument($0, withTotals: user.role == .admin) }))
    }

    /// The run of the path, which must exist.
    func runID(_ context: AppContext) async throws -> Int {
        let text = try context.parameters.require("id")
        let workspace = self.workspace
        guard let id = Int(text), try await quick({ try workspace.hasRun(id) }) else { throw APIError.notFound("no run \(text)") }
        return id
    }

    func runSummary(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try await runID(context)
        let workspace = self.workspace
        let summary = try await quick { try workspace.runSummary(id) }
        return JSONBody.response(RunDocument(summary, withTotals: user.role == .admin))
    }

    /// `?program=ID&partner=ID&format=csv|json|xlsx`; a partner user always gets its own rows only.
    func results(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let id = try await runID(context)
        let query = request.uri.queryParameters
        var partner = query["partner"].map(String.init)
        if user.role == .partner {
            if let partner, partner != user.partnerID { throw APIError.notFound("no partner \(partner) in run \(id)") }
            partner = user.partnerID
        }
        let program = query["program"].map(String.init)
        let format = query["format"].map(String.init) ?? "json"
        let contentType: String
        switch format {
        case "csv": contentType = "text/csv; charset=utf-8"
        case "json": contentType = "application/json; charset=utf-8"
        case "xlsx": return try await resultsWorkbook(run: id, partner: partner, program: program)
        case let other: throw APIError.badRequest("format \(other): expected csv, json or xlsx")
        }
        // CSV is every row at once; JSON comes a page at a time.
        let page: Page? = format == "json" ? try Page(request) : nil
        let workspace = self.workspace
        let answer = { [partner] () async throws -> String in
            let (_, result) = try await blocking { try workspace.runResult(id, partner: partner, checks: page == nil ? .failedReasons : .all) }
            let rows = result.rows.filter { program == nil || $0.program == program }
            guard let page else { return ResultsCSV.render(rows) }
            return String(decoding: try JSONBody.encoder.encode(page.slice(rows.map(RowDocument.init))), as: UTF8.self)
        }
        // One partner's rows of a stored run never change: the answer is kept (a whole run is not).
        guard let partner else { return JSONBody.text(try await answer(), contentType: contentType) }
        let key = [
            "results", String(id), partner, program ?? "\u{1}", format, page.map { "\($0.page) \($0.perPage)" } ?? "",
        ].joined(separator: "\u{0}")
        return JSONBody.text(try await cache.value(key, compute: answer) ?? "", contentType: contentType)
    }

    /// The partner's standing in every program of the run, with every check explained. A stored run never
    /// changes, so the answer is computed once.
    func explanation(_ request: Request, _ context: AppContext) async throws -> Response {
        let user = try context.requireUser()
        let text = try context.parameters.require("id")
        let partner = try context.parameters.require("partnerId")
        guard user.mayView(partner: partner) else { throw APIError.notFound("no partner \(partner) in run \(text)") }
        let workspace = self.workspace
        let cache = self.cache
        // A stored run never changes: read, written and kept in one go off the request's thread.
        let json = try await quick { () -> String? in
            try cache.value("explanation\u{0}\(text)\u{0}\(partner)") { () -> String? in
                guard let id = Int(text), let result = try workspace.storedPartnerResult(run: id, partner: partner) else { return nil }
                guard result.programs.contains(where: { !$0.partners.isEmpty }) else { return nil }
                return ExplanationJSON.render(ExplanationDocument(run: id, partnerID: partner, result: result))
            }
        }
        guard let json else { throw APIError.notFound("no run \(text) with partner \(partner)") }
        return JSONBody.text(json, contentType: "application/json; charset=utf-8")
    }

    /// At most this many changed booking lines a page, each value cut at `ChangedLineDocument.valueLimit`
    /// characters: a page stays under 300 KB.
    static let maxChangedLinesPerPage = 100

    /// `?since=RUN`: the booking lines whose data differs between run `since`'s data and this run's, with the
    /// import that changed each, a page at a time (admins only: a moved line names two partners).
    func changedLines(_ request: Request, _ context: AppContext) async throws -> Response {
        _ = try context.requireAdmin()
        let id = try await runID(context)
        guard let text = request.uri.queryParameters["since"].map(String.init) else {
            throw APIError.badRequest("since: give the run to compare with (since=RUN)")
        }
        let workspace = self.workspace
        guard let since = Int(text), since > 0, try await blocking({ try workspace.hasRun(since) }) else {
            throw APIError.notFound("no run \(APIError.cut(text, to: 40))")
        }
        let page = try Page(request)
        guard page.perPage <= Self.maxChangedLinesPerPage else {
            throw APIError.badRequest("per_page \(page.perPage): at most \(Self.maxChangedLinesPerPage) changed lines a page")
        }
        let changes = try await blocking { try workspace.changedLines(since, id) }
        return JSONBody.response(page.slice(changes.lines.map(ChangedLineDocument.init)))
    }

    func decode<T: Decodable>(_ type: T.Type, _ request: Request) async throws -> T {
        try Self.requireJSON(request)
        let buffer = try await request.body.collect(upTo: Self.maxJSONBody)
        return try JSONDecoder().decode(type, from: Data(buffer.readableBytesView))
    }

    /// A JSON route takes `application/json` (or `…+json`), or a body with no Content-Type; a form or plain
    /// text (what another site's page can send without asking) is 415.
    static func requireJSON(_ request: Request) throws {
        guard let contentType = request.headers[.contentType] else { return }
        let media = contentType.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
        guard media == "application/json" || (media.hasPrefix("application/") && media.hasSuffix("+json")) else {
            throw APIError(
                status: .unsupportedMediaType, code: "unsupported_media_type",
                message: "the body must be JSON, sent as Content-Type: application/json (not \(APIError.cut(media, to: 100)))")
        }
    }
}

extension Parameters {
    func require(_ name: String) throws -> String {
        guard let value = self.get(name) else { throw APIError.badRequest("missing \(name)") }
        return value
    }
}

/// `?page=N&per_page=M`: page 1 to `maxPage` (default 1), 1 to `maxPerPage` items a page (default 50).
/// Anything else is 400, and the offset is computed with checked arithmetic (a page of 2^63 once
/// stopped the server).
struct Page {
    static let maxPage = 1_000_000
    static let maxPerPage = 500

    var page: Int
    var perPage: Int
    /// Items before this page (at most `maxPage * maxPerPage`, far from overflowing).
    var offset: Int {
        let (product, overflow) = (page - 1).multipliedReportingOverflow(by: perPage)
        return overflow ? Int.max : product
    }

    init(_ request: Request) throws {
        let query = request.uri.queryParameters
        page = 1
        perPage = 50
        if let text = query["page"] {
            guard let value = Int(text), (1...Self.maxPage).contains(value) else {
                throw APIError.badRequest("page \"\(APIError.cut(String(text), to: 40))\": expected a whole number from 1 to \(Self.maxPage)")
            }
            page = value
        }
        if let text = query["per_page"] {
            guard let value = Int(text), (1...Self.maxPerPage).contains(value) else {
                throw APIError.badRequest("per_page \"\(APIError.cut(String(text), to: 40))\": expected a whole number from 1 to \(Self.maxPerPage)")
            }
            perPage = value
        }
    }

    func slice<T: Encodable>(_ items: [T]) -> PageDocument<T> {
        let start = min(offset, items.count)
        let end = start + min(perPage, items.count - start)
        return PageDocument(items: Array(items[start..<end]), page: page, perPage: perPage, total: items.count)
    }
}

/// A temporary folder for an upload; removed when done unless the work inside `keep` still needs it.
struct TemporaryFolder: Sendable {
    let path: String

    init() throws {
        path = (NSTemporaryDirectory() as NSString).appendingPathComponent("incentives-upload-\(UUID().uuidString)")
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    func remove() { try? FileManager.default.removeItem(atPath: path) }

    /// Runs `body`, then removes the folder whatever happened.
    func keep<T>(_ body: () throws -> T) throws -> T {
        defer { remove() }
        return try body()
    }
}
