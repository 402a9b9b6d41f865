import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveEngine
import IncentiveStore
import NIOCore
import Testing

@testable import IncentiveServer

/// The API's workbooks: a run's results (`format=xlsx`, the access rules of the CSV: a partner user gets its own
/// rows only) and a runs diff (admins). Each is read back with openpyxl (scripts/xlsx_check.py) and compared
/// with the CSV of the same route.
@Suite struct XLSXDownloadTests {
    static let contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    /// Every sheet's rows as `t:v` texts (`""` for an empty cell), the header first.
    static func read(_ body: ByteBuffer) throws -> [(name: String, rows: [[String]])] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("xlsx-download-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("book.xlsx")
        try Data(body.readableBytesView).write(to: file)
        let out = folder.appendingPathComponent("out.json")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        let handle = try FileHandle(forWritingTo: out)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Fixture.packageRoot.appendingPathComponent("scripts/xlsx_check.py").path, file.path]
        process.standardOutput = handle
        try process.run()
        process.waitUntilExit()
        try handle.close()
        try #require(process.terminationStatus == 0, "scripts/xlsx_check.py failed; it needs python3 with openpyxl")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: out)) as? [String: Any])
        return (document["sheets"] as! [[String: Any]]).map { sheet in
            let rows = (sheet["rows"] as! [[Any]]).map { row in
                row.map { cell -> String in
                    guard let cell = cell as? [String: Any], let type = cell["t"] as? String else { return "" }
                    if type == "b" { return "b:\(cell["v"] as! Bool)" }
                    return "\(type):\(cell["v"] as! String)"
                }
            }
            return (sheet["name"] as! String, rows)
        }
    }

    /// `1234.5` (the reader's number) -> `1234.50` (the CSV's), exactly.
    static func twoDecimals(_ text: String) -> String {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        let fraction = parts.count == 2 ? String(parts[1]) : ""
        return String(parts[0]) + "." + (fraction + "00").prefix(2)
    }

    /// The program sheets' rows as results CSV lines (program and kind from the sheet and the CSV).
    static func csvLines(_ sheets: [(name: String, rows: [[String]])], kinds: [String: String]) -> [String] {
        var lines: [String] = []
        for sheet in sheets.dropFirst() {
            for row in sheet.rows.dropFirst() {
                func text(_ cell: String) -> String { cell.hasPrefix("s:") ? String(cell.dropFirst(2)) : cell }
                func money(_ cell: String) -> String { twoDecimals(String(cell.dropFirst(2))) }
                let fields = [
                    sheet.name, kinds[sheet.name] ?? "?", text(row[0]), text(row[1]), money(row[2]), money(row[3]),
                    row[4] == "b:true" ? "true" : "false", money(row[5]), money(row[6]), text(row[7]),
                ]
                lines.append(fields.joined(separator: ","))
            }
        }
        return lines
    }

    @Test func runResultsAsAWorkbookHoldTheCSVsRows() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let csv = try await client.execute(uri: "/api/v1/runs/1/results?format=csv", method: .get, headers: Fixture.headers(fixture.admin))
            let book = try await client.execute(uri: "/api/v1/runs/1/results?format=xlsx", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(book.status == .ok)
            #expect(book.headers[.contentType] == Self.contentType)
            #expect(book.headers[.contentDisposition] == "attachment; filename=\"run-1-results.xlsx\"")
            let sheets = try Self.read(book.body)
            let csvLines = csv.text.split(separator: "\n").dropFirst().map(String.init)
            var kinds: [String: String] = [:]
            for line in csvLines {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                kinds[String(fields[0])] = String(fields[1])
            }
            #expect(sheets.map(\.name) == ["Summary"] + kinds.keys.sorted())
            #expect(Self.csvLines(sheets, kinds: kinds) == csvLines)
            #expect(csvLines.count > 10)

            // One program only, as with the CSV.
            let one = try await client.execute(
                uri: "/api/v1/runs/1/results?format=xlsx&program=VIP25-6M", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(try Self.read(one.body).map(\.name) == ["Summary", "VIP25-6M"])
        }
    }

    @Test func aPartnerUserGetsOnlyItsOwnRows() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let anonymous = try await client.execute(uri: "/api/v1/runs/1/results?format=xlsx", method: .get)
            #expect(anonymous.status == .unauthorized)
            let other = try await client.execute(
                uri: "/api/v1/runs/1/results?format=xlsx&partner=NL1002", method: .get, headers: Fixture.headers(fixture.partner))
            #expect(other.status == .notFound)
            let own = try await client.execute(uri: "/api/v1/runs/1/results?format=xlsx", method: .get, headers: Fixture.headers(fixture.partner))
            #expect(own.status == .ok)
            #expect(own.headers[.contentDisposition] == "attachment; filename=\"run-1-results-NL1001.xlsx\"")
            let sheets = try Self.read(own.body)
            // Every row of every program sheet is NL1001's, and they are exactly its rows of the golden results.
            let golden = try String(contentsOf: Fixture.examples.appendingPathComponent("expected/results.csv"), encoding: .utf8)
            let goldenLines = golden.split(separator: "\n").dropFirst().map(String.init)
            var kinds: [String: String] = [:]
            for line in goldenLines {
                let fields = line.split(separator: ",", omittingEmptySubsequences: false)
                kinds[String(fields[0])] = String(fields[1])
            }
            let lines = Self.csvLines(sheets, kinds: kinds)
            #expect(!lines.isEmpty)
            #expect(lines == goldenLines.filter { $0.contains(",NL1001,") })
            let everyone = try await client.execute(uri: "/api/v1/runs/1/results?format=xlsx", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(try Self.read(everyone.body).flatMap(\.rows).contains { $0.contains("s:NL1002") })
            #expect(!sheets.flatMap(\.rows).contains { $0.contains("s:NL1002") })
        }
    }

    @Test func theRunsDiffIsForAdmins() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        // A second run after a booking line of NL1001 is corrected: its rows change.
        let bookings = try String(contentsOf: Fixture.examples.appendingPathComponent("data/bookings.csv"), encoding: .utf8)
        let line = try #require(bookings.split(separator: "\n").first { $0.hasPrefix("SO15-1102,1,") })
        let file = fixture.folder.appendingPathComponent("bookings.csv").path
        try
            "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n\(line.replacingOccurrences(of: "31250.00", with: "31250.01"))\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        _ = try fixture.workspace.importFile(.bookings, path: file)
        _ = try fixture.workspace.run()
        try await fixture.serve { client in
            let uri = "/api/v1/runs/2/diff?since=1&format=xlsx"
            #expect(try await client.execute(uri: uri, method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: uri, method: .get, headers: Fixture.headers(fixture.partner)).status == .forbidden)
            #expect(
                try await client.execute(uri: "/api/v1/runs/2/diff?format=xlsx", method: .get, headers: Fixture.headers(fixture.admin)).status
                    == .badRequest)
            #expect(
                try await client.execute(uri: "/api/v1/runs/2/diff?since=9&format=xlsx", method: .get, headers: Fixture.headers(fixture.admin))
                    .status == .notFound)
            #expect(
                try await client.execute(uri: "/api/v1/runs/2/diff?since=1&format=pdf", method: .get, headers: Fixture.headers(fixture.admin))
                    .status == .badRequest)
            let book = try await client.execute(uri: uri, method: .get, headers: Fixture.headers(fixture.admin))
            #expect(book.status == .ok)
            #expect(book.headers[.contentType] == Self.contentType)
            let csv = try await client.execute(uri: "/api/v1/runs/2/diff?since=1&format=csv", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            let sheets = try Self.read(book.body)
            #expect(sheets.map(\.name) == ["Changed partners", "Changed results", "Changed lines", "Programs"])
            // Program, partner, item and change of every changed row, as the CSV lists them.
            let csvKeys = csv.text.split(separator: "\n").dropFirst().map { $0.split(separator: ",").prefix(4).joined(separator: ",") }
            let sheetKeys = sheets[1].rows.dropFirst().map { $0.prefix(4).map { String($0.dropFirst(2)) }.joined(separator: ",") }
            #expect(!csvKeys.isEmpty)
            #expect(sheetKeys == csvKeys)
            #expect(sheets[2].rows.count == 2)
            #expect(Array(sheets[2].rows[1].prefix(4)) == ["s:SO15-1102", "s:1", "s:changed", "s:" + (line.split(separator: ",")[2])])
            #expect(sheets[2].rows[1][4].hasPrefix("n:"))
            // The changed pairs: those of the changed rows.
            let pairs = Set(csvKeys.map { $0.split(separator: ",").prefix(2).joined(separator: ",") })
            #expect(Set(sheets[0].rows.dropFirst().map { $0.prefix(2).map { String($0.dropFirst(2)) }.joined(separator: ",") }) == pairs)
            let json = try await client.execute(uri: "/api/v1/runs/2/diff?since=1", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(try json.json()["data_changed"] as? Bool == true)
        }
    }

    /// The run page links its downloads; followed with the page's session cookie, the partner user's link gives its
    /// own rows only. The diff page (admins) links the diff's.
    @Test func thePagesLinkTheDownloads() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        _ = try fixture.workspace.run()
        try await fixture.serve { client in
            let (partner, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            let page = try await client.execute(uri: "/runs/1", method: .get, headers: partner.header)
            #expect(page.status == .ok)
            let link = "/api/v1/runs/1/results?format=xlsx"
            #expect(page.text.contains("<a href=\"\(link)\" download>XLSX</a>"))
            #expect(page.text.contains("<a href=\"/api/v1/runs/1/results?format=csv\" download>CSV</a>"))
            let book = try await client.execute(uri: link, method: .get, headers: partner.header)
            #expect(book.status == .ok)
            let rows = try Self.read(book.body).dropFirst().flatMap { $0.rows.dropFirst() }
            #expect(!rows.isEmpty)
            #expect(rows.allSatisfy { $0.first == "s:NL1001" })
            #expect(
                try await client.execute(uri: "/api/v1/runs/2/diff?since=1&format=xlsx", method: .get, headers: partner.header).status == .forbidden)

            let (admin, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let diff = try await client.execute(uri: "/runs?a=1&b=2", method: .get, headers: admin.header)
            #expect(diff.text.contains("<a href=\"/api/v1/runs/2/diff?since=1&amp;format=xlsx\" download>XLSX</a>"))
            let workbook = try await client.execute(uri: "/api/v1/runs/2/diff?since=1&format=xlsx", method: .get, headers: admin.header)
            #expect(workbook.status == .ok)
            #expect(try Self.read(workbook.body).map(\.name) == ["Changed partners", "Changed results", "Programs"])
        }
    }
}
