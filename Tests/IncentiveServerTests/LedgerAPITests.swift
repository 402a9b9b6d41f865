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

/// The ledger's API (issue 17 points 2 to 6): approvals with true-up, payments, statements, and the MDF funds wallet
/// with requests, claims with proof, approvals and payment; who may do what; two approvals at once.
@Suite struct LedgerAPITests {
    static let mdf = "PROVIDER-MDF-FY23-H2"
    /// The day the funds operations happen on (the workspace's and the server's clock).
    static let today = Day(iso: "2015-09-01")!
    /// A small PDF; its SHA-256 computed with `sha256sum`.
    static let pdf = Data("%PDF-1.4\n% proof of the roadshow\n%%EOF\n".utf8)
    static let pdfSHA256 = "ae1bc3c0d5c84d480a0798a3639a5c2ffedc229acabd59768564c9035fa4e822"

    static func json(_ object: [String: Any]) throws -> ByteBuffer {
        ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: object))
    }

    static func post(
        _ client: any TestClientProtocol, _ uri: String, _ token: String, _ body: [String: Any]? = nil
    ) async throws -> TestResponse {
        try await client.execute(
            uri: uri, method: .post, headers: Fixture.headers(token, [.contentType: "application/json"]), body: try body.map(json))
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, _ token: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: Fixture.headers(token))
    }

    /// The one wallet of a funds answer.
    static func wallet(_ response: TestResponse) throws -> [String: Any] {
        let wallets = try #require(try response.json()["wallets"] as? [[String: Any]])
        try #require(wallets.count == 1, "\(response.text)")
        return wallets[0]
    }

    /// A fixture whose clock stands on `today`, run 1 approved as interim on 2015-08-15 through the API, and a partner
    /// user for NL1005 (MDF: 1,273.01 USD of funds in run 1).
    static func approvedFixture() async throws -> (Fixture, nl5: String) {
        let fixture = try Fixture(clock: .fixed(today))
        try fixture.workspace.addUser(
            User(name: "nl5", role: .partner, partnerID: "NL1005", passwordHash: Accounts.hashPassword("partner-secret", cost: 4)))
        let nl5 = try Accounts.createToken(user: "nl5", in: fixture.workspace)
        return (fixture, nl5)
    }

    /// The README's walk-through through the API: interim approval, a payment, a credit note, a second run approved as
    /// final; the statement shows the true-up (-200.00 for voice) and the balance due (-200.00).
    @Test func approvalsPaymentsAndTheTrueUpOnTheStatement() async throws {
        let fixture = try Fixture(clock: .fixed(Day(iso: "2015-12-31")!))
        defer { fixture.remove() }
        let admin = fixture.admin
        try await fixture.serve { client in
            let interim = try await Self.post(client, "/api/v1/runs/1/approvals", admin, ["kind": "interim", "on": "2015-08-15"])
            #expect(interim.status == .created, "\(interim.text)")
            let programs = try #require(try interim.json()["programs"] as? [[String: Any]])
            let byID = Dictionary(uniqueKeysWithValues: programs.map { ($0["program_id"] as? String ?? "", $0) })
            #expect(byID["VIP25-6M"]?["total"] as? String == "25703.73")
            #expect(byID["VIP25-6M"]?["entries"] as? Int == 6)
            #expect(byID["VIP25-3M"]?["total"] as? String == "2564.89")
            #expect(byID[Self.mdf]?["total"] as? String == "1865.55")
            #expect(byID[Self.mdf]?["valid_through"] as? String == "2016-08-14")

            let again = try await Self.post(client, "/api/v1/runs/1/approvals", admin, ["kind": "interim"])
            #expect(again.status == .ok)
            #expect(try again.json()["changed"] as? Bool == false)
            #expect((try again.json()["message"] as? String)?.contains("nothing posted") == true)

            let payment: [String: Any] = [
                "partner_id": "NL1001", "program_id": "VIP25-6M", "amount": "9002.04", "currency": "USD", "reference": "PAY-1",
                "paid_on": "2015-09-01",
            ]
            let paid = try await Self.post(client, "/api/v1/payments", admin, payment)
            #expect(paid.status == .created, "\(paid.text)")
            let repeated = try await Self.post(client, "/api/v1/payments", admin, payment)
            #expect(repeated.status == .ok)
            #expect(try repeated.json()["message"] as? String == "already recorded, nothing changed")

            // A CSV with a bad line records nothing and names file, line, column and value.
            let badCSV =
                "partner_id,program_id,amount,currency,reference,paid_on\nNL1002,VIP25-6M,10.00,USD,PAY-2,2015-09-02\nNL1002,VIP25-6M,1.5.0,USD,PAY-3,2015-09-02\n"
            let refused = try await client.execute(
                uri: "/api/v1/payments", method: .post, headers: Fixture.headers(admin, [.contentType: "text/csv"]), body: ByteBuffer(string: badCSV))
            #expect(refused.status == .unprocessableContent, "\(refused.text)")
            let details = try #require((try refused.json()["error"] as? [String: Any])?["details"] as? [[String: Any]])
            #expect(details.count == 1)
            #expect(details.first?["file"] as? String == "upload:payments.csv")
            #expect(details.first?["line"] as? Int == 3)
            #expect(details.first?["column"] as? String == "amount")
            #expect(details.first?["value"] as? String == "1.5.0")
            #expect(try fixture.workspace.payments().map(\.reference) == ["PAY-1"])

            let note =
                "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\nSO15-1099,1,NL1001,2015-07-20,2015-07-20,CP-8865-K9,,-1250.00,USD,\n"
            let imported = try await client.execute(
                uri: "/api/v1/imports/bookings", method: .post, headers: Fixture.headers(admin), body: ByteBuffer(string: note))
            #expect(imported.status == .ok, "\(imported.text)")
            let run = try await client.execute(uri: "/api/v1/runs", method: .post, headers: Fixture.headers(admin))
            #expect(run.status == .created)
            let final = try await Self.post(
                client, "/api/v1/runs/2/approvals", admin, ["kind": "final", "on": "2015-10-01", "programs": ["VIP25-6M"]])
            #expect(final.status == .created, "\(final.text)")
            let vip = try #require((try final.json()["programs"] as? [[String: Any]])?.first)
            #expect(vip["total"] as? String == "-200.00" && vip["clawbacks"] as? String == "-200.00" && vip["entries"] as? Int == 1)

            let csv = try await Self.get(client, "/api/v1/partners/NL1001/statement?program=VIP25-6M&as_of=2015-12-31&format=csv", admin)
            #expect(csv.headers[.contentType] == "text/csv; charset=utf-8")
            #expect(
                csv.text == """
                    partner_id,program_id,currency,date,entry,reference,item,entitlement,amount,balance
                    NL1001,VIP25-6M,USD,2015-08-15,interim,approval 3 run 1,collaboration/voice,5552.00,5552.00,5552.00
                    NL1001,VIP25-6M,USD,2015-08-15,interim,approval 3 run 1,data-center/ucs,3450.04,3450.04,9002.04
                    NL1001,VIP25-6M,USD,2015-09-01,payment,PAY-1,,,-9002.04,0.00
                    NL1001,VIP25-6M,USD,2015-10-01,final,approval 4 run 2,collaboration/voice,5352.00,-200.00,-200.00
                    NL1001,VIP25-6M,USD,2015-10-01,final,approval 4 run 2,data-center/ucs,3450.04,0.00,-200.00
                    NL1001,VIP25-6M,USD,2015-12-31,balance,,,,,-200.00

                    """)
            let statement = try await Self.get(client, "/api/v1/partners/NL1001/statement?program=VIP25-6M&as_of=2015-12-31", fixture.partner)
            #expect(statement.status == .ok)
            let one = try #require((try statement.json()["statements"] as? [[String: Any]])?.first)
            #expect(one["entitled"] as? String == "8802.04" && one["paid"] as? String == "9002.04" && one["balance"] as? String == "-200.00")
            let approvals = try #require(one["approvals"] as? [[String: Any]])
            #expect(approvals.map { $0["delta"] as? String } == ["9002.04", "-200.00"])
            #expect(approvals.map { $0["by"] as? String } == ["ada (account)", "ada (account)"])
            // Before the final approval the balance was 0.00.
            let earlier = try await Self.get(client, "/api/v1/partners/NL1001/statement?program=VIP25-6M&as_of=2015-09-30", fixture.partner)
            #expect(((try earlier.json()["statements"] as? [[String: Any]])?.first?["balance"] as? String) == "0.00")
            // The advice route carries the same balance, typed, under `ledger` (as `advise --format json` does).
            let advice = try await Self.get(client, "/api/v1/partners/NL1001/advice?as_of=2015-12-31", fixture.partner)
            #expect(advice.status == .ok, "\(advice.text)")
            let ledger = try #require(try advice.json()["ledger"] as? [String: Any])
            #expect(ledger["horizon_days"] as? Int == 90)
            let balances = try #require(ledger["balances_due"] as? [[String: Any]])
            #expect(balances.map { $0["program_id"] as? String } == ["VIP25-6M"])
            #expect(balances.first?["amount"] as? String == "-200.00" && balances.first?["currency"] as? String == "USD")

            // The program is closed: another approval is 409 until it is reopened with a reason.
            let closed = try await Self.post(client, "/api/v1/runs/2/approvals", admin, ["kind": "interim", "programs": ["VIP25-6M"]])
            #expect(closed.status == .conflict)
            #expect(try closed.errorCode() == "conflict")
            #expect(
                (try closed.json()["error"] as? [String: Any])?["message"] as? String
                    == "VIP25-6M is closed by the final approval 4 of run 2 on 2015-10-01; it must be reopened (with a reason) before another approval; nothing was approved"
            )
            let noReason = try await Self.post(client, "/api/v1/programs/VIP25-6M/reopen", admin, ["reason": " "])
            #expect(noReason.status == .badRequest)
            let reopened = try await Self.post(client, "/api/v1/programs/VIP25-6M/reopen", admin, ["reason": "late credit note"])
            #expect(reopened.status == .ok)
            #expect(try reopened.json()["reopened"] as? Bool == true)
            let reopenedAgain = try await Self.post(client, "/api/v1/programs/VIP25-6M/reopen", admin, ["reason": "again"])
            #expect((try reopenedAgain.json()["reopened"] as? Bool) == false)
            // Reopened, the program takes another approval (run 2 as interim: nothing new to post for NL1001).
            let interimAgain = try await Self.post(client, "/api/v1/runs/2/approvals", admin, ["kind": "interim", "programs": ["VIP25-6M"]])
            #expect(interimAgain.status == .created, "\(interimAgain.text)")
            #expect(((try interimAgain.json()["programs"] as? [[String: Any]])?.first?["entries"] as? Int) == 0)

            let payments = try await Self.get(client, "/api/v1/payments", fixture.partner)
            let items = try #require(try payments.json()["items"] as? [[String: Any]])
            #expect(items.map { $0["reference"] as? String } == ["PAY-1"])
            #expect(items.first?["amount"] as? String == "9002.04" && items.first?["by"] as? String == "ada (account)")
        }
    }

    /// An MDF allocation through request, approval, claim with a PDF proof, claim approval and payment; the wallet's
    /// numbers after each step (NL1005: 1,273.01 USD allocated on 2015-08-15).
    @Test func theFundsFlowFromAllocationToPaidClaim() async throws {
        let (fixture, nl5) = try await Self.approvedFixture()
        defer { fixture.remove() }
        let admin = fixture.admin
        try await fixture.serve { client in
            let approved = try await Self.post(client, "/api/v1/runs/1/approvals", admin, ["kind": "interim", "on": "2015-08-15"])
            #expect(approved.status == .created)
            var wallet = try Self.wallet(try await Self.get(client, "/api/v1/partners/NL1005/funds", nl5))
            #expect(wallet["funds"] as? String == "1273.01" && wallet["available"] as? String == "1273.01")
            let allocations = try #require(wallet["allocations"] as? [[String: Any]])
            #expect(allocations.map { $0["valid_through"] as? String } == ["2016-08-14"])

            let filed = try await Self.post(
                client, "/api/v1/partners/NL1005/fund-requests", nl5,
                ["program_id": Self.mdf, "activity": "Roadshow", "planned_cost": "1000.00", "starts_on": "2015-08-20", "ends_on": "2015-08-31"])
            #expect(filed.status == .created, "\(filed.text)")
            let requestID = try #require(try filed.json()["id"] as? Int)
            #expect(((try filed.json()["request"] as? [String: Any])?["status"] as? String) == "pending")
            wallet = try #require(try filed.json()["wallet"] as? [String: Any])
            #expect(wallet["pending"] as? String == "1000.00" && wallet["available"] as? String == "273.01")

            let queue = try await Self.get(client, "/api/v1/fund-requests?status=pending", admin)
            #expect((try queue.json()["items"] as? [[String: Any]])?.map { $0["id"] as? Int } == [requestID])

            let decided = try await Self.post(client, "/api/v1/fund-requests/\(requestID)/approve", admin, ["amount": "900.00"])
            #expect(decided.status == .ok, "\(decided.text)")
            wallet = try #require(try decided.json()["wallet"] as? [String: Any])
            #expect(wallet["held"] as? String == "900.00" && wallet["free"] as? String == "373.01" && wallet["available"] as? String == "373.01")

            let claim = try await Self.post(
                client, "/api/v1/fund-requests/\(requestID)/claims", nl5,
                ["actual_cost": "950.00", "proofs": [["file_name": "invoice.pdf", "content_base64": Self.pdf.base64EncodedString()]]])
            #expect(claim.status == .created, "\(claim.text)")
            let claimDocument = try #require(try claim.json()["claim"] as? [String: Any])
            let claimID = try #require(claimDocument["id"] as? Int)
            let proofs = try #require(claimDocument["proofs"] as? [[String: Any]])
            #expect(proofs.map { $0["sha256"] as? String } == [Self.pdfSHA256])
            #expect(proofs.first?["content_type"] as? String == "application/pdf" && proofs.first?["size"] as? Int == Self.pdf.count)

            let file = try await Self.get(client, "/api/v1/claims/\(claimID)/proofs/1", nl5)
            #expect(file.status == .ok)
            #expect(file.headers[.contentType] == "application/pdf")
            #expect(Data(file.body.readableBytesView) == Self.pdf)
            let noSecond = try await Self.get(client, "/api/v1/claims/\(claimID)/proofs/2", nl5)
            #expect(noSecond.status == .notFound)

            // A proof that is not a PDF, PNG or JPEG is refused (another request would be needed; this one has a claim).
            let text = try await Self.post(
                client, "/api/v1/fund-requests/\(requestID)/claims", admin,
                ["actual_cost": "10.00", "proofs": [["file_name": "notes.txt", "content_base64": Data("hello".utf8).base64EncodedString()]]])
            #expect(text.status == .unprocessableContent || text.status == .conflict, "\(text.text)")

            let submitted = try await Self.get(client, "/api/v1/claims?status=submitted", admin)
            #expect((try submitted.json()["items"] as? [[String: Any]])?.map { $0["id"] as? Int } == [claimID])

            let claimApproved = try await Self.post(client, "/api/v1/claims/\(claimID)/approve", admin)
            #expect(claimApproved.status == .ok, "\(claimApproved.text)")
            #expect(((try claimApproved.json()["claim"] as? [String: Any])?["approved"] as? String) == "900.00")

            let noReference = try await Self.post(client, "/api/v1/claims/\(claimID)/pay", admin, ["reference": ""])
            #expect(noReference.status == .badRequest)
            let paid = try await Self.post(client, "/api/v1/claims/\(claimID)/pay", admin, ["reference": "CR-1", "paid_on": "2015-09-01"])
            #expect(paid.status == .ok, "\(paid.text)")
            let posted = try #require(try paid.json()["posted"] as? [[String: Any]])
            #expect(posted.map { $0["kind"] as? String } == ["claim_paid"] && posted.first?["amount"] as? String == "-900.00")
            wallet = try #require(try paid.json()["wallet"] as? [String: Any])
            #expect(wallet["funds"] as? String == "373.01" && wallet["held"] as? String == "0.00" && wallet["available"] as? String == "373.01")
            let paidAgain = try await Self.post(client, "/api/v1/claims/\(claimID)/pay", admin, ["reference": "CR-1", "paid_on": "2015-09-01"])
            #expect(paidAgain.status == .ok, "\(paidAgain.text)")
            #expect(try paidAgain.json()["changed"] as? Bool == false)

            let statement = try await Self.get(client, "/api/v1/partners/NL1005/statement?program=\(Self.mdf)&as_of=2015-09-01", nl5)
            let one = try #require((try statement.json()["statements"] as? [[String: Any]])?.first)
            #expect(one["balance"] as? String == "373.01")
            let requests = try await Self.get(client, "/api/v1/fund-requests", nl5)
            #expect((try requests.json()["items"] as? [[String: Any]])?.map { $0["status"] as? String } == ["closed"])
        }
    }

    /// `POST /claims/{id}/withdraw`: the partner user withdraws its own claim (its request stays approved and takes a new
    /// claim); another partner's user gets 404; withdrawing it again changes nothing and says so (200, as withdrawing a
    /// request twice); a rejected claim cannot be withdrawn (409).
    @Test func aPartnerWithdrawsItsOwnClaim() async throws {
        let (fixture, nl5) = try await Self.approvedFixture()
        defer { fixture.remove() }
        let admin = fixture.admin, nl1 = fixture.partner
        try await fixture.serve { client in
            _ = try await Self.post(client, "/api/v1/runs/1/approvals", admin, ["kind": "interim", "on": "2015-08-15"])
            _ = try await Self.post(
                client, "/api/v1/partners/NL1005/fund-requests", nl5,
                ["program_id": Self.mdf, "activity": "Roadshow", "planned_cost": "400.00", "starts_on": "2015-08-20", "ends_on": "2015-08-31"])
            #expect(try await Self.post(client, "/api/v1/fund-requests/1/approve", admin).status == .ok)
            let proofs = [["file_name": "a.pdf", "content_base64": Self.pdf.base64EncodedString()]]
            let claim = try await Self.post(client, "/api/v1/fund-requests/1/claims", nl5, ["actual_cost": "350.00", "proofs": proofs])
            #expect(claim.status == .created, "\(claim.text)")

            let intruder = try await Self.post(client, "/api/v1/claims/1/withdraw", nl1)
            #expect(intruder.status == .notFound)
            #expect(try await Self.post(client, "/api/v1/claims/99/withdraw", admin).status == .notFound)
            #expect(try fixture.workspace.claims().map(\.status) == [.submitted])

            let withdrawn = try await Self.post(client, "/api/v1/claims/1/withdraw", nl5)
            #expect(withdrawn.status == .ok, "\(withdrawn.text)")
            #expect(try withdrawn.json()["changed"] as? Bool == true)
            #expect(((try withdrawn.json()["claim"] as? [String: Any])?["status"] as? String) == "withdrawn")
            // The request keeps its 400.00 of the 1,273.01: 873.01 free.
            let wallet = try #require(try withdrawn.json()["wallet"] as? [String: Any])
            #expect(wallet["held"] as? String == "400.00" && wallet["free"] as? String == "873.01" && wallet["available"] as? String == "873.01")
            #expect(try fixture.workspace.claims().map(\.status) == [.withdrawn])
            #expect(try fixture.workspace.fundRequests().map(\.status) == [.approved])
            let audited = try fixture.workspace.auditLog(AuditFilter(action: "claim_withdraw")).items
            #expect(audited.map(\.actor.name) == ["nl5"] && audited.map(\.subject) == ["claim 1"])

            let again = try await Self.post(client, "/api/v1/claims/1/withdraw", nl5)
            #expect(again.status == .ok)
            #expect(try again.json()["changed"] as? Bool == false)
            #expect(try again.json()["message"] as? String == "claim 1 is already withdrawn; nothing changed")
            #expect(try fixture.workspace.auditLog(AuditFilter(action: "claim_withdraw")).total == 1)

            // A new claim on the same request, rejected by the admin: withdrawing it is 409, it stays rejected.
            let second = try await Self.post(client, "/api/v1/fund-requests/1/claims", nl5, ["actual_cost": "300.00", "proofs": proofs])
            #expect(second.status == .created, "\(second.text)")
            #expect(try await Self.post(client, "/api/v1/claims/2/reject", admin, ["reason": "no receipt"]).status == .ok)
            let late = try await Self.post(client, "/api/v1/claims/2/withdraw", nl5)
            #expect(late.status == .conflict, "\(late.text)")
            #expect(
                (try late.json()["error"] as? [String: Any])?["message"] as? String
                    == "claim 2 is rejected; only a submitted or approved claim can be withdrawn; nothing was changed")
            #expect(try fixture.workspace.claims().map(\.status) == [.withdrawn, .rejected])
        }
    }

    /// Every new route: a partner user gets 404 for another partner's data (as if it did not exist) and 403 for what
    /// only an admin may do; its own lists hold only its own.
    @Test func aPartnerReachesOnlyItsOwnLedgerAndNoAdminAction() async throws {
        let (fixture, nl5) = try await Self.approvedFixture()
        defer { fixture.remove() }
        let admin = fixture.admin, nl1 = fixture.partner
        try await fixture.serve { client in
            _ = try await Self.post(client, "/api/v1/runs/1/approvals", admin, ["kind": "interim", "on": "2015-08-15"])
            _ = try await Self.post(
                client, "/api/v1/partners/NL1005/fund-requests", nl5,
                ["program_id": Self.mdf, "activity": "Roadshow", "planned_cost": "100.00", "starts_on": "2015-08-20", "ends_on": "2015-08-31"])
            _ = try await Self.post(client, "/api/v1/fund-requests/1/approve", admin)
            let claim = try await Self.post(
                client, "/api/v1/fund-requests/1/claims", nl5,
                ["actual_cost": "100.00", "proofs": [["file_name": "a.pdf", "content_base64": Self.pdf.base64EncodedString()]]])
            #expect(claim.status == .created)
            let state = try fixture.workspace.fundRequests()
            #expect(state.map(\.status.rawValue) == ["approved"])

            // 404: NL1005's data, to NL1001's user.
            for uri in [
                "/api/v1/partners/NL1005/statement", "/api/v1/partners/NL1005/funds", "/api/v1/payments?partner=NL1005",
                "/api/v1/fund-requests?partner=NL1005", "/api/v1/claims?partner=NL1005", "/api/v1/claims/1/proofs/1",
            ] {
                let response = try await Self.get(client, uri, nl1)
                #expect(response.status == .notFound, "GET \(uri): \(response.status.code)")
            }
            let body: [String: Any] = [
                "program_id": Self.mdf, "activity": "x", "planned_cost": "1.00", "starts_on": "2015-08-20", "ends_on": "2015-08-31",
                "actual_cost": "1.00", "proofs": [["file_name": "a.pdf", "content_base64": Self.pdf.base64EncodedString()]],
            ]
            for uri in ["/api/v1/partners/NL1005/fund-requests", "/api/v1/fund-requests/1/withdraw", "/api/v1/fund-requests/1/claims"] {
                let response = try await Self.post(client, uri, nl1, body)
                #expect(response.status == .notFound, "POST \(uri): \(response.status.code)")
            }
            // 403: admin actions, whatever the partner.
            for uri in [
                "/api/v1/runs/1/approvals", "/api/v1/programs/VIP25-6M/reopen", "/api/v1/payments", "/api/v1/fund-requests/1/approve",
                "/api/v1/fund-requests/1/reject", "/api/v1/claims/1/approve", "/api/v1/claims/1/reject", "/api/v1/claims/1/pay",
            ] {
                for token in [nl1, nl5] {
                    let response = try await Self.post(client, uri, token, ["kind": "final", "reason": "x", "reference": "R"])
                    #expect(response.status == .forbidden, "POST \(uri): \(response.status.code)")
                }
            }
            // Their own lists hold only their own.
            let own = try await Self.get(client, "/api/v1/fund-requests", nl1)
            #expect((try own.json()["items"] as? [[String: Any]])?.isEmpty == true)
            let ownClaims = try await Self.get(client, "/api/v1/claims", nl1)
            #expect((try ownClaims.json()["items"] as? [[String: Any]])?.isEmpty == true)
            let mine = try await Self.get(client, "/api/v1/claims", nl5)
            #expect((try mine.json()["items"] as? [[String: Any]])?.map { $0["id"] as? Int } == [1])
            #expect(try await Self.get(client, "/api/v1/claims/1/proofs/1", nl5).status == .ok)
            // Nothing the refused calls asked for happened.
            #expect(try fixture.workspace.fundRequests().map(\.status.rawValue) == ["approved"])
            #expect(try fixture.workspace.claims().map(\.status.rawValue) == ["submitted"])
            #expect(try fixture.workspace.approvals().count == 3)
            #expect(try fixture.workspace.payments().isEmpty)
        }
    }

    /// Two approvals of requests that together exceed the free funds, sent at the same moment on two connections:
    /// exactly one succeeds; the other is 409 and the wallet holds only the one.
    @Test func twoApprovalsAtOnceThatTogetherExceedTheFundsExactlyOneSucceeds() async throws {
        let (fixture, nl5) = try await Self.approvedFixture()
        defer { fixture.remove() }
        let admin = fixture.admin
        try await fixture.serve { client in
            _ = try await Self.post(client, "/api/v1/runs/1/approvals", admin, ["kind": "interim", "on": "2015-08-15"])
            for _ in 0..<2 {
                let filed = try await Self.post(
                    client, "/api/v1/partners/NL1005/fund-requests", nl5,
                    ["program_id": Self.mdf, "activity": "Event", "planned_cost": "800.00", "starts_on": "2015-09-10", "ends_on": "2015-09-20"])
                #expect(filed.status == .created)
            }
            let port = try #require(client.port)
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for id in [1, 2] {
                    group.addTask {
                        try await TestClient.withClient(host: "127.0.0.1", port: port) { other in
                            let request = TestClient.Request(
                                "/api/v1/fund-requests/\(id)/approve", method: .post, headers: Fixture.headers(admin))
                            return try await other.execute(request).status
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == .ok }.count == 1, "\(statuses)")
            #expect(statuses.filter { $0 == .conflict }.count == 1, "\(statuses)")
            let wallet = try Self.wallet(try await Self.get(client, "/api/v1/partners/NL1005/funds", admin))
            #expect(wallet["held"] as? String == "800.00" && wallet["free"] as? String == "473.01")
            #expect(try fixture.workspace.fundRequests().map(\.status.rawValue).sorted() == ["approved", "pending"])
        }
    }
}
