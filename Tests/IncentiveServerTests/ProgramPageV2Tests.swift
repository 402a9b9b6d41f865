import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveEngine
import IncentiveStore
import IncentiveSynthetic
import NIOCore
import Testing

@testable import IncentiveServer

/// The program page and the program JSON document show every fact of rules v2 (formats.md §5.1-5.4), in
/// English and Dutch, from the engine's typed rules; the runs diff page shows a v2 program's changes in words.
/// (A v1 program's page staying byte for byte what it was is `PageSnapshotTests`' work.)
@Suite struct ProgramPageV2Tests {
    /// A VIP 30 style program using every key of §5.1-5.4: a fiscal period (FY18-H1 is 2017-07-30 ..
    /// 2018-01-27: FY17 ends on Saturday 2017-07-29), late enrolment, dated SKU entries, marginal tiers on the
    /// volume above the minimum with a cap, a percent by tier on growth over FY17-H1 (2016-07-31 .. 2017-01-28)
    /// with an attach bonus, and one subtrack that pays as v1 did.
    static func program(topTier: String = "3.5", until: String = "2017-10-31", cap: String = "15000") -> String {
        """
        id: V2DEMO
        kind: vip
        name: VIP 30 style demo
        currency: USD
        period: FY18-H1
        count_bookings_by: booked_on
        eligible_tiers: [gold, premier, select]
        csat_required: 0
        full_credit_enrollment_until: 2017-08-31
        tracks:
          - id: dc
            name: Data Center
            subtracks:
              - id: ucs
                name: Unified Computing
                products: [{sku: "UCS-C220-M4*", until: \(until)}, {sku: "UCS-C220-M5*", from: 2017-09-01}, "UCS-B*"]
                minimum_volume: 50000
                rebate_tiers: [{from: 0, percent: 2}, {from: 100000, percent: \(topTier)}]
                tier_method: marginal
                rebate_base: above_minimum
                cap: \(cap)
              - id: hx
                name: HyperFlex
                products: ["HX-*"]
                rebate_percent: {default: 1, gold: 2.5}
                rebate_base: growth
                baseline: {period: FY17-H1}
                attach_bonus: {products: ["APP-*", "SEC-*"], bands: [{from_percent: 15, percent: 4}, {from_percent: 30, percent: 1.5}]}
              - id: nx
                name: Nexus
                products: ["N9K-*"]
                rebate_percent: 3

        """
    }

    static func load(_ text: String) throws -> Program {
        var collector = DiagnosticCollector()
        let program = ProgramLoader.parse(yaml: text, file: "v2demo.yaml", collector: &collector)
        return try #require(program, "\(collector.diagnostics)")
    }

    /// The body of the program page (without header, footer and the partner list) for `program`.
    static func body(_ program: Program, _ language: Language) throws -> String {
        try Templates.shared.render(.program, Pages.programPage(program, version: 1, language))
    }

    /// The card of subtrack `path` on the page.
    static func card(_ page: String, _ path: String) throws -> String {
        let cards = page.components(separatedBy: #"<div class="card">"#)
        return try #require(cards.first { $0.hasPrefix("\n<h3>\(path) ") }, "no card for \(path)")
    }

    @Test func theEnglishPageShowsEveryV2Fact() throws {
        let page = try Self.body(Self.load(Self.program()), .en)
        #expect(page.contains("· Period FY18-H1 (Jul 30, 2017 – Jan 27, 2018) ·"))
        #expect(
            page.contains(
                "CSAT reports required: 0 · Credentials must be valid at the period end · Full credit for enrolments on or before "
                    + "Aug 31, 2017; a later enrolment counts only the lines from its enrolment date on</p>"))

        let ucs = try Self.card(page, "dc/ucs")
        #expect(
            ucs.contains(
                "<p>Rebate <strong>tiered, marginal: each slice of the base earns the percent of its own tier</strong> · Products "
                    + "<code>UCS-C220-M4*</code> until Oct 31, 2017; <code>UCS-C220-M5*</code> from Sep 1, 2017; <code>UCS-B*</code></p>"))
        #expect(
            ucs.contains(
                """
                <table><tr><th>Base from</th><th class="num">Rebate</th></tr>
                <tr><td class="num">0.00</td><td class="num">2%</td></tr><tr><td class="num">100,000.00</td><td class="num">3.5%</td></tr>
                </table>
                <p>Rebate base: the qualifying volume above the minimum</p>
                <p>Cap per partner: 15,000.00 USD</p>
                <table><tr><th>Minimum volume by country</th>
                """))
        #expect(!ucs.contains("Attach"))

        let hx = try Self.card(page, "dc/hx")
        #expect(hx.contains("<p>Rebate <strong>gold 2.5%, other tiers 1%</strong> · Products <code>HX-*</code></p>"))
        #expect(
            hx.contains(
                "<p>Rebate base: the growth of the qualifying volume over the baseline FY17-H1 (Jul 31, 2016 – Jan 28, 2017), "
                    + "scaled to the length of the period</p>"))
        #expect(
            hx.contains(
                """
                <p>Attach bonus, by the sales of these products as a percent of the qualifying volume: <code>APP-* SEC-*</code></p>
                <table><tr><th>Attach rate from</th><th class="num">Bonus</th></tr>
                <tr><td class="num">15%</td><td class="num">+4 percentage points</td></tr><tr><td class="num">30%</td><td class="num">+1.5 percentage points</td></tr>
                </table>
                """))
        #expect(!hx.contains("Cap per partner") && !hx.contains("Base from"))

        // A subtrack paying a plain percent of its whole volume is shown as v1 showed it (the empty lines of its
        // absent requirements included), even in a v2 program.
        let nx = try Self.card(page, "dc/nx")
        #expect(
            nx == """

                <h3>dc/nx <span class="muted">Nexus</span></h3>
                <p>Rebate <strong>3%</strong> · Products <code>N9K-*</code></p>


                <table><tr><th>Minimum volume by country</th><th class="num">Minimum</th></tr>
                <tr><td>default</td><td class="num">0.00</td></tr>
                </table>
                </div>

                """)
    }

    @Test func theDutchPageShowsEveryV2Fact() throws {
        let page = try Self.body(Self.load(Self.program()), .nl)
        #expect(page.contains("· Periode FY18-H1 (30 jul 2017 – 27 jan 2018) ·"))
        #expect(
            page.contains(
                "Volledige telling bij inschrijving uiterlijk 31 aug 2017; een latere inschrijving telt alleen de orderregels vanaf de inschrijfdatum</p>"
            ))
        let ucs = try Self.card(page, "dc/ucs")
        #expect(
            ucs.contains(
                "<p>Korting <strong>gestaffeld per schijf: elk deel van de grondslag krijgt het percentage van zijn eigen schijf</strong> · "
                    + "Producten <code>UCS-C220-M4*</code> t/m 31 okt 2017; <code>UCS-C220-M5*</code> vanaf 1 sep 2017; <code>UCS-B*</code></p>"))
        #expect(
            ucs.contains(
                """
                <table><tr><th>Grondslag vanaf</th><th class="num">Korting</th></tr>
                <tr><td class="num">0,00</td><td class="num">2%</td></tr><tr><td class="num">100.000,00</td><td class="num">3,5%</td></tr>
                </table>
                <p>Grondslag: de kwalificerende omzet boven het minimum</p>
                <p>Maximum per partner: 15.000,00 USD</p>
                """))
        let hx = try Self.card(page, "dc/hx")
        #expect(hx.contains("<p>Korting <strong>gold 2,5%, overige niveaus 1%</strong> · Producten <code>HX-*</code></p>"))
        #expect(
            hx.contains(
                "<p>Grondslag: de groei van de kwalificerende omzet boven de basisperiode FY17-H1 (31 jul 2016 – 28 jan 2017), "
                    + "omgerekend naar de lengte van de periode</p>"))
        #expect(
            hx.contains(
                """
                <table><tr><th>Attach-rate vanaf</th><th class="num">Bonus</th></tr>
                <tr><td class="num">15%</td><td class="num">+4 procentpunt</td></tr><tr><td class="num">30%</td><td class="num">+1,5 procentpunt</td></tr>
                </table>
                """))
        #expect(try Self.card(page, "dc/nx").contains("<p>Korting <strong>3%</strong> · Producten <code>N9K-*</code></p>\n\n\n<table>"))
    }

    /// The retroactive method in both languages, and an entry with both dates.
    @Test func retroactiveTiersAndAnEntryWithBothDates() throws {
        let text = Self.program().replacingOccurrences(of: "tier_method: marginal", with: "tier_method: retroactive")
            .replacingOccurrences(
                of: #"{sku: "UCS-C220-M5*", from: 2017-09-01}"#, with: #"{sku: "UCS-C220-M5*", from: 2017-09-01, until: 2018-01-15}"#)
        let program = try Self.load(text)
        let english = try Self.card(Self.body(program, .en), "dc/ucs")
        #expect(english.contains("<strong>tiered, retroactive: the percent of the highest tier reached applies to the whole base</strong>"))
        #expect(english.contains("<code>UCS-C220-M5*</code> from Sep 1, 2017 until Jan 15, 2018; <code>UCS-B*</code>"))
        let dutch = try Self.card(Self.body(program, .nl), "dc/ucs")
        #expect(
            dutch.contains(
                "<strong>gestaffeld, met terugwerkende kracht: het percentage van de hoogste bereikte schijf geldt voor de hele grondslag</strong>"))
        #expect(dutch.contains("<code>UCS-C220-M5*</code> van 1 sep 2017 t/m 15 jan 2018; <code>UCS-B*</code>"))
    }

    /// The page body of the demo program, byte for byte, in both languages (`Snapshots/program-v2demo.*.html`).
    @Test(arguments: [Language.en, .nl]) func snapshot(language: Language) throws {
        try PageSnapshotTests.check(Self.body(Self.load(Self.program()), language), "program-v2demo.\(language.rawValue)")
    }

    /// Every program `incentives generate --rules v2` writes (three seeds) renders in both languages with every
    /// fact of its typed rules on the page: the canonical fiscal name with its dates (however the file spells
    /// it), each tier's `from` and percent, each dated entry with its dates, the base, each band and the cap.
    @Test(arguments: [1, 2, 3] as [UInt64]) func everyGeneratedV2ProgramShowsItsRules(seed: UInt64) throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-v2pages-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try DatasetGenerator(partners: 40, lines: 100, seed: seed, rules: .v2).write(to: folder.path)
        let programs = try ProgramLoader.load(directory: folder.appendingPathComponent("programs").path)
        #expect(programs.count == 3)
        // The dates of formats.md §5.1's table and of FY15-Q4 (the last 13 weeks of FY15).
        let fiscal = [
            "GEN-VIP-6M": ("FY15-H2 (Jan 25, 2015 – Jul 25, 2015)", "FY15-H2 (25 jan 2015 – 25 jul 2015)"),
            "GEN-VIP-3M": ("FY15-Q4 (Apr 26, 2015 – Jul 25, 2015)", "FY15-Q4 (26 apr 2015 – 25 jul 2015)"),
            "GEN-MDF": ("FY23-H2 (Jan 29, 2023 – Jul 29, 2023)", "FY23-H2 (29 jan 2023 – 29 jul 2023)"),
        ]
        for program in programs {
            for language in Language.allCases {
                let page = try Self.body(program, language)
                let period = try #require(fiscal[program.id])
                #expect(page.contains(" \(language == .en ? period.0 : period.1) ·"), "\(program.id) \(language)")
                guard case .vip(let rules) = program.rules else { continue }
                let until = try #require(rules.fullCreditEnrollmentUntil)
                #expect(page.contains(language.text(.fullCredit, ["date": language.date(until)])))
                for (path, subtrack) in rules.subtrackPaths.map({ ($0.path, $0.subtrack) }) {
                    let card = try Self.card(page, path)
                    let entries = subtrack.productEntries.map { entry in
                        "<code>\(entry.pattern.text)</code>" + (language.dates(from: entry.from, until: entry.until).map { " " + $0 } ?? "")
                    }
                    #expect(
                        card.contains(
                            subtrack.hasDatedProducts
                                ? entries.joined(separator: "; ") : "<code>\(subtrack.products.map(\.text).joined(separator: " "))</code>"))
                    if case .tiers(let tiers, _) = subtrack.rate {
                        let rows = tiers.map {
                            #"<tr><td class="num">\#(language.money($0.from))</td><td class="num">\#(language.percent($0.percent))</td></tr>"#
                        }
                        #expect(card.contains(rows.joined()), "\(program.id) \(path)")
                    }
                    #expect(card.contains(language.text(.baseAll)) == (!subtrack.paysLikeV1 && subtrack.rebateBase == .all))
                    #expect(card.contains(language.text(.baseAboveMin)) == (subtrack.rebateBase == .aboveMinimum))
                    if let baseline = subtrack.baseline {
                        #expect(card.contains(language.text(.baseGrowth, ["baseline": language.period(baseline.period, name: baseline.periodName)])))
                    }
                    for band in subtrack.attachBonus?.bands ?? [] {
                        #expect(
                            card.contains(
                                #"<td class="num">\#(language.percent(band.fromPercent))</td><td class="num">+\#(language.decimal(band.percent)) "#))
                    }
                    #expect(
                        card.contains(language.text(.capPerPartner, ["amount": subtrack.cap.map(language.money) ?? "", "currency": "USD"]))
                            == (subtrack.cap != nil))
                }
            }
        }
    }

    /// A workspace with the example and the demo program (version 1, then version 2 with another top tier,
    /// dates and cap), a run after each, and an admin's page session.
    static func withTwoVersions(_ test: @Sendable (Fixture, any TestClientProtocol) async throws -> Void) async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let file = fixture.folder.appendingPathComponent("v2demo.yaml")
        try program().write(to: file, atomically: true, encoding: .utf8)
        _ = try fixture.workspace.addProgram(file: file.path)
        _ = try fixture.workspace.run()
        try program(topTier: "4", until: "2017-11-30", cap: "20000").write(to: file, atomically: true, encoding: .utf8)
        _ = try fixture.workspace.addProgram(file: file.path)
        _ = try fixture.workspace.run()
        try fixture.workspace.addSession(
            hash: Accounts.digest(session), user: "ada", csrfToken: "csrf", expires: Date().addingTimeInterval(86_400))
        try await fixture.serve { try await test(fixture, $0) }
    }

    static let session = "v2-page-session"

    static func page(_ client: any TestClientProtocol, _ uri: String, _ language: String = "en") async throws -> String {
        var headers: HTTPFields = [.cookie: "incentives_session=\(session)"]
        if language == "nl" { headers[.acceptLanguage] = "nl" }
        let response = try await client.execute(uri: uri, method: .get, headers: headers)
        #expect(response.status == .ok, "\(uri)")
        return response.text
    }

    @Test func theRunsDiffPageNamesTheV2Changes() async throws {
        try await Self.withTwoVersions { _, client in
            for language in ["en", "nl"] {
                let page = try await Self.page(client, "/runs?a=2&b=3", language)
                // The definition's own words (ProgramChanges), the same in both languages.
                #expect(
                    page.contains(
                        #"<li><a href="/programs/V2DEMO">V2DEMO</a> v1 → v2"#
                            + "<br><code>dc/ucs rate: tiers 0: 2%, 100,000: 3.5% (marginal) -&gt; tiers 0: 2%, 100,000: 4% (marginal)</code>"
                            + "<br><code>dc/ucs products: [UCS-C220-M4* until 2017-10-31, UCS-C220-M5* from 2017-09-01, UCS-B*] -&gt; "
                            + "[UCS-C220-M4* until 2017-11-30, UCS-C220-M5* from 2017-09-01, UCS-B*]</code>"
                            + "<br><code>dc/ucs cap: 15000.00 -&gt; 20000.00</code></li>"), "\(language)")
            }
            // The program page shows the latest version.
            let program = try await Self.page(client, "/programs/V2DEMO")
            #expect(program.contains("Version 2"))
            #expect(program.contains("<code>UCS-C220-M4*</code> until Nov 30, 2017;"))
            #expect(program.contains(#"<td class="num">100,000.00</td><td class="num">4%</td>"#))
            #expect(program.contains("<p>Cap per partner: 20,000.00 USD</p>"))
            // The programs list and the overview name the period by its fiscal name too; a v1 program by its dates.
            let list = try await Self.page(client, "/programs", "nl")
            #expect(list.contains("<td>FY18-H1 (30 jul 2017 – 27 jan 2018)</td>"))
            #expect(list.contains("<td>25 jan 2015 – 25 jul 2015</td>"))
            let overview = try await Self.page(client, "/")
            #expect(overview.contains("<p class=\"muted\">VIP · FY18-H1 (Jul 30, 2017 – Jan 27, 2018) · USD · Version 2</p>"))
        }
    }

    @Test func theProgramDocumentHasEveryV2Fact() async throws {
        try await Self.withTwoVersions { fixture, client in
            let response = try await client.execute(uri: "/api/v1/programs/V2DEMO", method: .get, headers: Fixture.headers(fixture.admin))
            #expect(response.status == .ok)
            let document = try response.json()
            #expect(document["period_name"] as? String == "FY18-H1")
            #expect(document["period"] as? [String: String] == ["start": "2017-07-30", "end": "2018-01-27"])
            #expect(document["full_credit_enrollment_until"] as? String == "2017-08-31")
            let subtracks = try #require(document["subtracks"] as? [[String: Any]])
            #expect(subtracks.count == 3)
            let ucs = subtracks[0], hx = subtracks[1], nx = subtracks[2]

            #expect(ucs["rebate_percent"] as? String == "2")
            #expect(ucs["products"] as? [String] == ["UCS-C220-M4*", "UCS-C220-M5*", "UCS-B*"])
            #expect(
                ucs["product_entries"] as? [[String: String]] == [
                    ["sku": "UCS-C220-M4*", "until": "2017-11-30"], ["sku": "UCS-C220-M5*", "from": "2017-09-01"], ["sku": "UCS-B*"],
                ])
            #expect(ucs["rebate_tiers"] as? [[String: String]] == [["from": "0.00", "percent": "2"], ["from": "100000.00", "percent": "4"]])
            #expect(ucs["tier_method"] as? String == "marginal")
            #expect(ucs["rebate_base"] as? String == "above_minimum")
            #expect(ucs["cap"] as? String == "20000.00")
            #expect(ucs["attach_bonus"] == nil && ucs["baseline"] == nil && ucs["rebate_percent_by_tier"] == nil)

            #expect(hx["rebate_percent"] as? String == "1")
            #expect(hx["rebate_percent_by_tier"] as? [String: String] == ["default": "1", "gold": "2.5"])
            #expect(hx["rebate_base"] as? String == "growth")
            let baseline = try #require(hx["baseline"] as? [String: Any])
            #expect(baseline["period_name"] as? String == "FY17-H1")
            #expect(baseline["period"] as? [String: String] == ["start": "2016-07-31", "end": "2017-01-28"])
            let bonus = try #require(hx["attach_bonus"] as? [String: Any])
            #expect(bonus["products"] as? [String] == ["APP-*", "SEC-*"])
            #expect(bonus["bands"] as? [[String: String]] == [["from_percent": "15", "percent": "4"], ["from_percent": "30", "percent": "1.5"]])
            #expect(hx["product_entries"] == nil && hx["rebate_tiers"] == nil && hx["tier_method"] == nil && hx["cap"] == nil)

            // The subtrack paying as v1 did has v1's keys only.
            #expect(Set(nx.keys) == ["path", "name", "rebate_percent", "products", "requires_all", "requires_any", "minimum_volume"])

            // A v1 program's document has none of the new keys.
            let v1 = try await client.execute(uri: "/api/v1/programs/VIP25-6M", method: .get, headers: Fixture.headers(fixture.admin)).json()
            #expect(v1["period_name"] == nil && v1["full_credit_enrollment_until"] == nil)
            for subtrack in try #require(v1["subtracks"] as? [[String: Any]]) {
                #expect(Set(subtrack.keys) == ["path", "name", "rebate_percent", "products", "requires_all", "requires_any", "minimum_volume"])
            }
            // The list gives the fiscal name with the summary.
            let list = try await client.execute(uri: "/api/v1/programs", method: .get, headers: Fixture.headers(fixture.admin)).json()
            let items = try #require(list["items"] as? [[String: Any]])
            #expect(items.first { $0["id"] as? String == "V2DEMO" }?["period_name"] as? String == "FY18-H1")
        }
    }
}
