import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveServer
import IncentiveStore
import NIOCore
import Testing

/// Issue 16 point 5: the import page's "Preview" shows what an upload would add, change and retire, with
/// its warnings, writes nothing, and its "Import" imports exactly the file previewed, once, for the
/// session that previewed it.
@Suite struct ImportPreviewPageTests {
    /// A multipart form with `fields` (name, value) and, when given, a file part `file`.
    static func multipart(_ fields: [(String, String)], file: (name: String, content: String)? = nil) -> ByteBuffer {
        var body = ""
        for (name, value) in fields { body += "------b\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n" }
        if let file {
            body +=
                "------b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(file.name)\"\r\nContent-Type: text/csv\r\n\r\n\(file.content)\r\n"
        }
        body += "------b--\r\n"
        return ByteBuffer(string: body)
    }

    static func headers(_ jar: CookieJar) -> HTTPFields {
        var headers = jar.header
        headers[.contentType] = "multipart/form-data; boundary=----b"
        return headers
    }

    static func bookings(_ workspace: Workspace) throws -> Int? { try workspace.status().rows.first { $0.kind == .bookings }?.count }

    /// Issue 18: a workbook uploaded on the page (whatever the browser calls it) is read as a workbook: its
    /// preview and its import are those of the example's bookings, all unchanged.
    @Test func aWorkbookUploadIsPreviewedAndImported() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let workbook = try Data(contentsOf: Fixture.examples.appendingPathComponent("excel-nl/xlsx/bookings.xlsx"))
        @Sendable func form(_ csrf: String, action: String) -> ByteBuffer {
            var body = ByteBuffer()
            for (name, value) in [("csrf", csrf), ("kind", "bookings"), ("action", action)] {
                body.writeString("------b\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n")
            }
            body.writeString(
                "------b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"export\"\r\nContent-Type: application/octet-stream\r\n\r\n")
            body.writeBytes(workbook)
            body.writeString("\r\n------b--\r\n")
            return body
        }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let page = try await client.execute(uri: "/imports", method: .get, headers: jar.header)
            let csrf = try #require(page.csrf)
            let preview = try await client.execute(uri: "/imports", method: .post, headers: Self.headers(jar), body: form(csrf, action: "preview"))
            #expect(preview.status == .ok)
            #expect(preview.text.contains("<p>66 rows, 0 added, 0 changed, 66 unchanged</p>"), "\(preview.text.prefix(4000))")
            let imported = try await client.execute(uri: "/imports", method: .post, headers: Self.headers(jar), body: form(csrf, action: "import"))
            #expect(imported.status == .ok)
            #expect(imported.text.contains("66 rows, 0 added, 0 changed, 66 unchanged"))
        }
        #expect(try Self.bookings(fixture.workspace) == 66)
        #expect(try fixture.workspace.importLog().map(\.summary.file).contains("upload:export!Sheet1"))
    }

    @Test func aPreviewListsTheChangesThenImportImportsThatFile() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let original = try String(contentsOf: Fixture.examples.appendingPathComponent("data/bookings.csv"), encoding: .utf8)
        let line = "SO15-1001,1,NL1001,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.00,USD,\n"
        #expect(original.contains(line))
        let csv =
            original.replacingOccurrences(of: line, with: "SO15-1001,1,NL1002,2015-01-25,2015-02-10,UCS-B200M4-U,3,24000.00,USD,\n")
            + "U1,1,NL1001,2015-03-01,,UCS-C240M4SX,1,100.00,USD,\n"
        let logBefore = try fixture.workspace.importLog().count
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let page = try await client.execute(uri: "/imports", method: .get, headers: jar.header)
            #expect(page.text.contains("<button name=\"action\" value=\"preview\">Preview</button>"))
            let csrf = try #require(page.csrf)
            let preview = try await client.execute(
                uri: "/imports", method: .post, headers: Self.headers(jar),
                body: Self.multipart([("csrf", csrf), ("kind", "bookings"), ("action", "preview")], file: ("week48.csv", csv)))
            #expect(preview.status == .ok)
            let text = preview.text
            #expect(text.contains("<h2>What importing upload:week48.csv would do</h2>"))
            #expect(text.contains("<p>67 rows, 1 added, 1 changed, 65 unchanged</p>"))
            #expect(
                text.contains(
                    "<tr><td>added</td><td><code>U1/1</code></td><td>order_id U1, line 1, partner_id NL1001, booked_on 2015-03-01, sku UCS-C240M4SX, quantity 1, amount 100.00, currency USD</td></tr>"
                ))
            #expect(text.contains("<tr><td>changed</td><td><code>SO15-1001/1</code></td><td>partner_id NL1001 -&gt; NL1002</td></tr>"))
            #expect(
                text.contains("<li>upload:week48.csv:2: warning: order SO15-1001/1 moves from partner NL1001 to NL1002 (24,000.00 USD)</li>"))
            #expect(!text.contains("Imported:"))
            // Nothing written yet.
            #expect(try Self.bookings(fixture.workspace) == 66)
            #expect(try fixture.workspace.importLog().count == logBefore)

            let tokenStart = try #require(text.range(of: #"name="preview" value=""#))
            let token = String(text[tokenStart.upperBound...].prefix { $0 != "\"" })
            #expect(token.count == 64)
            // The form keeps CSRF: without the session's token, nothing happens.
            let forged = try await client.execute(
                uri: "/imports", method: .post, headers: Self.headers(jar), body: Self.multipart([("csrf", "forged"), ("preview", token)]))
            #expect(forged.status == .forbidden)
            // Another session (the same admin signed in elsewhere) cannot import this session's preview.
            let (other, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let otherPage = try await client.execute(uri: "/imports", method: .get, headers: other.header)
            let otherCSRF = try #require(otherPage.csrf)
            let elsewhere = try await client.execute(
                uri: "/imports", method: .post, headers: Self.headers(other), body: Self.multipart([("csrf", otherCSRF), ("preview", token)]))
            #expect(elsewhere.status == .unprocessableContent)
            #expect(elsewhere.text.contains("This preview is gone"))
            #expect(try Self.bookings(fixture.workspace) == 66)

            let imported = try await client.execute(
                uri: "/imports", method: .post, headers: Self.headers(jar), body: Self.multipart([("csrf", csrf), ("preview", token)]))
            #expect(imported.status == .ok)
            #expect(imported.text.contains("Imported: upload:week48.csv: 67 rows, 1 added, 1 changed, 65 unchanged"))
            #expect(
                imported.text.contains(
                    "<li>upload:week48.csv:2: warning: order SO15-1001/1 moves from partner NL1001 to NL1002 (24,000.00 USD)</li>"))
            #expect(try Self.bookings(fixture.workspace) == 67)
            #expect(try fixture.workspace.historyCounts()[.bookings] == 1)
            // Taken once: the same preview cannot be imported twice.
            let again = try await client.execute(
                uri: "/imports", method: .post, headers: Self.headers(jar), body: Self.multipart([("csrf", csrf), ("preview", token)]))
            #expect(again.status == .unprocessableContent)
            #expect(again.text.contains("This preview is gone"))
        }
        #expect(try fixture.workspace.importLog().count == logBefore + 1)
    }

    /// A preview of a bad file lists its problems as an upload does, and keeps nothing.
    @Test func aPreviewOfABadFileListsItsProblems() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let page = try await client.execute(uri: "/imports", method: .get, headers: jar.header)
            let csrf = try #require(page.csrf)
            let csv = "order_id,line,partner_id,booked_on,sku,amount,currency\nU1,1,NL1001,2015-03-01,UCS-C240M4SX,\"12,50\",USD\n"
            let preview = try await client.execute(
                uri: "/imports", method: .post, headers: Self.headers(jar),
                body: Self.multipart([("csrf", csrf), ("kind", "bookings"), ("action", "preview")], file: ("bad.csv", csv)))
            #expect(preview.status == .unprocessableContent)
            #expect(preview.text.contains("<td>upload:bad.csv</td><td class=\"num\">2</td><td>amount</td><td><code>12,50</code></td>"))
            #expect(!preview.text.contains("name=\"preview\""))
        }
        #expect(try Self.bookings(fixture.workspace) == 66)
    }
}
