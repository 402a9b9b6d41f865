import Foundation

/// Reads the CSV files of a dataset folder (formats.md §1), except `bookings.csv`, which
/// `BookingFile` streams. Each table has its own reader, so a workspace can import one file
/// with exactly the checks and messages of a whole folder.
public enum DatasetLoader {
    public static let fileNames = [
        "partners.csv", "credentials.csv", "csat.csv", "services.csv", "enrollments.csv", "products.csv", "fx.csv", "bookings.csv",
    ]

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
        if exists("partners.csv") {
            scanPartners(path: path("partners.csv"), into: &dataset, collector: &collector) { _ in }
        } else {
            dataset.partnersIncomplete = true
        }
        // The tables that hang off partners only read them, so they are read side by side, each into its own
        // collector; the collectors are merged in file order, which gives the report reading one by one would.
        let parts = PartnerTables()
        let partnerCount = dataset.partners.count, limit = collector.limitPerFile
        var jobs: [@Sendable () -> Void] = []
        let frozen = dataset
        if exists("csat.csv") {
            let file = path("csat.csv")
            jobs.append {
                var rows = PerPartner<Day>(partnerCount: partnerCount)
                var problems = DiagnosticCollector(limitPerFile: limit)
                scanCSAT(path: file, dataset: frozen, collector: &problems) { rows.append($2, for: $0) }
                parts.csat = (rows, problems)
            }
        }
        // An unknown program is reported only when nothing else went wrong while no program loaded, which
        // depends on every file before it: then enrolments are read after the others.
        let enrollmentsAlongside = exists("enrollments.csv") && !programs.isEmpty
        if enrollmentsAlongside {
            let file = path("enrollments.csv")
            jobs.append {
                var problems = DiagnosticCollector(limitPerFile: limit)
                let rows = readEnrollments(path: file, dataset: frozen, programs: programs, collector: &problems)
                parts.enrollments = (rows, problems)
            }
        }
        if exists("credentials.csv") {
            let file = path("credentials.csv")
            jobs.append {
                var rows = PerPartner<Credential>(partnerCount: partnerCount)
                var problems = DiagnosticCollector(limitPerFile: limit)
                scanCredentials(path: file, dataset: frozen, collector: &problems) { rows.append($1, for: $0) }
                parts.credentials = (rows, problems)
            }
        }
        if exists("services.csv") {
            let file = path("services.csv")
            jobs.append {
                var rows = PerPartner<PoweredService>(partnerCount: partnerCount)
                var problems = DiagnosticCollector(limitPerFile: limit)
                scanServices(path: file, dataset: frozen, collector: &problems) { rows.append($1, for: $0) }
                parts.services = (rows, problems)
            }
        }
        let work = jobs
        DispatchQueue.concurrentPerform(iterations: work.count) { work[$0]() }
        if let part = parts.credentials {
            collector.merge(part.1)
            part.0.append(to: &dataset.credentials)
        }
        if let part = parts.csat {
            collector.merge(part.1)
            part.0.append(to: &dataset.csatDates)
        }
        if let part = parts.services {
            collector.merge(part.1)
            part.0.append(to: &dataset.services)
        }
        if let part = parts.enrollments {
            collector.merge(part.1)
            dataset.enrollments = part.0
        } else if exists("enrollments.csv") {
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
        var rows: [Partner] = []
        scanPartners(path: path, displayName: displayName, into: &dataset, collector: &collector) { rows.append($0) }
        return rows
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
        var rows: [Credential] = []
        scanCredentials(path: path, displayName: displayName, dataset: dataset, collector: &collector) { _, credential in rows.append(credential) }
        return rows
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
        var seen = FirstLines()
        var names = SharedStrings()
        var key: [UInt8] = []
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
            // The key (partner, credential, achieved_on), as exact as the text of the three.
            let line = table.line
            let credential = withTextBytes(credentialBytes) { bytes -> String in
                key.removeAll(keepingCapacity: true)
                appendKey(&key, index, achieved.daysSinceEpoch)
                key.append(contentsOf: bytes)
                return names.string(bytes)
            }
            if let first = key.withUnsafeBufferPointer({ seen.firstLine(of: $0, otherwise: line) }) {
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
    static func scanCSAT(
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
        var rows: [PoweredService] = []
        scanServices(path: path, displayName: displayName, dataset: dataset, collector: &collector) { _, service in rows.append(service) }
        return rows
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
        var seen = FirstLines()
        var names = SharedStrings()
        var key: [UInt8] = []
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
            // The key (partner, service, active_from), as exact as the text of the three.
            let line = table.line
            let service = withTextBytes(serviceBytes) { bytes -> String in
                key.removeAll(keepingCapacity: true)
                appendKey(&key, index, from.daysSinceEpoch)
                key.append(contentsOf: bytes)
                return names.string(bytes)
            }
            if let first = key.withUnsafeBufferPointer({ seen.firstLine(of: $0, otherwise: line) }) {
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
        var seen: [ExactText: Int] = [:]
        while table.next(&collector) {
            guard let sku = table.identifier("sku", &collector) else { continue }
            if let first = seen[ExactText(sku)] {
                table.error("sku", value: sku, "duplicate SKU (first on line \(first))", &collector)
                continue
            }
            seen[ExactText(sku)] = table.line
            let description = table.text("description"), family = table.text("family")
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
        var seen: [String: Int] = [:]
        while table.next(&collector) {
            let currency = table.currency("currency", &collector)
            let from = table.day("valid_from", &collector)
            let rate = table.decimal("rate", scale: 6, what: "an exchange rate", allowNegative: false, &collector)
            guard let currency, let from, let rate else { continue }
            if rate == 0 {
                table.error("rate", value: table.text("rate"), "an exchange rate must be above 0", &collector)
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
        }
        return rows
    }
}

/// One small CSV file being read: its columns by name and typed accessors that report problems.
final class Table {
    let reader: CSVReader
    var file: String { reader.file }
    private let columns: [String: Int]
    private let expectedFields: Int
    /// Records that could not be read at all (syntax, field count): their values are unknown.
    private(set) var unreadableRows = 0

    init?(path: String, displayName: String? = nil, required: [String], optional: [String], collector: inout DiagnosticCollector) {
        do {
            reader = try CSVReader(path: path, displayName: displayName)
        } catch {
            collector.merge(error.collector)
            return nil
        }
        expectedFields = reader.header.count
        var columns: [String: Int] = [:]
        var missing = false
        for name in required {
            guard let index = reader.column(name) else {
                collector.error(
                    file: reader.file, line: 1, column: name, "missing required column (the header has: \(reader.headerSummary))")
                missing = true
                continue
            }
            columns[name] = index
        }
        for name in optional { columns[name] = reader.column(name) }
        self.columns = columns
        if missing { return nil }
    }

    var line: Int { reader.recordLine }

    /// Advances to the next well-formed record; malformed ones are reported and skipped.
    func next(_ collector: inout DiagnosticCollector) -> Bool {
        while true {
            do {
                guard try reader.next() else { return false }
            } catch {
                collector.merge(error.collector)
                unreadableRows += 1
                return false
            }
            if let problem = reader.recordProblem {
                collector.error(file: file, line: line, column: reader.recordProblemColumn, problem)
                unreadableRows += 1
                continue
            }
            if reader.fieldCount != expectedFields {
                collector.error(file: file, line: line, "expected \(expectedFields) fields like the header, found \(reader.fieldCount)")
                unreadableRows += 1
                continue
            }
            return true
        }
    }

    /// The next well-formed record, read once (each look at the reader's state is an access check).
    @inline(__always)
    func nextRecord(_ collector: inout DiagnosticCollector) -> CSVRecord? {
        next(&collector) ? reader.record : nil
    }

    func error(_ column: String, value: String, _ message: String, _ collector: inout DiagnosticCollector) {
        collector.error(file: file, line: line, column: column, value: value, message)
    }

    /// A column looked up once: its name for messages and its index (`nil`: an optional column the file lacks).
    struct Column {
        let name: String
        let index: Int?
    }

    func column(_ name: String) -> Column { Column(name: name, index: columns[name] ?? nil) }

    /// The bytes of the column's field in the current record (trimmed, unescaped); empty when the column is absent.
    @inline(__always)
    func bytes(_ record: CSVRecord, _ column: Column) -> UnsafeBufferPointer<UInt8> {
        guard let index = column.index else { return UnsafeBufferPointer(start: nil, count: 0) }
        return record[index]
    }

    func text(_ record: CSVRecord, _ column: Column) -> String {
        guard let index = column.index else { return "" }
        return record.string(index)
    }

    /// The bytes of a required, non-empty value (valid until the next record); `nil` when empty.
    @inline(__always)
    func identifierBytes(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> UnsafeBufferPointer<UInt8>? {
        let value = bytes(record, column)
        if value.isEmpty {
            collector.error(file: file, line: line, column: column.name, "required value is empty")
            return nil
        }
        return value
    }

    func day(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Day? {
        let value = bytes(record, column)
        if value.isEmpty {
            collector.error(file: file, line: line, column: column.name, "required date is empty")
            return nil
        }
        // Any byte that is not an ASCII digit or dash fails, so the raw bytes parse exactly like their text.
        guard let day = Day(isoBytes: value) else {
            error(column.name, value: text(record, column), "expected a real calendar date YYYY-MM-DD", &collector)
            return nil
        }
        return day
    }

    /// `.some(nil)` when empty or absent; `nil` when malformed.
    func optionalDay(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Day?? {
        let value = bytes(record, column)
        if value.isEmpty { return .some(nil) }
        guard let day = Day(isoBytes: value) else {
            error(column.name, value: text(record, column), "expected a real calendar date YYYY-MM-DD", &collector)
            return nil
        }
        return .some(day)
    }

    func bool(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Bool? {
        guard let flag = Table.boolean(bytes(record, column)) else {
            error(column.name, value: text(record, column), "expected true or false (also yes/no, 1/0)", &collector)
            return nil
        }
        return flag
    }

    func optionalBool(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Bool?? {
        if bytes(record, column).isEmpty { return .some(nil) }
        guard let flag = bool(record, column, &collector) else { return nil }
        return .some(flag)
    }

    /// `FieldParsing.boolean` without its allocations: `true`/`false`, `yes`/`no`, `1`/`0`, ASCII letters in any case.
    static func boolean(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool? {
        @inline(__always) func matches(_ word: StaticString) -> Bool {
            guard bytes.count == word.utf8CodeUnitCount else { return false }
            let expected = word.utf8Start
            for index in 0..<bytes.count where FieldParsing.asciiLower(bytes[index]) != expected[index] { return false }
            return true
        }
        if matches("true") || matches("yes") || matches("1") { return true }
        if matches("false") || matches("no") || matches("0") { return false }
        return nil
    }

    func tier(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> Tier? {
        let value = bytes(record, column)
        if DatasetLoader.isASCII(value) {
            // ASCII text lower-cases byte by byte; anything else goes through `String.lowercased()` as before.
            for tier in Tier.allCases where tier.rawValue.utf8.count == value.count {
                if zip(tier.rawValue.utf8, value).allSatisfy({ $0 == FieldParsing.asciiLower($1) }) { return tier }
            }
            error(column.name, value: text(record, column), "unknown tier (expected gold, premier, select or registered)", &collector)
            return nil
        }
        return tier(column.name, &collector)
    }

    func country(_ record: CSVRecord, _ column: Column, _ collector: inout DiagnosticCollector) -> String? {
        let value = bytes(record, column)
        if value.count == 2 {
            let first = FieldParsing.asciiUpper(value[0]), second = FieldParsing.asciiUpper(value[1])
            if first >= 65 && first <= 90 && second >= 65 && second <= 90 && Table.isCountry(first, second) {
                return String(decoding: [first, second], as: UTF8.self)
            }
        }
        error("country", value: text(record, column), "expected an ISO 3166-1 alpha-2 country code such as NL", &collector)
        return nil
    }

    /// `FieldParsing.countryCodes` as a 26 x 26 table of upper-case letter pairs.
    static let countryTable: [Bool] = {
        var table = Array(repeating: false, count: 26 * 26)
        for code in FieldParsing.countryCodes {
            let bytes = Array(code.utf8)
            guard bytes.count == 2, bytes.allSatisfy({ $0 >= 65 && $0 <= 90 }) else { continue }
            table[Int(bytes[0] - 65) * 26 + Int(bytes[1] - 65)] = true
        }
        return table
    }()

    @inline(__always)
    static func isCountry(_ first: UInt8, _ second: UInt8) -> Bool { countryTable[Int(first - 65) * 26 + Int(second - 65)] }

    func text(_ column: String) -> String {
        guard let index = columns[column] ?? nil else { return "" }
        return reader.string(index)
    }

    /// A required, non-empty value.
    func identifier(_ column: String, _ collector: inout DiagnosticCollector) -> String? {
        let value = text(column)
        if value.isEmpty {
            collector.error(file: file, line: line, column: column, "required value is empty")
            return nil
        }
        return value
    }

    func day(_ column: String, _ collector: inout DiagnosticCollector) -> Day? {
        let value = text(column)
        if value.isEmpty {
            collector.error(file: file, line: line, column: column, "required date is empty")
            return nil
        }
        guard let day = Day(iso: value) else {
            error(column, value: value, "expected a real calendar date YYYY-MM-DD", &collector)
            return nil
        }
        return day
    }

    /// `.some(nil)` when empty or absent; `nil` when malformed.
    func optionalDay(_ column: String, _ collector: inout DiagnosticCollector) -> Day?? {
        let value = text(column)
        if value.isEmpty { return .some(nil) }
        guard let day = Day(iso: value) else {
            error(column, value: value, "expected a real calendar date YYYY-MM-DD", &collector)
            return nil
        }
        return .some(day)
    }

    func bool(_ column: String, _ collector: inout DiagnosticCollector) -> Bool? {
        let value = text(column)
        var bytes = Array(value.utf8)
        guard let flag = bytes.withUnsafeMutableBufferPointer({ FieldParsing.boolean(UnsafeBufferPointer($0)) }) else {
            error(column, value: value, "expected true or false (also yes/no, 1/0)", &collector)
            return nil
        }
        return flag
    }

    func optionalBool(_ column: String, _ collector: inout DiagnosticCollector) -> Bool?? {
        if text(column).isEmpty { return .some(nil) }
        guard let flag = bool(column, &collector) else { return nil }
        return .some(flag)
    }

    func tier(_ column: String, _ collector: inout DiagnosticCollector) -> Tier? {
        let value = text(column)
        guard let tier = FieldParsing.tier(value) else {
            error(column, value: value, "unknown tier (expected gold, premier, select or registered)", &collector)
            return nil
        }
        return tier
    }

    func country(_ collector: inout DiagnosticCollector) -> String? {
        let value = text("country")
        guard let code = FieldParsing.code(value, length: 2), FieldParsing.countryCodes.contains(code) else {
            error("country", value: value, "expected an ISO 3166-1 alpha-2 country code such as NL", &collector)
            return nil
        }
        return code
    }

    func currency(_ column: String, _ collector: inout DiagnosticCollector) -> String? {
        let value = text(column)
        guard let code = FieldParsing.code(value, length: 3) else {
            error(column, value: value, "expected an ISO 4217 currency code such as USD", &collector)
            return nil
        }
        return code
    }

    func decimal(_ column: String, scale: Int, what: String, allowNegative: Bool, _ collector: inout DiagnosticCollector) -> Int64? {
        let value = text(column)
        var bytes = Array(value.utf8)
        let result = bytes.withUnsafeMutableBufferPointer {
            FieldParsing.decimal(UnsafeBufferPointer($0), scale: scale, allowNegative: allowNegative)
        }
        switch result {
        case .success(let units): return units
        case .failure(let problem):
            error(column, value: value, FieldParsing.explain(problem, decimals: scale, what: what), &collector)
            return nil
        }
    }
}

/// The line where each key of a file was first seen, keys being bytes (no `String` per row).
///
/// Files often list keys in increasing order; while each key is greater than the one before (by
/// bytes) it cannot have been seen, so it is only stored. The first key out of order builds the hash
/// table: one control byte per slot (empty, or 7 bits of the key's hash), so the probes of a
/// million-key file stay in a few megabytes; only a matching control byte looks at the slot's key
/// number and the stored key.
struct FirstLines {
    /// Every key so far increased: no hash table yet.
    private var ascending = true
    /// 0: empty; else `0x80 | 7 bits of the hash`.
    private var control: [UInt8] = []
    /// The key number in each used slot.
    private var numbers: [UInt32] = []
    private var mask = 0
    private var hashes: [UInt32] = []
    private var arena: [UInt8] = []
    /// Key `n` is `arena[ends[n - 1] ..< ends[n]]` (`ends[-1]` being 0).
    private var ends: [Int] = []
    private var lines: [Int] = []

    /// The line where `key` was first seen; `nil` when it is new, and then it is recorded as seen on `line`.
    @inline(__always)
    mutating func firstLine(of key: UnsafeBufferPointer<UInt8>, otherwise line: Int) -> Int? {
        if ascending {
            if lines.isEmpty || follows(key) {
                store(key, line: line)
                return nil
            }
            buildTable()
        }
        let hash = FirstLines.hash(key)
        let tag = UInt8(truncatingIfNeeded: hash) | 0x80
        var slot = Int(truncatingIfNeeded: hash >> 7) & mask
        while true {
            let byte = control[slot]
            if byte == 0 { break }
            if byte == tag {
                let number = Int(numbers[slot])
                if equals(number, key) { return lines[number] }
            }
            slot = (slot + 1) & mask
        }
        let number = lines.count
        store(key, line: line)
        hashes.append(hash)
        control[slot] = tag
        numbers[slot] = UInt32(truncatingIfNeeded: number)
        if lines.count * 10 > control.count * 7 { grow() }
        return nil
    }

    @inline(__always)
    private mutating func store(_ key: UnsafeBufferPointer<UInt8>, line: Int) {
        arena.append(contentsOf: key)
        ends.append(arena.count)
        lines.append(line)
    }

    /// Whether `key` comes after the last key stored, comparing bytes (a prefix comes first).
    @inline(__always)
    private func follows(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let number = lines.count - 1
        let start = number == 0 ? 0 : ends[number - 1], length = ends[number] - start
        let common = min(length, key.count)
        let order = common == 0 ? 0 : arena.withUnsafeBufferPointer { memcmp(key.baseAddress!, $0.baseAddress! + start, common) }
        return order > 0 || (order == 0 && key.count > length)
    }

    private mutating func buildTable() {
        ascending = false
        hashes.reserveCapacity(lines.count)
        for number in 0..<lines.count {
            let start = number == 0 ? 0 : ends[number - 1]
            hashes.append(arena.withUnsafeBufferPointer { FirstLines.hash(UnsafeBufferPointer(rebasing: $0[start..<ends[number]])) })
        }
        var size = 1024
        while lines.count * 10 > size * 7 { size <<= 1 }
        rebuild(size: size)
    }

    @inline(__always)
    private func equals(_ number: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = number == 0 ? 0 : ends[number - 1], end = ends[number]
        guard end - start == key.count else { return false }
        return arena.withUnsafeBufferPointer { stored in
            key.isEmpty || memcmp(stored.baseAddress! + start, key.baseAddress!, key.count) == 0
        }
    }

    private mutating func grow() { rebuild(size: control.count * 2) }

    private mutating func rebuild(size: Int) {
        control = Array(repeating: 0, count: size)
        numbers = Array(repeating: 0, count: size)
        mask = size - 1
        for (number, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash >> 7) & mask
            while control[slot] != 0 { slot = (slot + 1) & mask }
            control[slot] = UInt8(truncatingIfNeeded: hash) | 0x80
            numbers[slot] = UInt32(truncatingIfNeeded: number)
        }
    }

    /// A 32-bit hash of `bytes`, eight at a time (keys here are short ids).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 {
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 &* UInt64(bytes.count &+ 1)
        guard let base = bytes.baseAddress else { return UInt32(truncatingIfNeeded: hash >> 32) }
        let raw = UnsafeRawPointer(base)
        var offset = 0
        let count = bytes.count
        while offset + 8 <= count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) &* 0xBF58_476D_1CE4_E5B9
            hash ^= hash >> 31
            offset += 8
        }
        if offset < count {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while offset < count {
                tail |= UInt64(base[offset]) << shift
                shift += 8
                offset += 1
            }
            hash = (hash ^ tail) &* 0x94D0_49BB_1331_11EB
        }
        hash ^= hash >> 32
        hash = hash &* 0xD6E8_FEB8_6659_FD93
        hash ^= hash >> 32
        return UInt32(truncatingIfNeeded: hash)
    }
}

/// One `String` per distinct text, so rows repeating a value (a credential id, a service) share it.
struct SharedStrings {
    private var keys = ByteInterner(capacity: 64)
    private var strings: [String] = []

    /// The text of `bytes`, which must be valid UTF-8.
    @inline(__always)
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let id = Int(keys.intern(bytes))
        if id == strings.count { strings.append(String(decoding: bytes, as: UTF8.self)) }
        return strings[id]
    }
}

/// Rows of one table gathered by partner index, then appended to the dataset's per-partner lists with
/// one allocation per partner, keeping file order within each partner.
struct PerPartner<Row> {
    private var partners: [Int32] = []
    private var rows: [Row] = []
    private var counts: [Int32]

    init(partnerCount: Int) { counts = Array(repeating: 0, count: partnerCount) }

    @inline(__always)
    mutating func append(_ row: Row, for partner: Int) {
        partners.append(Int32(truncatingIfNeeded: partner))
        rows.append(row)
        counts[partner] += 1
    }

    func append(to lists: inout [[Row]]) {
        for (partner, count) in counts.enumerated() where count > 0 { lists[partner].reserveCapacity(lists[partner].count + Int(count)) }
        for (partner, row) in zip(partners, rows) { lists[Int(partner)].append(row) }
    }
}

/// What the per-partner tables read side by side leave behind: each job sets only its own part.
final class PartnerTables: @unchecked Sendable {
    var credentials: (PerPartner<Credential>, DiagnosticCollector)?
    var csat: (PerPartner<Day>, DiagnosticCollector)?
    var services: (PerPartner<PoweredService>, DiagnosticCollector)?
    var enrollments: ([Enrollment], DiagnosticCollector)?
}
