import Foundation

/// Reads the CSV files of a dataset folder (formats.md §1), except `bookings.csv`, which
/// `BookingFile` streams. Each table has its own reader, so a workspace can import one file
/// with exactly the checks and messages of a whole folder.
public enum DatasetLoader {
    public static let fileNames = [
        "partners.csv", "credentials.csv", "csat.csv", "services.csv", "enrollments.csv", "products.csv", "fx.csv", "bookings.csv",
        "tiers.csv",
    ]

    /// Warns of each file in `directory` that no command reads (`bookings-march.csv`): its rows count nowhere.
    /// Hidden files and folders are passed over.
    public static func warnUnreadFiles(in directory: String, collector: inout DiagnosticCollector) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names.sorted() where !name.hasPrefix(".") && !fileNames.contains(name) {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            collector.warning(
                file: path, line: nil,
                "no command reads this file, so its rows count nowhere (a data folder's files are \(fileNames.joined(separator: ", ")))")
        }
    }

    /// Loads the small tables of `directory` into a `Dataset`, checking them against `programs`.
    /// Problems go to `collector`; the dataset holds the rows that were valid.
    public static func loadTables(directory: String, programs: [Program], collector: inout DiagnosticCollector) -> Dataset {
        var dataset = Dataset()
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: path(name)) }

        if let problem = folderProblem(directory, what: "data folder", holds: "the dataset's CSV files (partners.csv, bookings.csv, ...)") {
            collector.error(file: directory, line: nil, problem)
            return dataset
        }
        for required in ["partners.csv", "bookings.csv"] where !exists(required) {
            collector.error(file: path(required), line: nil, "required file is missing")
        }
        warnUnreadFiles(in: directory, collector: &collector)
        if exists("partners.csv") {
            scanPartners(path: path("partners.csv"), into: &dataset, collector: &collector) { _ in }
        } else {
            dataset.partnersIncomplete = true
        }
        // The tables that hang off partners only read them, so they are read side by side, each into its own
        // collector; the collectors are merged in a fixed order, which gives the report reading one by one would.
        // An unknown program is reported only when nothing else went wrong while no program loaded, which
        // depends on every file before it: then enrolments are read after the others.
        var jobs: [PartnerTable] = [.credentials, .csat, .services, .tiers]
        if !programs.isEmpty { jobs.append(.enrollments) }
        jobs = jobs.filter { exists($0.fileName) }
        let partnerCount = dataset.partners.count, limit = collector.limitPerFile
        let frozen = dataset, files = jobs.map { path($0.fileName) }, tables = jobs
        let parts = parallelMap(jobs.count) { index in
            var problems = DiagnosticCollector(limitPerFile: limit)
            let file = files[index]
            let part: PartnerTableRows
            switch tables[index] {
            case .credentials:
                var credentials = PerPartner<Credential>(partnerCount: partnerCount)
                scanCredentials(path: file, dataset: frozen, collector: &problems) { credentials.append($1, for: $0) }
                part = .credentials(credentials)
            case .csat:
                var dates = PerPartner<Day>(partnerCount: partnerCount)
                scanCSAT(path: file, dataset: frozen, collector: &problems) { dates.append($2, for: $0) }
                part = .csat(dates)
            case .services:
                var services = PerPartner<PoweredService>(partnerCount: partnerCount)
                scanServices(path: file, dataset: frozen, collector: &problems) { services.append($1, for: $0) }
                part = .services(services)
            case .tiers:
                var changes = PerPartner<TierChange>(partnerCount: partnerCount)
                scanTiers(path: file, dataset: frozen, collector: &problems) { changes.append($1, for: $0) }
                part = .tiers(changes)
            case .enrollments:
                part = .enrollments(readEnrollments(path: file, dataset: frozen, programs: programs, collector: &problems))
            }
            return (part, problems)
        }
        for (part, problems) in parts {
            collector.merge(problems)
            switch part {
            case .credentials(let credentials): credentials.append(to: &dataset.credentials)
            case .csat(let dates): dates.append(to: &dataset.csatDates)
            case .services(let services): services.append(to: &dataset.services)
            case .tiers(let changes): changes.append(to: &dataset.tierChanges)
            case .enrollments(let enrollments): dataset.enrollments = enrollments
            }
        }
        if programs.isEmpty && exists("enrollments.csv") {
            dataset.enrollments = readEnrollments(path: path("enrollments.csv"), dataset: dataset, programs: programs, collector: &collector)
        }
        if exists("products.csv") {
            if let products = readProducts(path: path("products.csv"), collector: &collector) {
                dataset.products = ByteInterner()
                for product in products { dataset.add(product) }
            }
        }
        if exists("fx.csv") {
            for rate in readFX(path: path("fx.csv"), collector: &collector) { dataset.add(rate) }
        }
        dataset.finish()
        return dataset
    }

    /// The tables read side by side once partners are known, in the order their problems are reported.
    enum PartnerTable: Sendable {
        case credentials, csat, services, tiers, enrollments

        var fileName: String {
            switch self {
            case .credentials: "credentials.csv"
            case .csat: "csat.csv"
            case .services: "services.csv"
            case .tiers: "tiers.csv"
            case .enrollments: "enrollments.csv"
            }
        }
    }

    /// The valid rows of one `PartnerTable`.
    enum PartnerTableRows: Sendable {
        case credentials(PerPartner<Credential>)
        case csat(PerPartner<Day>)
        case services(PerPartner<PoweredService>)
        case tiers(PerPartner<TierChange>)
        case enrollments([Enrollment])
    }

    /// The rows a scan hands on, in file order, without their partner index.
    @inline(__always)
    static func rows<Row>(_ scan: (_ emit: (Int, Row) -> Void) -> Void) -> [Row] {
        var rows: [Row] = []
        scan { rows.append($1) }
        return rows
    }

    /// Why `path` is not a folder to read, if it is not: missing, or a file (then the folder holding it is
    /// probably the one meant).
    public static func folderProblem(_ path: String, what: String, holds: String) -> String? {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return "\(what) not found" }
        if isDirectory.boolValue { return nil }
        let parent = (path as NSString).deletingLastPathComponent
        return "is a file, not a folder; the \(what) holds \(holds)\(parent.isEmpty ? "" : ": perhaps \(parent)")"
    }

    /// Reads `partners.csv`, adding every valid partner to `dataset` (replacing one with the same id)
    /// and noting rejected ids and unreadable rows there. Returns the valid rows in file order.
    public static func readPartners(path: String, displayName: String? = nil, into dataset: inout Dataset, collector: inout DiagnosticCollector)
        -> [Partner]
    {
        rows { emit in scanPartners(path: path, displayName: displayName, into: &dataset, collector: &collector) { emit(0, $0) } }
    }

    /// `readPartners`, handing each valid row to `emit` instead of collecting them.
    static func scanPartners(
        path: String, displayName: String? = nil, into dataset: inout Dataset, collector: inout DiagnosticCollector, _ emit: (Partner) -> Void
    ) {
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "name", "country", "tier"], optional: ["provider"],
                collector: &collector)
        else {
            dataset.partnersIncomplete = true
            return
        }
        defer { if table.unreadableRows > 0 { dataset.partnersIncomplete = true } }
        if dataset.partners.isEmpty && dataset.partnerIDs.count == 0,
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
        {
            // Room for every partner up front (rows are rarely under 24 bytes), so the arrays never regrow. The
            // id interner keeps growing as it fills: a larger table makes each booking line's lookup slower.
            let expected = min(max(size / 24, 1024), 1 << 24)
            dataset.partners.reserveCapacity(expected)
            dataset.credentials.reserveCapacity(expected)
            dataset.csatDates.reserveCapacity(expected)
            dataset.services.reserveCapacity(expected)
        }
        let idColumn = table.column("partner_id"), nameColumn = table.column("name"), countryColumn = table.column("country")
        let tierColumn = table.column("tier"), providerColumn = table.column("provider")
        var firstLines = FirstLines()  // every id of the file, valid row or not
        while let record = table.nextRecord(&collector) {
            guard let idBytes = table.identifierBytes(record, idColumn, &collector) else { continue }
            let line = table.line
            if let first = withTextBytes(idBytes, { firstLines.firstLine(of: $0, otherwise: line) }) {
                table.error("partner_id", value: table.text(record, idColumn), "duplicate partner id (first on line \(first))", &collector)
                continue
            }
            let id = String(decoding: idBytes, as: UTF8.self)
            let name = table.text(record, nameColumn)
            let country = table.country(record, countryColumn, &collector)
            let tier = table.tier(record, tierColumn, &collector)
            let provider = table.optionalBool(record, providerColumn, &collector)
            guard let country, let tier, let provider else {
                if dataset.partnerIndex(id) == nil { dataset.rejectedPartnerIDs.insert(ExactText(id)) }
                continue
            }
            let partner = Partner(id: id, name: name, country: country, tier: tier, provider: provider ?? false, line: line)
            dataset.add(partner)
            emit(partner)
        }
    }

    /// The partner found last: files list a partner's rows together, mostly in the order of partners.csv,
    /// so a row's partner is usually the last one or the next one, found without a lookup.
    struct LastPartner {
        var index = -1
    }

    /// Whether the UTF-8 of `id` is `bytes` (then `bytes` are valid UTF-8 and decode to `id`).
    @inline(__always)
    static func isID(_ id: String, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard id.utf8.count == bytes.count else { return false }
        return id.utf8.withContiguousStorageIfAvailable { memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
            ?? id.utf8.elementsEqual(bytes)
    }

    /// The partner index of the row's `partner_id`, reporting unknown ids (but not ids whose own row was broken).
    @inline(__always)
    static func partner(
        _ table: Table, _ record: CSVRecord, _ column: Table.Column, _ dataset: Dataset, _ last: inout LastPartner,
        _ collector: inout DiagnosticCollector
    ) -> Int? {
        guard let bytes = table.identifierBytes(record, column, &collector) else { return nil }
        // Partner k is the k-th id of `partnerIDs`, so an id equal to its bytes is what a lookup would find.
        let guess = last.index
        if guess >= 0 {
            if isID(dataset.partners[guess].id, bytes) { return guess }
            if guess + 1 < dataset.partners.count && isID(dataset.partners[guess + 1].id, bytes) {
                last.index = guess + 1
                return guess + 1
            }
        }
        if isASCII(bytes), let index = dataset.partnerIDs.lookup(bytes) {
            last.index = Int(index)
            return Int(index)
        }
        return unknownPartner(table, record, column, dataset, &collector)
    }

    /// `partner` for an id that is not ASCII or not found: looked up as text, reported when unknown.
    static func unknownPartner(
        _ table: Table, _ record: CSVRecord, _ column: Table.Column, _ dataset: Dataset, _ collector: inout DiagnosticCollector
    ) -> Int? {
        let id = table.text(record, column)
        if let index = dataset.partnerIndex(id) { return index }
        if dataset.reportsUnknownPartner(id) {
            table.error(column.name, value: id, "unknown partner (not in \(dataset.partnersSource))", &collector)
        }
        return nil
    }

    /// Reads `credentials.csv`; partner ids are checked against `dataset`.
    public static func readCredentials(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector)
        -> [Credential]
    {
        rows { scanCredentials(path: path, displayName: displayName, dataset: dataset, collector: &collector, $0) }
    }

    /// Reads `credentials.csv`, handing each valid row with its partner index to `emit`, in file order.
    static func scanCredentials(
        path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector, _ emit: (Int, Credential) -> Void
    ) {
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "credential", "achieved_on"], optional: ["expires_on"],
                collector: &collector)
        else { return }
        let partnerColumn = table.column("partner_id"), credentialColumn = table.column("credential")
        let achievedColumn = table.column("achieved_on"), expiresColumn = table.column("expires_on")
        var keys = PartnerKeys()
        var last = LastPartner()
        while let record = table.nextRecord(&collector) {
            let index = partner(table, record, partnerColumn, dataset, &last, &collector)
            let credentialBytes = table.identifierBytes(record, credentialColumn, &collector)
            let achieved = table.day(record, achievedColumn, &collector)
            let expires = table.optionalDay(record, expiresColumn, &collector)
            guard let index, let credentialBytes, let achieved, let expires else { continue }
            if let end = expires, end < achieved {
                table.error("expires_on", value: end.description, "expires before it was achieved (\(achieved))", &collector)
                continue
            }
            let (credential, firstLine) = keys.check(credentialBytes, partner: index, day: achieved, line: table.line)
            if let first = firstLine {
                table.error(
                    "credential", value: credential,
                    "partner \(dataset.partners[index].id) already has this credential achieved on \(achieved) (line \(first))", &collector)
                continue
            }
            emit(index, Credential(partnerID: dataset.partners[index].id, credential: credential, achievedOn: achieved, expiresOn: expires))
        }
    }

    /// Reads `csat.csv`; survey ids must be unique in the file.
    public static func readCSAT(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector) -> [CSATReport] {
        var rows: [CSATReport] = []
        scanCSAT(path: path, displayName: displayName, dataset: dataset, collector: &collector) { index, survey, submitted in
            rows.append(
                CSATReport(partnerID: dataset.partners[index].id, surveyID: String(decoding: survey, as: UTF8.self), submittedOn: submitted))
        }
        return rows
    }

    /// Reads `csat.csv`, handing each valid row (partner index, survey id bytes, date) to `emit`, in file order.
    /// A survey id met before is reported and not handed over.
    public static func scanCSAT(
        path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector,
        _ emit: (Int, UnsafeBufferPointer<UInt8>, Day) -> Void
    ) {
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "survey_id", "submitted_on"], optional: [], collector: &collector)
        else { return }
        let partnerColumn = table.column("partner_id"), surveyColumn = table.column("survey_id"), submittedColumn = table.column("submitted_on")
        var surveys = FirstLines()
        var last = LastPartner()
        while let record = table.nextRecord(&collector) {
            let index = partner(table, record, partnerColumn, dataset, &last, &collector)
            let survey = table.identifierBytes(record, surveyColumn, &collector)
            let submitted = table.day(record, submittedColumn, &collector)
            if let survey {
                let line = table.line
                if let first = withTextBytes(survey, { surveys.firstLine(of: $0, otherwise: line) }) {
                    table.error("survey_id", value: table.text(record, surveyColumn), "duplicate survey id (first on line \(first))", &collector)
                    continue
                }
            }
            guard let index, let survey, let submitted else { continue }
            emit(index, survey, submitted)
        }
    }

    /// Reads `services.csv`.
    public static func readServices(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector)
        -> [PoweredService]
    {
        rows { scanServices(path: path, displayName: displayName, dataset: dataset, collector: &collector, $0) }
    }

    /// Reads `services.csv`, handing each valid row with its partner index to `emit`, in file order.
    static func scanServices(
        path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector, _ emit: (Int, PoweredService) -> Void
    ) {
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "service", "strategic", "active_from"], optional: ["active_until"],
                collector: &collector)
        else { return }
        let partnerColumn = table.column("partner_id"), serviceColumn = table.column("service"), strategicColumn = table.column("strategic")
        let fromColumn = table.column("active_from"), untilColumn = table.column("active_until")
        var keys = PartnerKeys()
        var last = LastPartner()
        while let record = table.nextRecord(&collector) {
            let index = partner(table, record, partnerColumn, dataset, &last, &collector)
            let serviceBytes = table.identifierBytes(record, serviceColumn, &collector)
            let strategic = table.bool(record, strategicColumn, &collector)
            let from = table.day(record, fromColumn, &collector)
            let until = table.optionalDay(record, untilColumn, &collector)
            guard let index, let serviceBytes, let strategic, let from, let until else { continue }
            if let end = until, end < from {
                table.error("active_until", value: end.description, "ends before it starts (\(from))", &collector)
                continue
            }
            let (service, firstLine) = keys.check(serviceBytes, partner: index, day: from, line: table.line)
            if let first = firstLine {
                table.error(
                    "service", value: service,
                    "partner \(dataset.partners[index].id) already has this service active from \(from) (line \(first))", &collector)
                continue
            }
            emit(
                index,
                PoweredService(partnerID: dataset.partners[index].id, service: service, strategic: strategic, activeFrom: from, activeUntil: until))
        }
    }

    /// Reads `tiers.csv` (formats.md §5.5), the partners' tier history: one row per (`partner_id`, `valid_from`).
    public static func readTiers(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector) -> [TierChange] {
        rows { scanTiers(path: path, displayName: displayName, dataset: dataset, collector: &collector, $0) }
    }

    /// Reads `tiers.csv`, handing each valid row with its partner index to `emit`, in file order.
    static func scanTiers(
        path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector, _ emit: (Int, TierChange) -> Void
    ) {
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "tier", "valid_from"], optional: [], collector: &collector)
        else { return }
        let partnerColumn = table.column("partner_id"), tierColumn = table.column("tier"), fromColumn = table.column("valid_from")
        var seen: [Int64: Int] = [:]
        var last = LastPartner()
        while let record = table.nextRecord(&collector) {
            let index = partner(table, record, partnerColumn, dataset, &last, &collector)
            let tier = table.tier(record, tierColumn, &collector)
            let from = table.day(record, fromColumn, &collector)
            guard let index, let tier, let from else { continue }
            let key = Int64(index) << 32 | Int64(UInt32(bitPattern: from.daysSinceEpoch))
            if let first = seen[key] {
                table.error(
                    "valid_from", value: from.description,
                    "partner \(dataset.partners[index].id) already has a tier from this date (line \(first))", &collector)
                continue
            }
            seen[key] = table.line
            emit(index, TierChange(partnerID: dataset.partners[index].id, tier: tier, validFrom: from))
        }
    }

    /// Reads `enrollments.csv`, checking each enrolment against `programs`.
    public static func readEnrollments(
        path: String, displayName: String? = nil, dataset: Dataset, programs: [Program], collector: inout DiagnosticCollector
    ) -> [Enrollment] {
        var rows: [Enrollment] = []
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "program", "subtrack", "enrolled_on"], optional: [],
                collector: &collector)
        else { return rows }
        let partnerColumn = table.column("partner_id"), programColumn = table.column("program"), subtrackColumn = table.column("subtrack")
        let enrolledColumn = table.column("enrolled_on")
        // Few programs: a scan of their ids' bytes beats hashing; the first program with an id wins.
        let targets = programs.map(EnrollmentTarget.init)
        var seen = FirstLines()
        var key: [UInt8] = []
        var last = LastPartner()
        while let record = table.nextRecord(&collector) {
            let index = partner(table, record, partnerColumn, dataset, &last, &collector)
            let programBytes = table.identifierBytes(record, programColumn, &collector)
            let subtrackBytes = table.identifierBytes(record, subtrackColumn, &collector)
            let enrolled = table.day(record, enrolledColumn, &collector)
            guard let programBytes, let subtrackBytes, let enrolled else { continue }
            var valid = true
            // The enrolment's program and subtrack as text (shared with the program where they match it).
            var programID = "", subtrack = ""
            withTextBytes(programBytes) { programText in
                withTextBytes(subtrackBytes) { subtrackText in
                    key.removeAll(keepingCapacity: true)
                    if let index { appendKey(&key, index, 0) }
                    key.append(contentsOf: programText)
                    key.append(0)
                    key.append(contentsOf: subtrackText)
                    if let target = targets.first(where: { $0.id.elementsEqual(programText) }) {
                        programID = target.program.id
                        if let path = target.path(subtrackText), enrolled <= target.program.period.end {
                            subtrack = path
                            return
                        }
                        subtrack = String(decoding: subtrackText, as: UTF8.self)
                        if let problem = enrollmentProblem(program: target.program, subtrack: subtrack, on: enrolled) {
                            table.error(problem.column, value: problem.value, problem.message, &collector)
                            valid = false
                        }
                    } else {
                        programID = String(decoding: programText, as: UTF8.self)
                        subtrack = String(decoding: subtrackText, as: UTF8.self)
                        if !programs.isEmpty || !collector.hasErrors {
                            let known = programs.map(\.id).sorted().joined(separator: ", ")
                            table.error("program", value: programID, "unknown program (loaded: \(known.isEmpty ? "none" : known))", &collector)
                            valid = false
                        }
                    }
                }
            }
            guard let index, valid else { continue }
            let line = table.line
            if let first = key.withUnsafeBufferPointer({ seen.firstLine(of: $0, otherwise: line) }) {
                table.error(
                    "subtrack", value: subtrack, "partner \(dataset.partners[index].id) is already enrolled in it (line \(first))", &collector)
                continue
            }
            rows.append(
                Enrollment(partnerID: dataset.partners[index].id, program: programID, subtrack: subtrack, enrolledOn: enrolled, line: line))
        }
        return rows
    }

    /// A program as `readEnrollments` checks enrolments against it: its id and VIP subtrack paths as bytes.
    struct EnrollmentTarget {
        let program: Program
        let id: [UInt8]
        /// VIP only; an MDF program takes no enrolments.
        let paths: [(bytes: [UInt8], text: String)]

        init(_ program: Program) {
            self.program = program
            id = Array(program.id.utf8)
            if case .vip(let rules) = program.rules {
                paths = rules.subtrackPaths.map { (Array($0.path.utf8), $0.path) }
            } else {
                paths = []
            }
        }

        /// The path equal to `subtrack`, byte for byte, if the program has it.
        func path(_ subtrack: UnsafeBufferPointer<UInt8>) -> String? {
            paths.first { $0.bytes.elementsEqual(subtrack) }?.text
        }
    }

    /// Appends a fixed-length prefix (partner index, a day) to a duplicate key, so the variable text after it cannot make two keys equal.
    @inline(__always)
    static func appendKey(_ key: inout [UInt8], _ index: Int, _ day: Int32) {
        // Big-endian, so keys of a file sorted by partner come in increasing byte order.
        withUnsafeBytes(of: Int32(truncatingIfNeeded: index).bigEndian) { key.append(contentsOf: $0) }
        withUnsafeBytes(of: day.bigEndian) { key.append(contentsOf: $0) }
    }

    @inline(__always)
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        for byte in bytes where byte >= 0x80 { return false }
        return true
    }

    /// Calls `body` with the UTF-8 of the field's text: the bytes themselves when ASCII, else those of the
    /// `String` they decode to (invalid UTF-8 repaired), exactly as a `String` key would compare.
    @inline(__always)
    static func withTextBytes<Result>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafeBufferPointer<UInt8>) -> Result) -> Result {
        if isASCII(bytes) { return body(bytes) }
        var text = String(decoding: bytes, as: UTF8.self)
        return text.withUTF8(body)
    }

    /// Why an enrolment in `subtrack` of `program` on `day` is not possible, if it is not.
    public static func enrollmentProblem(program: Program, subtrack: String, on day: Day) -> (column: String, value: String, message: String)? {
        switch program.rules {
        case .vip(let rules):
            if !rules.subtrackPaths.contains(where: { $0.path.isExactly(subtrack) }) {
                let known = rules.subtrackPaths.map(\.path).joined(separator: ", ")
                return ("subtrack", subtrack, "program \(program.id) has no such subtrack (it has: \(known))")
            }
        case .mdf:
            return (
                "program", program.id,
                "is an MDF program; enrolment is for VIP subtracks (MDF takes part by provider flag and tier)"
            )
        }
        if day > program.period.end {
            return ("enrolled_on", day.description, "after the end of \(program.id) (\(program.period.end))")
        }
        return nil
    }

    /// Reads `products.csv`; SKUs must be unique in the file. `nil` when the file cannot be read at all
    /// (then no SKU is reported as missing from it).
    public static func readProducts(path: String, displayName: String? = nil, collector: inout DiagnosticCollector) -> [Product]? {
        var rows: [Product] = []
        guard let table = Table(path: path, displayName: displayName, required: ["sku"], optional: ["description", "family"], collector: &collector)
        else { return nil }
        let skuColumn = table.column("sku"), descriptionColumn = table.column("description"), familyColumn = table.column("family")
        var seen: [ExactText: Int] = [:]
        while let record = table.nextRecord(&collector) {
            guard let skuBytes = table.identifierBytes(record, skuColumn, &collector) else { continue }
            let sku = String(decoding: skuBytes, as: UTF8.self)
            if let first = seen[ExactText(sku)] {
                table.error("sku", value: sku, "duplicate SKU (first on line \(first))", &collector)
                continue
            }
            seen[ExactText(sku)] = table.line
            let description = table.text(record, descriptionColumn), family = table.text(record, familyColumn)
            rows.append(Product(sku: sku, description: description.isEmpty ? nil : description, family: family.isEmpty ? nil : family))
        }
        return rows
    }

    /// Reads `fx.csv`; one rate per currency and date.
    public static func readFX(path: String, displayName: String? = nil, collector: inout DiagnosticCollector) -> [FXRate] {
        var rows: [FXRate] = []
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["currency", "valid_from", "rate"], optional: [], collector: &collector)
        else { return rows }
        let currencyColumn = table.column("currency"), fromColumn = table.column("valid_from"), rateColumn = table.column("rate")
        var seen: [String: Int] = [:]
        var lines: [Int] = []
        while let record = table.nextRecord(&collector) {
            let currency = table.currency(record, currencyColumn, &collector)
            let from = table.day(record, fromColumn, &collector)
            let rate = table.decimal(record, rateColumn, scale: 6, what: "an exchange rate", allowNegative: false, &collector)
            guard let currency, let from, let rate else { continue }
            if rate == 0 {
                table.error("rate", value: table.text(record, rateColumn), "an exchange rate must be above 0", &collector)
                continue
            }
            let key = "\(currency) \(from)"
            if let first = seen[key] {
                table.error(
                    "valid_from", value: from.description, "a \(currency) rate from this date is already given (line \(first))", &collector)
                continue
            }
            seen[key] = table.line
            rows.append(FXRate(currency: currency, validFrom: from, rate: ScaledDecimal(units: rate, scale: 6)))
            lines.append(table.line)
        }
        warnRateJumps(rows, lines: lines, file: table.file, collector: &collector)
        return rows
    }

    /// Warns of a rate more than 25% away from the same currency's rate in force before it (by `valid_from`): an
    /// inverted rate (USD per EUR given as EUR per USD) costs partners their rebates without an error. Compared exactly.
    static func warnRateJumps(_ rates: [FXRate], lines: [Int], file: String, collector: inout DiagnosticCollector) {
        let order = rates.indices.sorted { (rates[$0].currency, rates[$0].validFrom) < (rates[$1].currency, rates[$1].validFrom) }
        for (previous, index) in zip(order, order.dropFirst()) where rates[previous].currency == rates[index].currency {
            let before = Int128(rates[previous].rate.units), after = Int128(rates[index].rate.units)
            let change = after > before ? after - before : before - after
            guard change * 100 > before * 25 else { continue }
            collector.warning(
                file: file, line: lines[index], column: "rate", value: rates[index].rate.text,
                "more than 25% away from the \(rates[index].currency) rate in force before it, \(rates[previous].rate.text) from \(rates[previous].validFrom) (line \(lines[previous])): check that it is not inverted"
            )
        }
    }
}
