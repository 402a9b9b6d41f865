import Foundation
import Testing

/// `--format xlsx` of compute, runs show, runs diff and advise on the bundled example: each workbook is read
/// back by an independent reader (openpyxl, scripts/xlsx_check.py) and every cell is compared with what the
/// same command prints as CSV or JSON.
@Suite struct XLSXOutputTests {
    static let folderArguments = ["--data", "examples/data", "--programs", "examples/programs"]

    @Test func computeWorkbookHoldsTheResultsCSVAndTheSummary() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("results.xlsx").path
        try WorkspaceTests.expectSuccess(["compute"] + Self.folderArguments + ["--format", "xlsx", "--output", file])
        let csv = try WorkspaceTests.expectSuccess(["compute"] + Self.folderArguments + ["--format", "csv"]).stdout
        let json = try WorkspaceTests.expectSuccess(["compute"] + Self.folderArguments + ["--format", "json"]).stdout
        try Self.checkResults(Workbook.read(file), csv: csv, json: json)
    }

    @Test func runsShowWorkbookHoldsTheStoredRun() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try WorkspaceTests.expectSuccess(["run", "--workspace", path])
        let file = folder.appendingPathComponent("run.xlsx").path
        try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", "xlsx", "--output", file, "--workspace", path])
        let csv = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", "csv", "--workspace", path]).stdout
        let json = try WorkspaceTests.expectSuccess(["runs", "show", "1", "--format", "json", "--workspace", path]).stdout
        try Self.checkResults(Workbook.read(file), csv: csv, json: json)
    }

    @Test func runsDiffWorkbookHoldsTheChangedRowsAndLines() throws {
        let (folder, path) = try WorkspaceTests.exampleWorkspace()
        defer { try? FileManager.default.removeItem(at: folder) }
        try WorkspaceTests.expectSuccess(["run", "--workspace", path])
        // The UCS rebate goes from 6% to 7%, and a booking line is corrected: rows and lines change.
        let original = try String(contentsOf: WorkspaceTests.examples.appendingPathComponent("programs/vip25-6m.yaml"), encoding: .utf8)
        let changed = folder.appendingPathComponent("vip25-6m.yaml").path
        try original.replacingOccurrences(of: "rebate_percent: 6\n", with: "rebate_percent: 7\n").write(
            toFile: changed, atomically: true, encoding: .utf8)
        try WorkspaceTests.expectSuccess(["programs", "add", changed, "--workspace", path])
        let bookings = try String(contentsOf: WorkspaceTests.examples.appendingPathComponent("data/bookings.csv"), encoding: .utf8)
        let line = try #require(bookings.split(separator: "\n").first { $0.hasPrefix("SO15-1102,1,") })
        let corrected = folder.appendingPathComponent("correction.csv").path
        try
            "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n\(line.replacingOccurrences(of: "31250.00", with: "31250.01"))\n"
            .write(toFile: corrected, atomically: true, encoding: .utf8)
        try WorkspaceTests.expectSuccess(["import", "bookings", corrected, "--workspace", path])
        try WorkspaceTests.expectSuccess(["run", "--workspace", path])

        let file = folder.appendingPathComponent("diff.xlsx").path
        try WorkspaceTests.expectSuccess(["runs", "diff", "1", "2", "--format", "xlsx", "--output", file, "--workspace", path])
        let rowsCSV = try WorkspaceTests.expectSuccess(["runs", "diff", "1", "2", "--format", "csv", "--workspace", path]).stdout
        let linesCSV = try WorkspaceTests.expectSuccess(["runs", "diff", "1", "2", "--format", "csv", "--lines", "--workspace", path]).stdout
        let json = try WorkspaceTests.expectSuccess(["runs", "diff", "1", "2", "--format", "json", "--workspace", path]).stdout
        let book = try Workbook.read(file)
        #expect(book.sheets.map(\.name) == ["Changed partners", "Changed results", "Changed lines", "Programs"])
        for sheet in book.sheets { try sheet.expectHeaderFrozenAndFiltered() }

        // Changed partners: the (program, partner) pairs of the changed rows, by partner id, with each run's
        // totals as `runs show --format json` has them and the name of partners.csv.
        let runs = try [1, 2].map { run in
            let text = try WorkspaceTests.expectSuccess(["runs", "show", String(run), "--format", "json", "--workspace", path]).stdout
            return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        }
        func totals(_ run: [String: Any], _ program: String, _ partner: String) -> [String: Any]? {
            let programs = run["programs"] as! [[String: Any]]
            let partners = programs.first { $0["id"] as? String == program }?["partners"] as? [[String: Any]] ?? []
            return partners.first { $0["partner_id"] as? String == partner }
        }
        let partnerRecords = CSVText.records(
            try String(contentsOf: WorkspaceTests.examples.appendingPathComponent("data/partners.csv"), encoding: .utf8))
        let nameColumn = try #require(partnerRecords[0].firstIndex(of: "name"))
        var names: [String: String] = [:]
        for record in partnerRecords.dropFirst() where record.count > nameColumn { names[record[0]] = record[nameColumn] }
        var pairs: [(program: String, partner: String)] = []
        for record in CSVText.records(rowsCSV).dropFirst() where !pairs.contains(where: { $0 == (record[0], record[1]) }) {
            pairs.append((record[0], record[1]))
        }
        pairs.sort {
            $0.partner != $1.partner
                ? $0.partner.utf8.lexicographicallyPrecedes($1.partner.utf8) : $0.program.utf8.lexicographicallyPrecedes($1.program.utf8)
        }
        func change(_ before: [String: Any]?, _ after: [String: Any]?, _ key: String) throws -> Workbook.Cell {
            let old = try before.map { try #require(Workbook.hundredths($0[key] as! String)) } ?? 0
            let new = try after.map { try #require(Workbook.hundredths($0[key] as! String)) } ?? 0
            return .number(new - old)
        }
        let partnerRows: [[Workbook.Cell]] = try pairs.map { pair in
            let before = totals(runs[0], pair.program, pair.partner), after = totals(runs[1], pair.program, pair.partner)
            return [
                .text(pair.program), .text(pair.partner), .text(try #require(names[pair.partner])),
                before.map { .text($0["status"] as! String) } ?? .empty, after.map { .text($0["status"] as! String) } ?? .empty,
                try before.map { try Workbook.money($0["amount"]) } ?? .empty, try after.map { try Workbook.money($0["amount"]) } ?? .empty,
                try change(before, after, "amount"),
                try before.map { try Workbook.money($0["missed_amount"]) } ?? .empty,
                try after.map { try Workbook.money($0["missed_amount"]) } ?? .empty,
                try change(before, after, "missed_amount"),
            ]
        }
        #expect(pairs.count >= 2)
        #expect(book.sheets[0].header[3] == "Status in run 1")
        try Workbook.expect(book.sheets[0].data, equal: partnerRows)

        // Changed results: the CSV's columns, typed (booleans, amounts in USD with two decimals).
        let rows = CSVText.records(rowsCSV)
        #expect(
            rows[0] == [
                "program", "partner_id", "item", "change", "eligible_before", "eligible_after", "amount_before", "amount_after",
                "amount_change", "missed_before", "missed_after", "missed_change", "checks_flipped",
            ])
        let results = book.sheets[1]
        #expect(
            results.header == [
                "Program", "Partner", "Item", "Change", "Eligible before", "Eligible after", "Paid before (USD)",
                "Paid after (USD)", "Paid change (USD)", "Missed before (USD)", "Missed after (USD)", "Missed change (USD)",
                "Checks flipped",
            ])
        #expect(results.data.count == rows.count - 1)
        #expect(results.data.count >= 2)
        for (cells, fields) in zip(results.data, rows.dropFirst()) {
            let kinds: [Workbook.Expected] = [.text, .text, .text, .text, .bool, .bool, .money, .money, .money, .money, .money, .money, .text]
            try Workbook.expect(cells, equal: fields, as: kinds)
        }

        // Changed lines: the lines CSV, text but for the import id.
        let lines = CSVText.records(linesCSV)
        let lineSheet = book.sheets[2]
        #expect(lineSheet.data.count == lines.count - 1)
        #expect(lineSheet.data.count == 1)
        for (cells, fields) in zip(lineSheet.data, lines.dropFirst()) {
            let kinds: [Workbook.Expected] = [.text, .text, .text, .text, .integer] + Array(repeating: .text, count: fields.count - 5)
            try Workbook.expect(cells, equal: fields, as: kinds)
        }

        // Programs: ids and versions as the JSON has them.
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let programs = try #require(document["programs"] as? [[String: Any]])
        #expect(book.sheets[3].data.count == programs.count)
        for (cells, program) in zip(book.sheets[3].data, programs) {
            #expect(cells[0] == .text(program["id"] as! String))
            #expect(cells[1] == (program["before"] as? Int).map { Workbook.Cell.number(Int64($0) * 100) } ?? .empty)
            #expect(cells[2] == (program["after"] as? Int).map { Workbook.Cell.number(Int64($0) * 100) } ?? .empty)
            #expect(cells[3] == Workbook.textOrEmpty((program["changes"] as? [String] ?? []).joined(separator: "; ")))
        }
    }

    /// NL1001: subtracks recommended; NL1005: an MDF program.
    @Test(arguments: [("NL1001", "2015-04-30"), ("NL1005", "2023-12-01")])
    func adviseWorkbookHoldsTheAdviceAndTheRecommendation(partner: String, day: String) throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("advice.xlsx").path
        let arguments = ["advise"] + Self.folderArguments + ["--partner", partner, "--as-of", day, "--catalogue", "examples/credentials.yaml"]
        try WorkspaceTests.expectSuccess(arguments + ["--format", "xlsx", "--output", file])
        let json = try WorkspaceTests.expectSuccess(arguments + ["--format", "json"]).stdout
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let book = try Workbook.read(file)
        for sheet in book.sheets { try sheet.expectHeaderFrozenAndFiltered() }
        let programs = try #require(document["programs"] as? [[String: Any]])
        #expect(book.sheets.first?.name == "Advice \(partner)")

        var expected: [[Workbook.Cell]] = []
        var mdf: [[Workbook.Cell]] = []
        for program in programs {
            let id = program["id"] as! String
            for subtrack in program["subtracks"] as? [[String: Any]] ?? [] {
                expected.append([
                    .text(id), .text(subtrack["path"] as! String), .any, try Workbook.decimal(subtrack["rebate_percent"] as! String),
                    (subtrack["enrolled_on"] as? String).map(Workbook.Cell.date) ?? .empty, .bool(subtrack["can_enroll"] as! Bool),
                    try Workbook.money(subtrack["qualifying_volume"]), try Workbook.money(subtrack["minimum"]), try Workbook.money(subtrack["gap"]),
                    try Workbook.money(subtrack["projected_volume"]), .bool(subtrack["minimum_met"] as! Bool),
                    (subtrack["minimum_reached_on"] as? String).map(Workbook.Cell.date) ?? .empty,
                    Workbook.textOrEmpty((subtrack["missing"] as? [String] ?? []).joined(separator: ";")),
                    try Workbook.money(subtrack["rebate_now"]), try Workbook.money(subtrack["rebate_at_projection"]),
                ])
            }
            if let entry = program["mdf"] as? [String: Any] {
                mdf.append([
                    .text(id), .text(entry["tier"] as! String), try Workbook.money(entry["qualifying_volume"]), try Workbook.money(entry["minimum"]),
                    try Workbook.money(entry["projected_volume"]), (entry["minimum_reached_on"] as? String).map(Workbook.Cell.date) ?? .empty,
                    try Workbook.money(entry["in_period_volume"]), try Workbook.money(entry["tagged_volume"]),
                    try Workbook.money(entry["untagged_volume"]), .number(Int64(entry["untagged_lines"] as! Int) * 100),
                    try Workbook.money(entry["mdf_lost"]),
                ])
            }
        }
        #expect(!expected.isEmpty)
        #expect(partner != "NL1005" || !mdf.isEmpty)
        try Workbook.expect(book.sheets[0].data, equal: expected)
        #expect(book.sheets[0].header[6] == "Volume so far (USD)")
        var next = 1
        if !mdf.isEmpty {
            #expect(book.sheets[next].name == "MDF")
            try Workbook.expect(book.sheets[next].data, equal: mdf)
            next += 1
        }

        // The recommendation: credentials, subtracks, the totals, the reasoning.
        let plan = try #require(document["recommendation"] as? [String: Any])
        #expect(partner != "NL1001" || !(plan["subtracks"] as! [String]).isEmpty)
        let sheet = book.sheets[next]
        #expect(sheet.name == "Recommendation")
        var rows: [[Workbook.Cell]] = []
        for credential in plan["credentials"] as! [String] { rows.append([.text("credential"), .text(credential), .empty, .any]) }
        for subtrack in plan["subtracks"] as! [String] { rows.append([.text("subtrack"), .text(subtrack), .any, .any]) }
        rows.append([.text("expected rebate"), .empty, try Workbook.money(plan["expected_rebate"]), .empty])
        rows.append([.text("investment"), .empty, try Workbook.money(plan["investment"]), .empty])
        rows.append([.text("net"), .empty, try Workbook.money(plan["net"]), .empty])
        rows.append([.text("horizon (periods)"), .number(Int64(plan["horizon"] as! Int) * 100), .empty, .empty])
        rows.append([.text("expected rebate over horizon"), .empty, try Workbook.money(plan["expected_rebate_over_horizon"]), .empty])
        rows.append([.text("net over horizon"), .empty, try Workbook.money(plan["net_over_horizon"]), .empty])
        for line in plan["reasoning"] as! [String] { rows.append([.text("reasoning"), .empty, .empty, .text(line)]) }
        try Workbook.expect(sheet.data, equal: rows)
    }

    @Test func aWorkbookNeedsAFile() throws {
        let run = try CLI.run(["compute"] + Self.folderArguments + ["--format", "xlsx"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("--format xlsx writes a workbook (a zip file): give --output FILE.xlsx"))
        #expect(run.stdout.isEmpty)
        // To a pipe or a file (not a terminal), `--output -` is standard output.
        let piped = try CLI.run(["compute"] + Self.folderArguments + ["--format", "xlsx", "--output", "-"])
        #expect(piped.status == 0)
        #expect(piped.stdout.hasPrefix("PK\u{3}\u{4}"))
    }

    // MARK: Results

    /// The summary sheet and one sheet per program against the results CSV (every row) and JSON (the programs'
    /// names, periods and counts).
    static func checkResults(_ book: Workbook, csv: String, json: String) throws {
        let document = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let programs = try #require(document["programs"] as? [[String: Any]])
        let records = CSVText.records(csv)
        #expect(
            records[0] == [
                "program", "kind", "partner_id", "item", "qualifying_volume", "threshold", "eligible", "amount", "missed_amount", "reasons",
            ])
        let rows = records.dropFirst()
        #expect(book.sheets.map(\.name) == ["Summary"] + programs.map { $0["id"] as! String })
        for sheet in book.sheets { try sheet.expectHeaderFrozenAndFiltered() }

        let summary = book.sheets[0]
        #expect(
            summary.header == [
                "Program", "Name", "Kind", "Currency", "Period start", "Period end", "Partners taking part", "Eligible partners",
                "Rows", "Eligible rows", "Paid (USD)", "Missed (USD)",
            ])
        var expected: [[Workbook.Cell]] = []
        for program in programs {
            let id = program["id"] as! String
            let own = rows.filter { $0[0] == id }
            let period = program["period"] as! [String: String]
            expected.append([
                .text(id), .text(program["name"] as! String), .text(program["kind"] as! String), .text(program["currency"] as! String),
                .date(period["start"]!), .date(period["end"]!), .number(Int64(program["partners_taking_part"] as! Int) * 100),
                .number(Int64(program["eligible_partners"] as! Int) * 100), .number(Int64(own.count) * 100),
                .number(Int64(own.filter { $0[6] == "true" }.count) * 100), try Workbook.money(program["amount"]),
                try Workbook.money(program["missed_amount"]),
            ])
        }
        try Workbook.expect(summary.data, equal: expected)

        var total = 0
        for (sheet, program) in zip(book.sheets.dropFirst(), programs) {
            let id = program["id"] as! String
            let currency = program["currency"] as! String
            #expect(
                sheet.header == [
                    "Partner", "Item", "Qualifying volume (\(currency))", "Threshold (\(currency))", "Eligible", "Paid (\(currency))",
                    "Missed (\(currency))", "Reasons",
                ])
            let own = rows.filter { $0[0] == id }
            #expect(sheet.data.count == own.count)
            for (cells, fields) in zip(sheet.data, own) {
                try Workbook.expect(cells, equal: Array(fields.dropFirst(2)), as: [.text, .text, .money, .money, .bool, .money, .money, .text])
                #expect(fields[1] == program["kind"] as! String)
            }
            total += own.count
        }
        #expect(total == rows.count)
        #expect(total > 10)
    }
}

/// A workbook as scripts/xlsx_check.py (openpyxl) reads it.
struct Workbook {
    enum Cell: Equatable {
        case empty
        case text(String)
        /// A number in hundredths, exactly (`1234.5` is 123450): money and counts alike.
        case number(Int64)
        /// A decimal that is not whole hundredths, as the reader's text.
        case decimalText(String)
        case date(String)
        case bool(Bool)
        /// Any value (a column the other output does not have).
        case any

        static func == (lhs: Cell, rhs: Cell) -> Bool {
            switch (lhs, rhs) {
            case (.any, _), (_, .any): return true
            case (.empty, .empty): return true
            case (.text(let a), .text(let b)), (.decimalText(let a), .decimalText(let b)), (.date(let a), .date(let b)): return a == b
            case (.number(let a), .number(let b)): return a == b
            case (.bool(let a), .bool(let b)): return a == b
            default: return false
            }
        }
    }

    struct Sheet {
        var name: String
        var freeze: String?
        var filter: String?
        var headerBold: Bool
        /// Every row, the header first; every cell with its number format.
        var rows: [[Cell]]
        var formats: [[String?]]

        var header: [String] { rows.first?.map { if case .text(let text) = $0 { return text } else { return "?" } } ?? [] }
        var data: [[Cell]] { Array(rows.dropFirst()) }

        /// A bold header frozen above the rows, an autofilter over all of them; money `#,##0.00`, dates as dates.
        func expectHeaderFrozenAndFiltered() throws {
            #expect(headerBold, "\(name): header not bold")
            #expect(freeze == "A2", "\(name): header not frozen")
            let width = rows.first?.count ?? 0
            #expect(filter == "A1:\(Self.column(width - 1))\(rows.count)", "\(name): autofilter \(filter ?? "none")")
            for (rowIndex, row) in data.enumerated() {
                for (index, cell) in row.enumerated() {
                    let format = formats[rowIndex + 1][index]
                    if case .date = cell { #expect(format == "yyyy\\-mm\\-dd", "\(name) row \(rowIndex + 2): \(format ?? "")") }
                    // Amounts are the columns whose header names a currency.
                    if case .number = cell, header[index].hasSuffix("(USD)") {
                        #expect(format == "#,##0.00", "\(name) \(header[index]) row \(rowIndex + 2): \(format ?? "")")
                    }
                }
            }
        }

        static func column(_ index: Int) -> String {
            var index = index + 1
            var letters = ""
            while index > 0 {
                letters = String(UnicodeScalar(UInt8(65 + (index - 1) % 26))) + letters
                index = (index - 1) / 26
            }
            return letters
        }
    }

    var sheets: [Sheet]

    static func read(_ path: String) throws -> Workbook {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", CLI.packageRoot.appendingPathComponent("scripts/xlsx_check.py").path, path]
        let out = path + ".json"
        _ = FileManager.default.createFile(atPath: out, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        try #require(process.terminationStatus == 0, "scripts/xlsx_check.py failed; it needs python3 with openpyxl (python3 -m pip install openpyxl)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        var sheets: [Sheet] = []
        for sheet in document["sheets"] as! [[String: Any]] {
            let raw = sheet["rows"] as! [[Any]]
            sheets.append(
                Sheet(
                    name: sheet["name"] as! String, freeze: sheet["freeze"] as? String, filter: sheet["filter"] as? String,
                    headerBold: sheet["header_bold"] as? Bool ?? false, rows: try raw.map { try $0.map(cell) },
                    formats: raw.map { $0.map { ($0 as? [String: Any])?["f"] as? String } }))
        }
        return Workbook(sheets: sheets)
    }

    static func cell(_ value: Any) throws -> Cell {
        guard let value = value as? [String: Any], let type = value["t"] as? String else { return .empty }
        switch type {
        case "s": return .text(value["v"] as! String)
        case "d": return .date(value["v"] as! String)
        case "b": return .bool(value["v"] as! Bool)
        case "n":
            let text = value["v"] as! String
            return hundredths(text).map(Cell.number) ?? .decimalText(text)
        default: throw CellError(description: "unknown cell type \(type)")
        }
    }

    struct CellError: Error, CustomStringConvertible { var description: String }

    /// `1234.5` -> 123450, `-0.05` -> -5, `7` -> 700; nil when not whole hundredths. Decimal text, never a float.
    static func hundredths(_ text: String) -> Int64? {
        var digits = text
        let negative = digits.hasPrefix("-")
        if negative { digits.removeFirst() }
        let parts = digits.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = Int64(parts[0]) else { return nil }
        var fraction = parts.count == 2 ? String(parts[1]) : ""
        while fraction.count > 2 && fraction.hasSuffix("0") { fraction.removeLast() }
        guard fraction.count <= 2, fraction.allSatisfy(\.isNumber) else { return nil }
        fraction += String(repeating: "0", count: 2 - fraction.count)
        let value = whole * 100 + Int64(fraction)!
        return negative ? -value : value
    }

    /// A money string of the JSON (`"1234.50"`) as the cell the workbook must hold.
    static func money(_ value: Any?) throws -> Cell {
        let text = try #require(value as? String)
        return .number(try #require(hundredths(text), "not money: \(text)"))
    }

    /// A rate (`"6"`, `"1.5"`, `"0.125"`) as the reader would show it.
    static func decimal(_ text: String) throws -> Cell {
        if let value = hundredths(text) { return .number(value) }
        return .decimalText(text)
    }

    static func textOrEmpty(_ text: String) -> Cell { text.isEmpty ? .empty : .text(text) }

    enum Expected { case text, money, bool, integer }

    /// Cells against CSV fields read as the given kinds (an empty field is an empty cell).
    static func expect(_ cells: [Cell], equal fields: [String], as kinds: [Expected]) throws {
        #expect(kinds.count == fields.count)
        var expected: [Cell] = []
        for (field, kind) in zip(fields, kinds) {
            if field.isEmpty {
                expected.append(.empty)
                continue
            }
            switch kind {
            case .text: expected.append(.text(field))
            case .money: expected.append(.number(try #require(hundredths(field), "not money: \(field)")))
            case .integer: expected.append(.number(try #require(Int64(field)) * 100))
            case .bool: expected.append(.bool(field == "true"))
            }
        }
        try expect([cells], equal: [expected])
    }

    /// Row by row, cell by cell; a missing trailing cell is an empty one.
    static func expect(_ rows: [[Cell]], equal expected: [[Cell]]) throws {
        #expect(rows.count == expected.count, "rows: \(rows.count), expected \(expected.count)")
        for (index, (row, wanted)) in zip(rows, expected).enumerated() {
            let width = max(row.count, wanted.count)
            let padded = row + Array(repeating: .empty, count: width - row.count)
            let paddedWanted = wanted + Array(repeating: .empty, count: width - wanted.count)
            #expect(padded == paddedWanted, "row \(index + 2)")
        }
    }
}

/// RFC 4180 records (quoted fields with doubled quotes and line breaks).
enum CSVText {
    static func records(_ text: String) -> [[String]] {
        var records: [[String]] = []
        var record: [String] = []
        var field = ""
        var quoted = false
        var characters = Array(text).makeIterator()
        var pending: Character? = nil
        func next() -> Character? {
            if let character = pending {
                pending = nil
                return character
            }
            return characters.next()
        }
        while let character = next() {
            if quoted {
                if character == "\"" {
                    if let following = next() {
                        if following == "\"" {
                            field.append("\"")
                        } else {
                            quoted = false
                            pending = following
                        }
                    } else {
                        quoted = false
                    }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                record.append(field)
                field = ""
            } else if character == "\n" {
                record.append(field)
                records.append(record)
                record = []
                field = ""
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !record.isEmpty {
            record.append(field)
            records.append(record)
        }
        return records
    }
}
