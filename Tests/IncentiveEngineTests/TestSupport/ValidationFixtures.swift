import Foundation
import IncentiveEngine
import Testing

/// A small dataset and programs that load cleanly; a validation test changes ONE thing and
/// checks the exact diagnostic the engine reports for it.
struct ValidationFixture {
    /// Data files by name (`partners.csv`, ...); a name absent from the map is not written.
    var data: [String: String]
    /// Program files by name (`vip.yaml`, ...).
    var programs: [String: String]

    // MARK: Baseline files (every line is referred to by number in the tests)

    static let partnersHeader = "partner_id,name,country,tier,provider\n"
    static let partners =
        partnersHeader + """
            P1,Alpha BV,NL,gold,true
            P2,Beta GmbH,DE,select,false

            """  // P1 line 2, P2 line 3

    static let credentialsHeader = "partner_id,credential,achieved_on,expires_on\n"
    static let credentials =
        credentialsHeader + """
            P1,ADV-UCT,2014-01-01,
            P2,ADV-UCT,2014-06-01,2016-06-01

            """

    static let csatHeader = "partner_id,survey_id,submitted_on\n"
    static let csat =
        csatHeader + """
            P1,S-1,2015-03-01
            P1,S-2,2015-04-01

            """

    static let servicesHeader = "partner_id,service,strategic,active_from,active_until\n"
    static let services =
        servicesHeader + """
            P1,Managed UC,true,2015-01-01,
            P2,Hosted Collab,no,2015-01-01,2015-12-31

            """

    static let enrollmentsHeader = "partner_id,program,subtrack,enrolled_on\n"
    static let enrollments =
        enrollmentsHeader + """
            P1,VIP,dc/ucs,2015-02-01
            P2,VIP,dc/ucs,2015-02-01

            """

    static let productsHeader = "sku,description,family\n"
    static let products =
        productsHeader + """
            UCS-A,Blade server,DC
            UCS-B,Rack server,DC

            """

    static let fxHeader = "currency,valid_from,rate\n"
    static let fx = fxHeader + "EUR,2015-01-01,1.1\n"

    static let bookingsHeader = "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"
    /// The EUR line (line 4) lies in the VIP period and needs the fx rate.
    static let bookings =
        bookingsHeader + """
            O1,1,P1,2015-03-01,,UCS-A,1,1000.00,USD,
            O2,1,P2,2015-03-02,2015-03-05,UCS-B,2,-250.50,USD,Managed Services
            O3,1,P1,2015-04-01,,UCS-A,1,100.00,EUR,

            """

    /// Line numbers are used by the program tests: `period` is line 4, `rebate_percent` line 9.
    static let vip = """
        id: VIP
        kind: vip
        currency: USD
        period: {start: 2015-01-25, end: 2015-07-25}
        tracks:
          - id: dc
            subtracks:
              - id: ucs
                rebate_percent: 6
                products: ["UCS-*"]

        """

    /// `tiers` starts on line 8; gold is line 9, select line 10.
    static let mdf = """
        id: MDF
        kind: mdf
        currency: USD
        period: {start: 2023-01-29, end: 2023-07-29}
        intended_use_rules:
          - {counts: any}
          - {from: 2023-02-01, counts: [managed_services]}
        tiers:
          gold: {accrual_percent: 2, requires_strategic_service: true}
          select: {accrual_percent: 1, minimum_volume: 50000}

        """

    static var valid: ValidationFixture {
        ValidationFixture(
            data: [
                "partners.csv": partners, "credentials.csv": credentials, "csat.csv": csat, "services.csv": services,
                "enrollments.csv": enrollments, "products.csv": products, "fx.csv": fx, "bookings.csv": bookings,
            ],
            programs: ["vip.yaml": vip, "mdf.yaml": mdf])
    }

    /// This fixture with `file` replaced (or removed, for `nil`).
    func with(_ file: String, _ contents: String?) -> ValidationFixture {
        var copy = self
        if file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
            copy.programs[file] = contents
        } else {
            copy.data[file] = contents
        }
        return copy
    }

    // MARK: Loading

    /// Writes the files into a fresh temporary folder; returns (data folder, programs folder).
    func write() throws -> (data: String, programs: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-validation-\(UUID().uuidString)")
        let dataFolder = root.appendingPathComponent("data"), programsFolder = root.appendingPathComponent("programs")
        try FileManager.default.createDirectory(at: dataFolder, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: programsFolder, withIntermediateDirectories: true)
        for (name, text) in data { try Data(text.utf8).write(to: dataFolder.appendingPathComponent(name)) }
        for (name, text) in programs { try Data(text.utf8).write(to: programsFolder.appendingPathComponent(name)) }
        return (dataFolder.path, programsFolder.path)
    }

    func load() throws -> Result<LoadedInput, DiagnosticReport> {
        let (dataFolder, programsFolder) = try write()
        defer { try? FileManager.default.removeItem(atPath: (dataFolder as NSString).deletingLastPathComponent) }
        return Result { () throws(DiagnosticReport) -> LoadedInput in
            try Engine.load(dataDirectory: dataFolder, programsDirectory: programsFolder)
        }
    }

    /// The report of a load that must fail; records an issue (and throws) when it succeeds.
    func failure(sourceLocation: SourceLocation = #_sourceLocation) throws -> DiagnosticReport {
        switch try load() {
        case .failure(let report):
            return report
        case .success(let loaded):
            Issue.record(
                "expected loading to fail, but it succeeded with \(loaded.programs.count) programs and \(loaded.dataset.partners.count) partners",
                sourceLocation: sourceLocation)
            throw FixtureError.loadSucceeded
        }
    }

    /// The input of a load that must succeed; records the errors (and throws) when it fails.
    func success(sourceLocation: SourceLocation = #_sourceLocation) throws -> LoadedInput {
        switch try load() {
        case .success(let loaded):
            return loaded
        case .failure(let report):
            Issue.record("expected loading to succeed, but it failed:\n\(report)", sourceLocation: sourceLocation)
            throw FixtureError.loadFailed
        }
    }

    enum FixtureError: Error { case loadSucceeded, loadFailed }
}

/// What one diagnostic must say. `message` is a key part of the text (a substring).
struct ExpectedDiagnostic: Sendable, CustomStringConvertible {
    var severity: Diagnostic.Severity = .error
    /// The end of the path, e.g. `/bookings.csv`.
    var file: String
    var line: Int?
    var column: String?
    var value: String?
    var message: String

    init(
        _ severity: Diagnostic.Severity = .error, file: String, line: Int?, column: String? = nil, value: String? = nil, message: String
    ) {
        self.severity = severity
        self.file = file
        self.line = line
        self.column = column
        self.value = value
        self.message = message
    }

    func matches(_ diagnostic: Diagnostic) -> Bool {
        diagnostic.severity == severity && diagnostic.file.hasSuffix(file) && diagnostic.line == line && diagnostic.column == column
            && diagnostic.value == value && diagnostic.message.contains(message)
    }

    var description: String {
        "\(severity) \(file):\(line.map(String.init) ?? "-") column=\(column ?? "nil") value=\(value.map { "\"\($0)\"" } ?? "nil") message~\"\(message)\""
    }
}

/// Every kept diagnostic of a report, one per line, for failure messages.
func listing(_ diagnostics: [Diagnostic]) -> String {
    diagnostics.map { "  \($0.severity) line=\($0.line.map(String.init) ?? "nil") col=\($0.column ?? "nil") | \($0)" }.joined(separator: "\n")
}

/// Expects that `report` holds exactly one error and that it is `expected`.
func expectOnlyError(_ report: DiagnosticReport, _ expected: ExpectedDiagnostic, sourceLocation: SourceLocation = #_sourceLocation) {
    let errors = report.collector.errors
    #expect(errors.count == 1, "expected exactly one error, got:\n\(listing(errors))", sourceLocation: sourceLocation)
    #expect(report.collector.errorCount == errors.count, "errors were left out of the report", sourceLocation: sourceLocation)
    #expect(errors.contains(where: expected.matches), "wanted \(expected)\ngot:\n\(listing(errors))", sourceLocation: sourceLocation)
}

/// Expects that `report` holds an error matching `expected` (others may be there too).
func expectError(_ report: DiagnosticReport, _ expected: ExpectedDiagnostic, sourceLocation: SourceLocation = #_sourceLocation) {
    let errors = report.collector.errors
    #expect(errors.contains(where: expected.matches), "wanted \(expected)\ngot:\n\(listing(errors))", sourceLocation: sourceLocation)
}

/// A one-file change to the valid fixture and the single error it must produce.
struct Defect: Sendable, CustomTestStringConvertible {
    var name: String
    /// The file replaced (`nil` contents: removed).
    var file: String
    var contents: String?
    var expected: ExpectedDiagnostic
    /// Extra file changes needed to keep the rest valid.
    var also: [String: String] = [:]

    var testDescription: String { name }

    var fixture: ValidationFixture {
        var fixture = ValidationFixture.valid.with(file, contents)
        for (name, text) in also { fixture = fixture.with(name, text) }
        return fixture
    }
}

/// Collects every record of `reader` as (record line, fields).
func readAllRecords(_ reader: CSVReader) throws -> [CSVTestRecord] {
    var records: [CSVTestRecord] = []
    while try reader.next() {
        records.append(CSVTestRecord(line: reader.recordLine, fields: (0..<reader.fieldCount).map { reader.string($0) }))
    }
    return records
}

struct CSVTestRecord: Equatable, CustomStringConvertible {
    var line: Int
    var fields: [String]
    var description: String { "\(line): \(fields.map { "\"\($0)\"" }.joined(separator: ","))" }
}

/// How a CSV test reads its bytes: from memory or from a temporary file, in chunks of a given size.
enum CSVSource: Sendable, CustomTestStringConvertible {
    case bytes(chunk: Int?)
    case file(chunk: Int?)

    static let all: [CSVSource] = [
        .bytes(chunk: nil), .bytes(chunk: 1), .bytes(chunk: 2), .bytes(chunk: 3), .bytes(chunk: 7),
        .file(chunk: nil), .file(chunk: 1), .file(chunk: 2), .file(chunk: 3), .file(chunk: 7),
    ]

    var testDescription: String {
        switch self {
        case .bytes(let chunk): return "bytes, chunk \(chunk.map(String.init) ?? "default")"
        case .file(let chunk): return "file, chunk \(chunk.map(String.init) ?? "default")"
        }
    }

    func reader(_ text: String, name: String = "test.csv") throws -> CSVReader {
        try reader(Array(text.utf8), name: name)
    }

    func reader(_ bytes: [UInt8], name: String = "test.csv") throws -> CSVReader {
        switch self {
        case .bytes(let chunk):
            return try CSVReader(bytes: bytes, file: name, chunkSize: chunk ?? CSVReader.chunkSize)
        case .file(let chunk):
            let url = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-csv-\(UUID().uuidString).csv")
            try Data(bytes).write(to: url)
            // The reader keeps the file open, so the name can go at once.
            defer { try? FileManager.default.removeItem(at: url) }
            return try CSVReader(path: url.path, displayName: name, chunkSize: chunk ?? CSVReader.chunkSize)
        }
    }
}
