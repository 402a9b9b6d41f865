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

        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            collector.error(file: directory, line: nil, "data folder not found")
            return dataset
        }
        for required in ["partners.csv", "bookings.csv"] where !exists(required) {
            collector.error(file: path(required), line: nil, "required file is missing")
        }
        if exists("partners.csv") {
            _ = readPartners(path: path("partners.csv"), into: &dataset, collector: &collector)
        } else {
            dataset.partnersIncomplete = true
        }
        if exists("credentials.csv") {
            for row in readCredentials(path: path("credentials.csv"), dataset: dataset, collector: &collector) { dataset.add(row) }
        }
        if exists("csat.csv") {
            for row in readCSAT(path: path("csat.csv"), dataset: dataset, collector: &collector) { dataset.add(row) }
        }
        if exists("services.csv") {
            for row in readServices(path: path("services.csv"), dataset: dataset, collector: &collector) { dataset.add(row) }
        }
        if exists("enrollments.csv") {
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

    /// Reads `partners.csv`, adding every valid partner to `dataset` (replacing one with the same id)
    /// and noting rejected ids and unreadable rows there. Returns the valid rows in file order.
    public static func readPartners(path: String, displayName: String? = nil, into dataset: inout Dataset, collector: inout DiagnosticCollector)
        -> [Partner]
    {
        var rows: [Partner] = []
        var firstLine: [ExactText: Int] = [:]  // every id of the file, valid row or not
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "name", "country", "tier"], optional: ["provider"],
                collector: &collector)
        else {
            dataset.partnersIncomplete = true
            return rows
        }
        defer { if table.unreadableRows > 0 { dataset.partnersIncomplete = true } }
        while table.next(&collector) {
            guard let id = table.identifier("partner_id", &collector) else { continue }
            if let first = firstLine[ExactText(id)] {
                table.error("partner_id", value: id, "duplicate partner id (first on line \(first))", &collector)
                continue
            }
            firstLine[ExactText(id)] = table.line
            let name = table.text("name")
            let country = table.country(&collector)
            let tier = table.tier("tier", &collector)
            let provider = table.optionalBool("provider", &collector)
            guard let country, let tier, let provider else {
                if dataset.partnerIndex(id) == nil { dataset.rejectedPartnerIDs.insert(ExactText(id)) }
                continue
            }
            let partner = Partner(id: id, name: name, country: country, tier: tier, provider: provider ?? false, line: table.line)
            dataset.add(partner)
            rows.append(partner)
        }
        return rows
    }

    /// The partner index of the row's `partner_id`, reporting unknown ids (but not ids whose own row was broken).
    static func partner(_ table: Table, _ dataset: Dataset, _ collector: inout DiagnosticCollector) -> Int? {
        guard let id = table.identifier("partner_id", &collector) else { return nil }
        if let index = dataset.partnerIndex(id) { return index }
        if dataset.reportsUnknownPartner(id) {
            table.error("partner_id", value: id, "unknown partner (not in \(dataset.partnersSource))", &collector)
        }
        return nil
    }

    /// Reads `credentials.csv`; partner ids are checked against `dataset`.
    public static func readCredentials(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector)
        -> [Credential]
    {
        var rows: [Credential] = []
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "credential", "achieved_on"], optional: ["expires_on"],
                collector: &collector)
        else { return rows }
        var seen: [ExactText: Int] = [:]
        while table.next(&collector) {
            let index = partner(table, dataset, &collector)
            let credential = table.identifier("credential", &collector)
            let achieved = table.day("achieved_on", &collector)
            let expires = table.optionalDay("expires_on", &collector)
            guard let index, let credential, let achieved, let expires else { continue }
            if let end = expires, end < achieved {
                table.error("expires_on", value: end.description, "expires before it was achieved (\(achieved))", &collector)
                continue
            }
            let key = ExactText("\(index)\u{0}\(credential)\u{0}\(achieved)")
            if let first = seen[key] {
                table.error(
                    "credential", value: credential,
                    "partner \(dataset.partners[index].id) already has this credential achieved on \(achieved) (line \(first))", &collector)
                continue
            }
            seen[key] = table.line
            rows.append(Credential(partnerID: dataset.partners[index].id, credential: credential, achievedOn: achieved, expiresOn: expires))
        }
        return rows
    }

    /// Reads `csat.csv`; survey ids must be unique in the file.
    public static func readCSAT(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector) -> [CSATReport] {
        var rows: [CSATReport] = []
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "survey_id", "submitted_on"], optional: [], collector: &collector)
        else { return rows }
        var surveys: [ExactText: Int] = [:]
        while table.next(&collector) {
            let index = partner(table, dataset, &collector)
            let survey = table.identifier("survey_id", &collector)
            let submitted = table.day("submitted_on", &collector)
            if let survey {
                if let first = surveys[ExactText(survey)] {
                    table.error("survey_id", value: survey, "duplicate survey id (first on line \(first))", &collector)
                    continue
                }
                surveys[ExactText(survey)] = table.line
            }
            guard let index, let survey, let submitted else { continue }
            rows.append(CSATReport(partnerID: dataset.partners[index].id, surveyID: survey, submittedOn: submitted))
        }
        return rows
    }

    /// Reads `services.csv`.
    public static func readServices(path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector)
        -> [PoweredService]
    {
        var rows: [PoweredService] = []
        guard
            let table = Table(
                path: path, displayName: displayName, required: ["partner_id", "service", "strategic", "active_from"], optional: ["active_until"],
                collector: &collector)
        else { return rows }
        var seen: [ExactText: Int] = [:]
        while table.next(&collector) {
            let index = partner(table, dataset, &collector)
            let service = table.identifier("service", &collector)
            let strategic = table.bool("strategic", &collector)
            let from = table.day("active_from", &collector)
            let until = table.optionalDay("active_until", &collector)
            guard let index, let service, let strategic, let from, let until else { continue }
            if let end = until, end < from {
                table.error("active_until", value: end.description, "ends before it starts (\(from))", &collector)
                continue
            }
            let key = ExactText("\(index)\u{0}\(service)\u{0}\(from)")
            if let first = seen[key] {
                table.error(
                    "service", value: service,
                    "partner \(dataset.partners[index].id) already has this service active from \(from) (line \(first))", &collector)
                continue
            }
            seen[key] = table.line
            rows.append(
                PoweredService(partnerID: dataset.partners[index].id, service: service, strategic: strategic, activeFrom: from, activeUntil: until))
        }
        return rows
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
        let programsByID = Dictionary(programs.map { (ExactText($0.id), $0) }, uniquingKeysWith: { first, _ in first })
        var seen: [ExactText: Int] = [:]
        while table.next(&collector) {
            let index = partner(table, dataset, &collector)
            let programID = table.identifier("program", &collector)
            let subtrack = table.identifier("subtrack", &collector)
            let enrolled = table.day("enrolled_on", &collector)
            guard let programID, let subtrack, let enrolled else { continue }
            var valid = true
            if let program = programsByID[ExactText(programID)] {
                if let problem = enrollmentProblem(program: program, subtrack: subtrack, on: enrolled) {
                    table.error(problem.column, value: problem.value, problem.message, &collector)
                    valid = false
                }
            } else if !programs.isEmpty || !collector.hasErrors {
                let known = programs.map(\.id).sorted().joined(separator: ", ")
                table.error("program", value: programID, "unknown program (loaded: \(known.isEmpty ? "none" : known))", &collector)
                valid = false
            }
            guard let index, valid else { continue }
            let key = ExactText("\(index)\u{0}\(programID)\u{0}\(subtrack)")
            if let first = seen[key] {
                table.error(
                    "subtrack", value: subtrack, "partner \(dataset.partners[index].id) is already enrolled in it (line \(first))", &collector)
                continue
            }
            seen[key] = table.line
            rows.append(
                Enrollment(partnerID: dataset.partners[index].id, program: programID, subtrack: subtrack, enrolledOn: enrolled, line: table.line))
        }
        return rows
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
    private var columns: [String: Int] = [:]
    private var expectedFields = 0
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
        var missing = false
        for name in required {
            guard let index = reader.column(name) else {
                collector.error(
                    file: reader.file, line: 1, column: name, "missing required column (the header has: \(reader.header.joined(separator: ", ")))")
                missing = true
                continue
            }
            columns[name] = index
        }
        for name in optional { columns[name] = reader.column(name) }
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
                collector.error(file: file, line: line, problem)
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

    func error(_ column: String, value: String, _ message: String, _ collector: inout DiagnosticCollector) {
        collector.error(file: file, line: line, column: column, value: value, message)
    }

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
