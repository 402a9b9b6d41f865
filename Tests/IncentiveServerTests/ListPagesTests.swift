import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveEngine
import IncentiveServer
import IncentiveStore
import IncentiveSynthetic
import NIOCore
import Testing

/// The lists of the pages at a size where they must be paginated: a generated workspace of a few
/// thousand partners and two runs, every list checked against an order worked out here from the
/// stored runs (`runResult`, `diffRuns`), and every page's size.
@Suite struct ListPagesTests {
    static let maxPageSize = 300_000
    static let session = "lists-session-secret"

    /// A generated workspace (3,000 partners, two runs: the second after a large booking for the first
    /// 400 partners), an admin session and a partner user's session.
    struct Big {
        let folder: URL
        let workspace: Workspace

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-lists-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let generated = folder.appendingPathComponent("generated").path
            try DatasetGenerator(partners: 3_000, lines: 15_000, seed: 13).write(to: generated)
            workspace = try Workspace.create(at: folder.appendingPathComponent("w.sqlite").path)
            for name in try FileManager.default.contentsOfDirectory(atPath: "\(generated)/programs").sorted() {
                _ = try workspace.addProgram(file: "\(generated)/programs/\(name)")
            }
            _ = try workspace.importFolder("\(generated)/data")
            _ = try workspace.run()
            var csv = "order_id,line,partner_id,booked_on,sku,amount,currency\n"
            for index in 1...400 { csv += "XL\(index),1,P\(String(format: "%06d", index)),2015-03-02,UCS-C240-M4SX,\(index * 1_000).37,USD\n" }
            let extra = folder.appendingPathComponent("extra.csv")
            try csv.write(to: extra, atomically: true, encoding: .utf8)
            _ = try workspace.importFile(.bookings, path: extra.path, displayName: "extra.csv")
            _ = try workspace.run()
            try workspace.addUser(User(name: "ada", role: .admin, partnerID: nil, passwordHash: Accounts.hashPassword("admin-secret", cost: 4)))
            try workspace.addUser(User(name: "p1", role: .partner, partnerID: "P000001", passwordHash: Accounts.hashPassword("partner-secret", cost: 4)))
            try workspace.addSession(hash: Accounts.digest(session), user: "ada", csrfToken: "csrf", expires: Date().addingTimeInterval(3_600))
            try workspace.addSession(
                hash: Accounts.digest("partner-" + session), user: "p1", csrfToken: "csrf", expires: Date().addingTimeInterval(3_600))
        }

        func serve(_ test: @Sendable (any TestClientProtocol) async throws -> Void) async throws {
            let options = ServerOptions(host: "127.0.0.1", port: 0)
            try await IncentivesServer.application(workspace: workspace, options: options).test(.live, test)
        }

        func remove() { try? FileManager.default.removeItem(at: folder) }

        /// Every partner taking part in `program` in `run`: id, name, status, paid and missed cents.
        func standings(run: Int, program: String) throws -> [Standing] {
            let names = Dictionary(uniqueKeysWithValues: try workspace.partners(offset: 0, limit: 10_000).items.map { ($0.id, $0.name) })
            let result = try workspace.runResult(run).result
            let programResult = try #require(result.programs.first { $0.program.id == program })
            return programResult.partners.filter(\.takesPart).map {
                Standing(id: $0.partnerID, name: names[$0.partnerID] ?? "", status: $0.status.rawValue, paid: $0.amount.cents, missed: $0.missedAmount.cents)
            }
        }
    }

    struct Standing: Equatable {
        var id, name, status: String
        var paid, missed: Int64
    }

    static let admin: HTTPFields = [.cookie: "incentives_session=\(session)"]
    static let partnerUser: HTTPFields = [.cookie: "incentives_session=partner-\(session)"]

    /// `1,234.56` / `+1,234.56` / `-0.01` -> cents.
    static func cents(_ text: String) -> Int64? {
        let digits = text.filter { $0 != "," && $0 != "." && $0 != "+" }
        return Int64(digits)
    }

    /// The rows of a page's partner list: id, status, paid and missed cents.
    static func listed(_ html: String) -> [(id: String, status: String, paid: Int64, missed: Int64)] {
        let row = /<tr><td><a href="\/partners\/([^"]+)">[^<]*<\/a><\/td><td>[^<]*<\/td><td><span class="status ([a-z_]+)">[^<]*<\/span><\/td><td class="num">([^<]*)<\/td><td class="num">([^<]*)<\/td><\/tr>/
        return html.matches(of: row).map { match in
            (String(match.output.1), String(match.output.2), cents(String(match.output.3)) ?? -1, cents(String(match.output.4)) ?? -1)
        }
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, _ headers: HTTPFields = admin) async throws -> TestResponse {
        let response = try await client.execute(uri: uri, method: .get, headers: headers)
        #expect(response.body.readableBytes < maxPageSize, "\(uri): \(response.body.readableBytes) bytes")
        return response
    }

    /// Largest first, ties by id (the lists' order for `sort=paid` and `sort=missed`).
    static func largestFirst(_ list: [Standing], _ amount: KeyPath<Standing, Int64>) -> [Standing] {
        list.sorted { ($0[keyPath: amount], $1.id) > ($1[keyPath: amount], $0.id) }
    }

    @Test func everyListAtSizeIsPaginatedSortedAndSmall() async throws {
        let big = try Big()
        defer { big.remove() }
        let vip = try big.standings(run: 2, program: "GEN-VIP-6M")
        let mdf = try big.standings(run: 2, program: "GEN-MDF")
        #expect(vip.count > 1_000)
        try await big.serve { client in
            // The overview: the totals, histograms, the ten largest, and no list of everyone.
            let overview = try await Self.get(client, "/")
            #expect(overview.status == .ok)
            let text = overview.text
            #expect(text.contains("All \(vip.count) partners"))
            #expect(text.contains(#"<a href="/programs/GEN-VIP-6M#partners">"#))
            #expect(Self.listed(text).isEmpty)
            let card = try #require(text.components(separatedBy: "<div class=\"card\">").first { $0.contains(">GEN-VIP-6M</a>") })
            let largestPaid = try #require(card.components(separatedBy: "<h3>Largest paid</h3>").last?.components(separatedBy: "</table>").first)
            let paidIDs = largestPaid.matches(of: /<a href="\/partners\/([^"]+)">/).map { String($0.output.1) }
            #expect(paidIDs == Self.largestFirst(vip.filter { $0.paid > 0 }, \.paid).prefix(10).map(\.id))
            // The histogram of paid amounts: partners with an amount, by decade of whole dollars, counted here.
            let paid = vip.map(\.paid).filter { $0 > 0 }
            let label = try #require(card.firstMatch(of: /aria-label="Partners by amount paid \(USD\): ([^"]*)"/)?.output.1)
            var decades: [(String, Int)] = []
            var (from, below): (Int64, Int64) = (1, 1_000)
            let grouped = { (cents: Int64) -> String in
                var digits = String(cents / 100)
                for index in stride(from: digits.count - 3, to: 0, by: -3) { digits.insert(",", at: digits.index(digits.startIndex, offsetBy: index)) }
                return digits
            }
            while let largest = paid.max() {
                let last = largest < below
                let count = paid.filter { $0 >= from && (last || $0 < below) }.count
                decades.append((last ? "≥ \(grouped(from))" : "\(grouped(from))–\(grouped(below))", count))
                if last { break }
                (from, below) = (below, below * 10)
            }
            #expect(String(label) == decades.map { "\($0.0): \($0.1)" }.joined(separator: "; "))
            #expect(decades.map(\.1).reduce(0, +) == paid.count)

            // The program page: its partners in the latest run, 50 a page, sorted and searched.
            let pages = (vip.count + 49) / 50
            let byID = vip.sorted { $0.id < $1.id }
            let first = try await Self.get(client, "/programs/GEN-VIP-6M")
            #expect(first.text.contains("Partners in run 2 ("))
            #expect(first.text.contains("Page 1 of \(pages)"))
            #expect(Self.listed(first.text).map(\.id) == byID.prefix(50).map(\.id))
            #expect(first.text.contains(#"<a href="/programs/GEN-VIP-6M?page=2" rel="next">"#))
            let second = try await Self.get(client, "/programs/GEN-VIP-6M?sort=paid&page=2")
            let byPaid = Self.largestFirst(vip, \.paid)
            #expect(Self.listed(second.text).map(\.paid) == byPaid[50..<100].map(\.paid))
            #expect(Self.listed(second.text).map(\.id) == byPaid[50..<100].map(\.id))
            #expect(second.text.contains("Page 2 of \(pages)"))
            #expect(second.text.contains(#"<a href="/programs/GEN-VIP-6M?sort=paid" rel="prev">"#))
            #expect(second.text.contains(#"<a href="/programs/GEN-VIP-6M?sort=paid&amp;page=3" rel="next">"#))
            // Sort links start again at page 1 and keep the search; the search form keeps the sort.
            #expect(second.text.contains(#"<a href="/programs/GEN-VIP-6M?sort=missed">Missed</a>"#))
            #expect(second.text.contains(#"<input type="hidden" name="sort" value="paid">"#))
            let missedPage = try await Self.get(client, "/programs/GEN-VIP-6M?sort=missed")
            #expect(Self.listed(missedPage.text).map(\.missed) == Self.largestFirst(vip, \.missed).prefix(50).map(\.missed))

            // A search by id prefix, case-insensitive, and by name prefix.
            let byPrefix = byID.filter { $0.id.lowercased().hasPrefix("p00012") || $0.name.lowercased().hasPrefix("p00012") }
            let searched = try await Self.get(client, "/programs/GEN-VIP-6M?q=p00012&sort=missed")
            #expect(Set(Self.listed(searched.text).map(\.id)) == Set(byPrefix.map(\.id)))
            #expect(searched.text.contains(#"<a href="/programs/GEN-VIP-6M?q=p00012">Partner</a>"#))
            #expect(searched.text.contains(#"<input name="q" value="p00012""#))
            let named = try #require(vip.first { $0.name.prefix(5).allSatisfy { $0.isASCII && $0.isLetter } })
            let prefix = String(named.name.prefix(5))
            let sameName = byID.filter { $0.id.lowercased().hasPrefix(prefix.lowercased()) || $0.name.lowercased().hasPrefix(prefix.lowercased()) }
            let byName = try await Self.get(client, "/programs/GEN-VIP-6M?q=\(prefix.uppercased())")
            #expect(Self.listed(byName.text).map(\.id) == sameName.prefix(50).map(\.id))
            #expect(byName.text.contains("Page 1 of \((sameName.count + 49) / 50)"))

            // Past the end: an empty list with the pager, leading back to the last page.
            let past = try await Self.get(client, "/programs/GEN-VIP-6M?page=\(pages + 5)")
            #expect(past.status == .ok)
            #expect(Self.listed(past.text).isEmpty)
            #expect(past.text.contains("Page \(pages + 5) of \(pages)"))
            #expect(past.text.contains(#"<a href="/programs/GEN-VIP-6M?page=\#(pages)" rel="prev">"#))

            // The run page: another program of the first run, by missed.
            let runMDF = try big.standings(run: 1, program: "GEN-MDF")
            let run = try await Self.get(client, "/runs/1?program=GEN-MDF&sort=missed&page=2")
            #expect(run.status == .ok)
            #expect(run.text.contains("<h1>Run 1</h1>"))
            #expect(Self.listed(run.text).map(\.missed) == Array(Self.largestFirst(runMDF, \.missed).dropFirst(50).prefix(50).map(\.missed)))
            #expect(run.text.contains(#"<a href="/runs/1?program=GEN-MDF&amp;sort=missed" rel="prev">"#))
            #expect(run.text.contains(#"<input type="hidden" name="program" value="GEN-MDF">"#))
            let runDefault = try await Self.get(client, "/runs/2")
            let firstProgram = try #require(try big.workspace.runSummary(2).programs.first?.id)
            #expect(Self.listed(runDefault.text).map(\.id) == (try big.standings(run: 2, program: firstProgram)).sorted { $0.id < $1.id }.prefix(50).map(\.id))
            #expect(mdf.count > 0)

            // The runs diff: the header and the changed pairs, by the largest change of paid.
            let pairs = Set(try big.workspace.diffRuns(1, 2).rows.map { "\($0.program) \($0.partnerID)" })
            let before = try big.workspace.runResult(1).result, after = try big.workspace.runResult(2).result
            func paidIn(_ result: ComputeResult, _ pair: String) -> Int64 {
                let parts = pair.split(separator: " ").map(String.init)
                return result.programs.first { $0.program.id == parts[0] }?.partners.first { $0.partnerID == parts[1] }?.amount.cents ?? 0
            }
            let changes = pairs.map { abs(paidIn(after, $0) - paidIn(before, $0)) }.sorted(by: >)
            let diff = try await Self.get(client, "/runs?a=1&b=2&sort=paid")
            #expect(diff.status == .ok)
            #expect(diff.text.contains("\(pairs.count) (program, partner) pairs changed"))
            #expect(diff.text.contains("Page 1 of \((pairs.count + 49) / 50)"))
            #expect(diff.text.contains("The data changed between the runs."))
            #expect(diff.text.contains("bookings: extra.csv (400 added, 0 changed, 0 unchanged)"))
            // The change of paid is the second last cell of each changed pair's row.
            let shown = diff.text.split(separator: "\n").filter { $0.contains("&amp;partner=") }.compactMap { line in
                line.firstMatch(of: /<td class="num">([+-]?[0-9,.]+)<\/td><td class="num">[+-]?[0-9,.]+<\/td><\/tr>/).map {
                    abs(Self.cents(String($0.output.1)) ?? -1)
                }
            }
            #expect(shown == Array(changes.prefix(50)))
            #expect(pairs.count > 50)
            #expect(diff.text.contains(#"<input type="hidden" name="a" value="1"><input type="hidden" name="b" value="2"><input type="hidden" name="sort" value="paid">"#))
            #expect(diff.text.contains(#"href="/runs?a=1&amp;b=2&amp;sort=paid&amp;page=2" rel="next""#))
            // One pair's link: that partner's whole difference as text, and nobody else's.
            let partners = Set(pairs.map { String($0.split(separator: " ")[1]) }).sorted()
            let (chosen, other) = (partners[0], partners[1])
            let byIDPage = try await Self.get(client, "/runs?a=1&b=2")
            #expect(byIDPage.text.contains(#"<a href="/runs?a=1&amp;b=2&amp;partner=\#(chosen)">\#(chosen)</a>"#))
            let one = try await Self.get(client, "/runs?a=1&b=2&partner=\(chosen)")
            #expect(one.text.contains("<pre>run 1 ("))
            #expect(one.text.contains("  \(chosen)  "))
            #expect(!one.text.contains("  \(other)  "))
            #expect(one.text.contains(#"<a href="/runs?a=1&amp;b=2">All changed partners</a>"#))

            // A partner user: the run's summary without totals and no list.
            let own = try await Self.get(client, "/runs/2", Self.partnerUser)
            #expect(own.status == .ok)
            #expect(Self.listed(own.text).isEmpty)
            #expect(!own.text.contains("<th class=\"num\">Paid</th>"))
            let program = try await Self.get(client, "/programs/GEN-VIP-6M", Self.partnerUser)
            #expect(program.status == .ok)
            #expect(Self.listed(program.text).isEmpty)
            #expect(!program.text.contains("Partners in run"))
        }
    }

    /// Bad list parameters answer 400 with what was wrong; never a crash or a page.
    @Test func badListParametersAreRefused() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            for uri in [
                "/programs/VIP25-6M?page=0", "/programs/VIP25-6M?page=x", "/programs/VIP25-6M?sort=foo", "/runs/1?page=-1",
                "/runs/1?sort=name", "/runs?page=0", "/imports?page=1.5", "/runs?a=1&b=1&sort=foo", "/runs?a=1&b=1&page=x",
                "/programs/VIP25-6M?q=" + String(repeating: "x", count: 101), "/programs/VIP25-6M?page=99999999999999999999",
                "/runs?a=1&b=1&partner=",
            ] {
                let response = try await client.execute(uri: uri, method: .get, headers: jar.header)
                #expect(response.status == .badRequest, "\(uri)")
                #expect(try response.errorCode() == "bad_request", "\(uri)")
            }
            let sort = try await client.execute(uri: "/programs/VIP25-6M?sort=foo", method: .get, headers: jar.header)
            #expect(sort.text.contains(#"sort \"foo\": expected one of id, paid, missed"#))
            // Runs and programs that are not there are 404 pages.
            for uri in ["/runs/7", "/runs/x", "/runs/0", "/runs/1?program=NOPE"] {
                let response = try await client.execute(uri: uri, method: .get, headers: jar.header)
                #expect(response.status == .notFound, "\(uri)")
            }
        }
    }

    /// A program no stored run has yet: the page says so instead of a list; a partner user sees no list either way.
    @Test func aProgramWithoutARunSaysSo() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let source = try String(contentsOf: Fixture.examples.appendingPathComponent("programs/vip25-3m.yaml"), encoding: .utf8)
        let file = fixture.folder.appendingPathComponent("new.yaml")
        try source.replacingOccurrences(of: "id: VIP25-3M", with: "id: VIP25-NEW").write(to: file, atomically: true, encoding: .utf8)
        _ = try fixture.workspace.addProgram(file: file.path)
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let new = try await client.execute(uri: "/programs/VIP25-NEW", method: .get, headers: jar.header)
            #expect(new.status == .ok)
            #expect(new.text.contains("No stored run has this program yet."))
            #expect(!new.text.contains("Partners in run"))
            let old = try await client.execute(uri: "/programs/VIP25-3M", method: .get, headers: jar.header)
            #expect(old.text.contains("Partners in run 1 ("))
            #expect(ListPagesTests.listed(old.text).map(\.id) == ["DE3001", "NL1001", "NL1003"])
        }
    }

    /// The runs list and the import log, 50 a page, newest first; neither has sort links.
    @Test func runsAndImportsAreListedAPageAtATime() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        for index in 1...52 {
            let file = fixture.folder.appendingPathComponent("csat\(index).csv")
            try "partner_id,survey_id,submitted_on\nNL1001,EXTRA-\(index),2015-02-03\n".write(to: file, atomically: true, encoding: .utf8)
            _ = try fixture.workspace.importFile(.csat, path: file.path, displayName: "csat\(index).csv")
        }
        for _ in 1...51 { _ = try fixture.workspace.run() }
        let runs = try fixture.workspace.runs().map(\.id)
        let imports = try fixture.workspace.importLog().map(\.id)
        #expect(runs.count == 52)
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let first = try await client.execute(uri: "/runs", method: .get, headers: jar.header)
            let ids = first.text.matches(of: /<tr><td><a href="\/runs\/([0-9]+)">/).map { Int($0.output.1)! }
            #expect(ids == Array(runs.reversed().prefix(50)))
            #expect(first.text.contains("Page 1 of 2"))
            #expect(first.text.contains(#"<a href="/runs?page=2" rel="next">"#))
            #expect(!first.text.contains("Sort by"))
            #expect(!first.text.contains(#"name="q""#))
            let second = try await client.execute(uri: "/runs?page=2", method: .get, headers: jar.header)
            #expect(second.text.matches(of: /<tr><td><a href="\/runs\/([0-9]+)">/).map { Int($0.output.1)! } == [2, 1])

            let log = try await client.execute(uri: "/imports?page=2", method: .get, headers: jar.header)
            let logIDs = log.text.matches(of: /<tr><td>([0-9]+)<\/td>/).map { Int($0.output.1)! }
            #expect(logIDs == Array(imports.reversed().dropFirst(50)))
            #expect(log.text.contains("Page 2 of \((imports.count + 49) / 50)"))
            #expect(!log.text.contains("Sort by"))
        }
    }

    /// A list page is kept while the workspace stays as it was; a new run (or any change) shows at once,
    /// and each viewer and language has its own.
    @Test func aKeptListPageFollowsTheWorkspace() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            func runIDs(_ uri: String) async throws -> [Int] {
                let page = try await client.execute(uri: uri, method: .get, headers: jar.header)
                return page.text.matches(of: /<tr><td><a href="\/runs\/([0-9]+)">/).map { Int($0.output.1)! }
            }
            let before = try await runIDs("/runs")
            #expect(try await runIDs("/runs") == before)
            _ = try fixture.workspace.run()
            let after = try await runIDs("/runs")
            #expect(after.count == before.count + 1 && after.first == (before.first ?? 0) + 1)
            let overview = try await client.execute(uri: "/", method: .get, headers: jar.header)
            #expect(overview.text.contains("\(after.first!),"))
            let dutch = try await client.execute(uri: "/runs?lang=nl", method: .get, headers: jar.header)
            #expect(dutch.text.contains("Berekeningen"))
            #expect(dutch.text != (try await client.execute(uri: "/runs", method: .get, headers: jar.header)).text)
        }
    }
}
