import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveEngine
import IncentiveLedger
import IncentiveStore
import NIOCore
import Testing

@testable import IncentiveServer

/// The ledger's pages (issue 17 point 6): the statement (printable on A4), the funds page with its forms, the admins'
/// queue; each for the right user only, every form refused without the session's CSRF token.
@Suite struct LedgerPagesTests {
    /// The example run approved as interim on 2015-08-15, PAY-1 recorded, a partner user for NL1005; the clock on
    /// 2015-09-01.
    static func fixture() throws -> Fixture {
        let fixture = try Fixture(clock: .fixed(LedgerAPITests.today))
        _ = try fixture.workspace.approve(run: 1, kind: .interim, on: Day(iso: "2015-08-15")!)
        _ = try fixture.workspace.addPayment(
            partner: "NL1001", program: "VIP25-6M", amount: "9002.04", currency: "USD", reference: "PAY-1", paidOn: "2015-09-01")
        try fixture.workspace.addUser(User(name: "nl5", role: .partner, partnerID: "NL1005", passwordHash: Accounts.hashPassword("partner-secret", cost: 4)))
        return fixture
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, _ jar: CookieJar) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: jar.header)
    }

    static func post(_ client: any TestClientProtocol, _ uri: String, _ jar: CookieJar, _ body: String) async throws -> TestResponse {
        var headers = PageTests.form
        for field in jar.header { headers.append(field) }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func theStatementPagePrintsOnA4AndOnlyForItsPartner() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (nl1, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            let page = try await Self.get(client, "/partners/NL1001/statement?as_of=2015-12-31", nl1)
            #expect(page.status == .ok)
            #expect(page.text.contains("<h1>Statement NL1001</h1>"))
            #expect(page.text.contains("@media print") && page.text.contains("size: A4"))
            #expect(page.text.contains("section.program + section.program { break-before: page;"))
            // The programs with entries for NL1001 (it has no MDF funds).
            #expect(page.text.contains("<h2>VIP25-6M (VIP, USD)</h2>"))
            #expect(page.text.contains("<td>collaboration/voice</td><td class=\"num\">5,552.00 USD</td><td class=\"num\">5,552.00 USD</td>"))
            #expect(page.text.contains("<td>PAY-1</td><td class=\"num\">9,002.04 USD</td>"))
            #expect(page.text.contains("<th>Balance due</th><td class=\"num\"><strong>0.00 USD</strong></td>"))
            let before = try await Self.get(client, "/partners/NL1001/statement?program=VIP25-6M&as_of=2015-08-31", nl1)
            #expect(before.text.contains("<th>Balance due</th><td class=\"num\"><strong>9,002.04 USD</strong></td>"))
            let dutch = try await Self.get(client, "/partners/NL1001/statement?as_of=2015-12-31&lang=nl", nl1)
            #expect(dutch.text.contains("<h1>Afschrift NL1001</h1>") && dutch.text.contains("9.002,04 USD"))
            for uri in ["/partners/NL1002/statement", "/partners/NOPE/statement", "/partners/NL1005/funds", "/queues"] {
                let refused = try await Self.get(client, uri, nl1)
                #expect(refused.status == .notFound, "\(uri)")
                #expect(!refused.text.contains("1,273.01"), "\(uri)")
            }
            let anonymous = try await client.execute(uri: "/partners/NL1001/statement", method: .get)
            #expect(anonymous.status == .seeOther)
            let (admin, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let other = try await Self.get(client, "/partners/NL1002/statement", admin)
            #expect(other.status == .ok)
        }
    }

    @Test func aPartnerFilesAndWithdrawsARequestOnItsFundsPageWithTheCSRFToken() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (nl5, _) = try await PageTests.signIn(client, name: "nl5", password: "partner-secret")
            let page = try await Self.get(client, "/partners/NL1005/funds", nl5)
            #expect(page.status == .ok)
            #expect(page.text.contains("<tr><th>Available</th><td class=\"num\">1,273.01 USD</td></tr>"))
            #expect(page.text.contains("<td>Aug 15, 2015</td><td>Aug 14, 2016</td>"), "\(page.text)")
            let csrf = try #require(page.csrf)
            let filing = "do=file&program=PROVIDER-MDF-FY23-H2&activity=Roadshow&description=&planned_cost=500.00&starts_on=2015-09-10&ends_on=2015-09-20"
            let forged = try await Self.post(client, "/partners/NL1005/funds", nl5, filing + "&csrf=forged")
            #expect(forged.status == .forbidden)
            let missing = try await Self.post(client, "/partners/NL1005/funds", nl5, filing)
            #expect(missing.status == .forbidden)
            #expect(try fixture.workspace.fundRequests().isEmpty)
            let filed = try await Self.post(client, "/partners/NL1005/funds", nl5, filing + "&csrf=\(csrf)")
            #expect(filed.status == .ok)
            #expect(filed.text.contains("<tr><th>Available</th><td class=\"num\">773.01 USD</td></tr>"))
            let requests = try fixture.workspace.fundRequests()
            #expect(requests.map(\.partnerID) == ["NL1005"] && requests.map(\.plannedCost) == [Money(cents: 50_000)])
            #expect(requests.map(\.status) == [.pending] && requests.map(\.actor.name) == ["nl5"])
            let bad = try await Self.post(client, "/partners/NL1005/funds", nl5, "do=file&program=PROVIDER-MDF-FY23-H2&activity=x&planned_cost=1.234&starts_on=2015-09-10&ends_on=2015-09-20&csrf=\(csrf)")
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("class=\"error\">planned cost &quot;1.234&quot;"))
            #expect(try fixture.workspace.fundRequests().count == 1)
            // Another partner's user cannot file for NL1005 nor withdraw its request.
            let (nl1, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            let own = try await Self.get(client, "/partners/NL1001/funds", nl1)
            let nl1csrf = try #require(own.csrf)
            let intruder = try await Self.post(client, "/partners/NL1005/funds", nl1, "do=withdraw&request=1&csrf=\(nl1csrf)")
            #expect(intruder.status == .notFound)
            let sideways = try await Self.post(client, "/partners/NL1001/funds", nl1, "do=withdraw&request=1&csrf=\(nl1csrf)")
            #expect(sideways.status == .notFound)
            #expect(try fixture.workspace.fundRequests().map(\.status) == [.pending])
            let withdrawn = try await Self.post(client, "/partners/NL1005/funds", nl5, "do=withdraw&request=1&csrf=\(csrf)")
            #expect(withdrawn.status == .ok)
            #expect(try fixture.workspace.fundRequests().map(\.status) == [.withdrawn])
        }
    }

    /// The funds page shows a withdraw form beside each submitted or approved claim; posting it (with the CSRF token)
    /// withdraws the claim; another partner's user cannot, and a withdrawn claim has no form any more.
    @Test func aPartnerWithdrawsAClaimOnItsFundsPage() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        _ = try fixture.workspace.fileFundRequest(
            FundRequestInput(
                programID: "PROVIDER-MDF-FY23-H2", partnerID: "NL1005", activity: "Roadshow", description: "", plannedCost: Money(cents: 50_000),
                startsOn: Day(iso: "2015-08-20")!, endsOn: Day(iso: "2015-08-31")!))
        _ = try fixture.workspace.approveFundRequest(1)
        _ = try fixture.workspace.submitClaim(request: 1, actualCost: Money(cents: 45_000), proofs: [ProofFile(fileName: "a.pdf", content: LedgerAPITests.pdf)])
        let form = #"<input type="hidden" name="do" value="withdraw-claim"><input type="hidden" name="claim" value="1">"#
        try await fixture.serve { client in
            let (nl5, _) = try await PageTests.signIn(client, name: "nl5", password: "partner-secret")
            let page = try await Self.get(client, "/partners/NL1005/funds", nl5)
            #expect(page.text.contains(form), "\(page.text)")
            let csrf = try #require(page.csrf)
            let forged = try await Self.post(client, "/partners/NL1005/funds", nl5, "do=withdraw-claim&claim=1&csrf=forged")
            #expect(forged.status == .forbidden)
            let (nl1, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            let nl1csrf = try #require(try await Self.get(client, "/partners/NL1001/funds", nl1).csrf)
            let intruder = try await Self.post(client, "/partners/NL1005/funds", nl1, "do=withdraw-claim&claim=1&csrf=\(nl1csrf)")
            #expect(intruder.status == .notFound)
            let sideways = try await Self.post(client, "/partners/NL1001/funds", nl1, "do=withdraw-claim&claim=1&csrf=\(nl1csrf)")
            #expect(sideways.status == .notFound)
            #expect(try fixture.workspace.claims().map(\.status) == [.submitted])

            let withdrawn = try await Self.post(client, "/partners/NL1005/funds", nl5, "do=withdraw-claim&claim=1&csrf=\(csrf)")
            #expect(withdrawn.status == .ok)
            #expect(withdrawn.text.contains("NL1005 PROVIDER-MDF-FY23-H2: withdrawn"), "\(withdrawn.text)")
            #expect(!withdrawn.text.contains(form))
            #expect(try fixture.workspace.claims().map(\.status) == [.withdrawn])
            #expect(try fixture.workspace.fundRequests().map(\.status) == [.approved])
        }
    }

    @Test func anAdminWorksTheQueueWithTheCSRFToken() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        for cost in [50_000, 30_000] as [Int64] {
            _ = try fixture.workspace.fileFundRequest(
                FundRequestInput(
                    programID: "PROVIDER-MDF-FY23-H2", partnerID: "NL1005", activity: "Event \(cost / 100)", description: "",
                    plannedCost: Money(cents: cost), startsOn: Day(iso: "2015-09-10")!, endsOn: Day(iso: "2015-09-20")!))
        }
        try await fixture.serve { client in
            let (admin, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let page = try await Self.get(client, "/queues", admin)
            #expect(page.status == .ok)
            #expect(page.text.contains("<td>Event 500</td>") && page.text.contains("<td>Event 300</td>"))
            let csrf = try #require(page.csrf)
            let forged = try await Self.post(client, "/queues", admin, "what=request&id=1&do=approve&amount=400.00")
            #expect(forged.status == .forbidden)
            #expect(try fixture.workspace.fundRequests().map(\.status) == [.pending, .pending])
            let approved = try await Self.post(client, "/queues", admin, "what=request&id=1&do=approve&amount=400.00&csrf=\(csrf)")
            #expect(approved.status == .ok)
            #expect(!approved.text.contains("<td>Event 500</td>") && approved.text.contains("<td>Event 300</td>"))
            let noReason = try await Self.post(client, "/queues", admin, "what=request&id=2&do=reject&reason=&csrf=\(csrf)")
            #expect(noReason.status == .unprocessableContent)
            let rejected = try await Self.post(client, "/queues", admin, "what=request&id=2&do=reject&reason=not+marketing&csrf=\(csrf)")
            #expect(rejected.status == .ok)
            let requests = try fixture.workspace.fundRequests()
            #expect(requests.map(\.status) == [.approved, .rejected])
            #expect(requests.map(\.approved) == [Money(cents: 40_000), nil] && requests[1].reason == "not marketing")
            let (nl5, _) = try await PageTests.signIn(client, name: "nl5", password: "partner-secret")
            let funds = try await Self.get(client, "/partners/NL1005/funds", nl5)
            let partnerCSRF = try #require(funds.csrf)
            let refused = try await Self.post(client, "/queues", nl5, "what=request&id=1&do=reject&reason=x&csrf=\(partnerCSRF)")
            #expect(refused.status == .notFound)
            #expect(try fixture.workspace.fundRequests().map(\.status) == [.approved, .rejected])
        }
    }

    /// A multipart body with `fields` and one file part `file`, boundary `----b`.
    static func multipart(_ fields: [(String, String)], fileName: String, content: Data) -> ByteBuffer {
        var body = Data()
        for (name, value) in fields { body += Data("------b\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n".utf8) }
        body += Data("------b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\(fileName)\"\r\nContent-Type: application/pdf\r\n\r\n".utf8)
        body += content + Data("\r\n------b--\r\n".utf8)
        return ByteBuffer(bytes: body)
    }

    @Test func aPartnerClaimsWithAProofFileUploadedOnItsFundsPage() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        _ = try fixture.workspace.fileFundRequest(
            FundRequestInput(
                programID: "PROVIDER-MDF-FY23-H2", partnerID: "NL1005", activity: "Roadshow", description: "", plannedCost: Money(cents: 50_000),
                startsOn: Day(iso: "2015-08-20")!, endsOn: Day(iso: "2015-08-31")!))
        _ = try fixture.workspace.approveFundRequest(1)
        try await fixture.serve { client in
            let (nl5, _) = try await PageTests.signIn(client, name: "nl5", password: "partner-secret")
            let page = try await Self.get(client, "/partners/NL1005/funds", nl5)
            #expect(page.text.contains(#"enctype="multipart/form-data""#) && page.text.contains(#"name="do" value="claim""#))
            let csrf = try #require(page.csrf)
            var headers: HTTPFields = [.contentType: "multipart/form-data; boundary=----b"]
            for field in nl5.header { headers.append(field) }
            let fields = [("do", "claim"), ("request", "1"), ("actual_cost", "450.00")]
            let forged = try await client.execute(
                uri: "/partners/NL1005/funds", method: .post, headers: headers,
                body: Self.multipart(fields + [("csrf", "forged")], fileName: "invoice.pdf", content: LedgerAPITests.pdf))
            #expect(forged.status == .forbidden)
            #expect(try fixture.workspace.claims().isEmpty)
            let claimed = try await client.execute(
                uri: "/partners/NL1005/funds", method: .post, headers: headers,
                body: Self.multipart(fields + [("csrf", csrf)], fileName: "invoice.pdf", content: LedgerAPITests.pdf))
            #expect(claimed.status == .ok, "\(claimed.text)")
            #expect(!claimed.text.contains(#"name="do" value="claim""#))
            let claims = try fixture.workspace.claims()
            #expect(claims.map(\.actualCost) == [Money(cents: 45_000)] && claims.map(\.status) == [.submitted])
            #expect(claims.first?.proofs.map(\.sha256) == [LedgerAPITests.pdfSHA256] && claims.first?.proofs.map(\.fileName) == ["invoice.pdf"])
            // The admin's queue shows it with a link to its proof.
            let (admin, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let queue = try await Self.get(client, "/queues", admin)
            #expect(queue.text.contains(#"<a href="/api/v1/claims/1/proofs/1">invoice.pdf</a>"#))
        }
    }

    @Test func anAdminApprovesARunFromTheQueuePage() async throws {
        let fixture = try Self.fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (admin, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let page = try await Self.get(client, "/queues", admin)
            #expect(page.text.contains(#"<button name="do" value="final">Approve as final</button>"#))
            let csrf = try #require(page.csrf)
            let forged = try await Self.post(client, "/queues", admin, "what=run&id=1&do=final&on=2015-08-31")
            #expect(forged.status == .forbidden)
            #expect(try fixture.workspace.approvals().count == 3)
            let approved = try await Self.post(client, "/queues", admin, "what=run&id=1&do=final&on=2015-08-31&csrf=\(csrf)")
            #expect(approved.status == .ok)
            #expect(approved.text.contains("run 1 approved as final on 2015-08-31"), "\(approved.text)")
            #expect(try fixture.workspace.approvals().map(\.kind.rawValue) == ["interim", "interim", "interim", "final", "final", "final"])
            #expect(try fixture.workspace.closure(of: "VIP25-6M").closed)
            let again = try await Self.post(client, "/queues", admin, "what=run&id=1&do=final&csrf=\(csrf)")
            #expect(again.text.contains("already approved as final"))
            #expect(try fixture.workspace.approvals().count == 6)
        }
    }

    /// Issue 17, approving from the run page: an admin sees the run's approvals and the two forms; posting one (with the
    /// CSRF token) approves the run (the entries are on the statement); a partner user sees no form and its post is 404.
    @Test func anAdminApprovesARunFromItsPage() async throws {
        let fixture = try Fixture(clock: .fixed(LedgerAPITests.today))
        defer { fixture.remove() }
        let interim = #"<button name="do" value="interim">Approve as interim</button>"#
        let final = #"<button name="do" value="final">Approve as final</button>"#
        try await fixture.serve { client in
            let (admin, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let page = try await Self.get(client, "/runs/1", admin)
            #expect(page.status == .ok)
            #expect(page.text.contains(#"<form method="post" action="/runs/1" class="card">"#) && page.text.contains(interim) && page.text.contains(final))
            #expect(page.text.contains("<p class=\"muted\">This run is not approved.</p>"), "\(page.text)")
            let csrf = try #require(page.csrf)
            let forged = try await Self.post(client, "/runs/1", admin, "do=interim&on=2015-08-15&csrf=forged")
            #expect(forged.status == .forbidden)
            #expect(try fixture.workspace.approvals().isEmpty)

            // A partner user: the summary without the forms; its post is refused and changes nothing.
            let (nl1, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            let partnerPage = try await Self.get(client, "/runs/1", nl1)
            #expect(partnerPage.status == .ok)
            #expect(!partnerPage.text.contains(interim) && !partnerPage.text.contains("id=\"approvals\""))
            let nl1csrf = try #require(partnerPage.csrf)
            let refused = try await Self.post(client, "/runs/1", nl1, "do=final&csrf=\(nl1csrf)")
            #expect(refused.status == .notFound)
            #expect(try fixture.workspace.approvals().isEmpty)

            let approved = try await Self.post(client, "/runs/1", admin, "do=interim&on=2015-08-15&csrf=\(csrf)")
            #expect(approved.status == .ok)
            #expect(approved.text.contains("run 1 approved as interim on 2015-08-15"), "\(approved.text)")
            #expect(approved.text.contains("VIP25-6M: 6 entries, 25703.73 USD"))
            #expect(approved.text.contains("<td>VIP25-6M</td><td>interim</td><td>Aug 15, 2015</td><td>ada (account)</td>"))
            #expect(!approved.text.contains("This run is not approved."))
            #expect(try fixture.workspace.approvals().map(\.kind) == [.interim, .interim, .interim])
            // The entries are posted: NL1001's statement shows the 9,002.04 USD of VIP25-6M.
            let statement = try #require(try fixture.workspace.statements(partner: "NL1001", program: "VIP25-6M", asOf: LedgerAPITests.today).first)
            #expect(statement.balance == Money(cents: 900_204))
            let statementPage = try await Self.get(client, "/partners/NL1001/statement?program=VIP25-6M", nl1)
            #expect(statementPage.text.contains("<th>Balance due</th><td class=\"num\"><strong>9,002.04 USD</strong></td>"))
            // A reload of the page shows the approvals (never a cached page without them).
            let reloaded = try await Self.get(client, "/runs/1", admin)
            #expect(reloaded.text.contains("<td>VIP25-6M</td><td>interim</td><td>Aug 15, 2015</td><td>ada (account)</td>"))

            let again = try await Self.post(client, "/runs/1", admin, "do=interim&csrf=\(csrf)")
            #expect(again.status == .ok)
            #expect(again.text.contains("already approved as interim: nothing posted"))
            let closing = try await Self.post(client, "/runs/1", admin, "do=final&on=2015-10-01&csrf=\(csrf)")
            #expect(closing.text.contains("<td>VIP25-6M</td><td>final</td><td>Oct 1, 2015</td><td>ada (account)</td>"))
            #expect(try fixture.workspace.approvals().count == 6)
            #expect(try fixture.workspace.closure(of: "VIP25-6M").closed)
            // A refusal shows on the page with 422 and changes nothing.
            let badDay = try await Self.post(client, "/runs/1", admin, "do=final&on=2015-02-30&csrf=\(csrf)")
            #expect(badDay.status == .unprocessableContent)
            #expect(badDay.text.contains("<p class=\"error\">on &quot;2015-02-30&quot;: expected a real calendar date YYYY-MM-DD</p>"), "\(badDay.text)")
            #expect(try fixture.workspace.approvals().count == 6)
            let nonsense = try await Self.post(client, "/runs/1", admin, "do=later&csrf=\(csrf)")
            #expect(nonsense.status == .unprocessableContent && nonsense.text.contains("do: expected interim or final"))
            #expect(try await Self.post(client, "/runs/99", admin, "do=interim&csrf=\(csrf)").status == .notFound)
        }
    }

    /// Point 7: the partner page's advice names MDF funds lapsing within 90 days (amount and date), claims waiting, and
    /// the balance due per program; a partner without a ledger gets none of these lines.
    @Test func thePartnerPageNamesLapsingFundsPendingClaimsAndTheBalanceDue() async throws {
        let fixture = try Fixture(clock: .fixed(Day(iso: "2016-06-01")!))
        defer { fixture.remove() }
        let workspace = fixture.workspace
        _ = try workspace.approve(run: 1, kind: .interim, on: Day(iso: "2015-08-15")!)
        _ = try workspace.addPayment(partner: "NL1001", program: "VIP25-6M", amount: "1000.00", currency: "USD", reference: "PAY-1", paidOn: "2015-09-01")
        try workspace.addUser(User(name: "nl5", role: .partner, partnerID: "NL1005", passwordHash: Accounts.hashPassword("partner-secret", cost: 4)))
        _ = try workspace.fileFundRequest(
            FundRequestInput(
                programID: "PROVIDER-MDF-FY23-H2", partnerID: "NL1005", activity: "Roadshow", description: "", plannedCost: Money(cents: 50_000),
                startsOn: Day(iso: "2016-05-20")!, endsOn: Day(iso: "2016-05-31")!))
        _ = try workspace.approveFundRequest(1)
        _ = try workspace.submitClaim(request: 1, actualCost: Money(cents: 45_000), proofs: [ProofFile(fileName: "a.pdf", content: LedgerAPITests.pdf)])
        try await fixture.serve { client in
            let (nl5, _) = try await PageTests.signIn(client, name: "nl5", password: "partner-secret")
            let page = try await Self.get(client, "/partners/NL1005", nl5)
            #expect(page.status == .ok)
            // 1,273.01 allocated, 500.00 held for the approved request: 773.01 free, usable through Aug 14, 2016 (74 days on).
            #expect(page.text.contains("<li>773.01 USD of MDF funds in PROVIDER-MDF-FY23-H2 lapse after Aug 14, 2016 unless a fund request is approved for them</li>"), "\(page.text)")
            #expect(page.text.contains("<li>Claim 1 in PROVIDER-MDF-FY23-H2 (450.00 USD) is waiting for approval</li>"))
            let dutch = try await Self.get(client, "/partners/NL1005?lang=nl", nl5)
            #expect(dutch.text.contains("<li>Declaratie 1 in PROVIDER-MDF-FY23-H2 (450,00 USD) wacht op goedkeuring</li>"))
            let (nl1, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            let own = try await Self.get(client, "/partners/NL1001", nl1)
            // 9,002.04 entitled in VIP25-6M, 1,000.00 paid.
            #expect(own.text.contains("<li>Balance due in VIP25-6M: 8,002.04 USD</li>"))
            #expect(!own.text.contains("MDF funds in") && !own.text.contains("Claim 1"))
        }
    }
}
