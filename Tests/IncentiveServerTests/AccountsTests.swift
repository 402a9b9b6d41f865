import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import IncentiveStore
import NIOCore
import Synchronization
import Testing

@testable import IncentiveServer

/// A clock the tests move by hand: the throttle is tested without sleeping.
final class ManualClock: Sendable {
    private let instant = Mutex(ContinuousClock.now)
    var now: ContinuousClock.Instant { instant.withLock { $0 } }
    func advance(_ duration: Duration) { instant.withLock { $0 += duration } }
}

/// Accounts on the server (issue 11): revocation and expiry take effect on the next request, even for
/// answers the server has cached; the users page; the password policy; sign-in throttling and the bcrypt pool.
@Suite struct AccountsTests {
    static let form = PageTests.form

    /// A form post with the jar's cookies.
    static func post(_ client: any TestClientProtocol, _ uri: String, _ jar: CookieJar, _ body: String) async throws -> TestResponse {
        var headers = form
        for field in jar.header { headers.append(field) }
        return try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, token: String) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: Fixture.headers(token))
    }

    // MARK: Taking access back

    /// The explanation of a stored run is cached; a revoked token must not reach it, nor anything else.
    @Test func aRevokedTokenIsRefusedOnTheNextRequestCachedOrNot() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let uri = "/api/v1/runs/1/partners/NL1001"
            let first = try await Self.get(client, uri, token: fixture.partner)
            #expect(first.status == .ok)
            #expect(first.text.contains("NL1001"))
            let (revoked, changed) = try fixture.workspace.revokeToken(id: Accounts.tokenID(fixture.partner))
            #expect(changed && revoked.user == "nl1")
            for uri in [uri, "/api/v1/runs", "/api/v1/partners/NL1001"] {
                let after = try await Self.get(client, uri, token: fixture.partner)
                #expect(after.status == .unauthorized, "\(uri)")
                #expect(try after.errorCode() == "unauthorized")
                #expect(!after.text.contains("checks"), "\(uri)")
            }
            // Other tokens are untouched, and the cached answer is still there for them.
            let admin = try await Self.get(client, uri, token: fixture.admin)
            #expect(admin.status == .ok)
            #expect(admin.text == first.text)
        }
    }

    @Test func anExpiredTokenIsRefusedWithItsReason() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let token = "inc_" + String(repeating: "0e", count: 32)
        let record = try fixture.workspace.addToken(hash: Accounts.digest(token), user: "ada", expires: Date().addingTimeInterval(-1))
        try await fixture.serve { client in
            let response = try await Self.get(client, "/api/v1/runs", token: token)
            #expect(response.status == .unauthorized)
            let message = try #require((try response.json()["error"] as? [String: Any])?["message"] as? String)
            #expect(message == "the token expired at \(record.expiresAt!); create a new one with: incentives tokens create")
        }
    }

    /// Disabling a user ends its page session at once (the partner page it saw is cached) and holds its
    /// tokens; enabling gives the tokens back, not the session.
    @Test func disablingAUserTakesEffectOnItsNextRequest() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            let page = try await client.execute(uri: "/partners/NL1001", method: .get, headers: jar.header)
            #expect(page.status == .ok)
            #expect(page.text.contains("Amsterdam Data Systems B.V."))
            #expect(try await Self.get(client, "/api/v1/partners/NL1001", token: fixture.partner).status == .ok)

            _ = try fixture.workspace.disableUser("nl1")
            let again = try await client.execute(uri: "/partners/NL1001", method: .get, headers: jar.header)
            #expect(again.status == .seeOther)
            #expect(again.headers[.location] == "/login")
            #expect(!again.text.contains("Amsterdam"))
            let api = try await Self.get(client, "/api/v1/partners/NL1001", token: fixture.partner)
            #expect(api.status == .unauthorized)
            #expect(api.text.contains("the token's user is disabled"))
            // A disabled user cannot sign in either, and is told no more than for a wrong password.
            let (_, refused) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            #expect(refused.status == .unauthorized)
            #expect(refused.text.contains("Wrong name or password."))

            _ = try fixture.workspace.enableUser("nl1")
            #expect(try await Self.get(client, "/api/v1/partners/NL1001", token: fixture.partner).status == .ok)
            #expect(try await client.execute(uri: "/partners/NL1001", method: .get, headers: jar.header).status == .seeOther)
        }
    }

    @Test func deletingAUserRevokesItsTokens() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            _ = try fixture.workspace.deleteUser("nl1")
            let api = try await Self.get(client, "/api/v1/partners/NL1001", token: fixture.partner)
            #expect(api.status == .unauthorized)
            #expect(api.text.contains("unknown or revoked token"))
            #expect(try fixture.workspace.tokens(user: "nl1").map(\.status) == [.revoked])
        }
    }

    // MARK: The users page

    @Test func theUsersPageIsForAdminsOnly() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let anonymous = try await client.execute(uri: "/users", method: .get)
            #expect(anonymous.status == .seeOther)
            #expect(anonymous.headers[.location] == "/login")
            let (partnerJar, _) = try await PageTests.signIn(client, name: "nl1", password: "partner-secret")
            #expect(try await client.execute(uri: "/users", method: .get, headers: partnerJar.header).status == .notFound)
            let csrf = try #require(try await client.execute(uri: "/programs", method: .get, headers: partnerJar.header).csrf)
            let post = try await Self.post(client, "/users/disable", partnerJar, "csrf=\(csrf)&name=ada")
            #expect(post.status == .notFound)
            #expect(try fixture.workspace.user(named: "ada")?.status == .active)
            #expect(try await Self.get(client, "/users", token: fixture.admin).status == .seeOther)

            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let page = try await client.execute(uri: "/users", method: .get, headers: jar.header)
            #expect(page.status == .ok)
            for text in [
                "<h2>ada <span class=\"status active\">active</span></h2>", "<h2>nl1 <span class=\"status active\">active</span></h2>",
                "<a href=\"/partners/NL1001\">NL1001</a>", "<code>\(Accounts.tokenID(fixture.admin))</code>",
                "<code>\(Accounts.tokenID(fixture.partner))</code>", "<a href=\"/users\">Users</a>",
            ] {
                #expect(page.text.contains(text), "\(text)")
            }
            #expect(!page.text.contains(fixture.partner))
            let dutch = try await client.execute(uri: "/users?lang=nl", method: .get, headers: jar.header)
            #expect(dutch.text.contains("<h1>Gebruikers</h1>"))
            #expect(dutch.text.contains(">geldig<"))
            #expect(!dutch.text.contains(">valid<"))
        }
    }

    @Test func theUsersPageDisablesRevokesSetsPasswordsAndDeletes() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            let (jar, _) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            let csrf = try #require(try await client.execute(uri: "/users", method: .get, headers: jar.header).csrf)

            let forged = try await Self.post(client, "/users/disable", jar, "csrf=forged&name=nl1")
            #expect(forged.status == .forbidden)
            #expect(try fixture.workspace.user(named: "nl1")?.status == .active)

            let disabled = try await Self.post(client, "/users/disable", jar, "csrf=\(csrf)&name=nl1")
            #expect(disabled.status == .ok)
            #expect(disabled.text.contains("nl1 is disabled: their sessions have ended and their tokens are refused."))
            #expect(disabled.text.contains("<h2>nl1 <span class=\"status disabled\">disabled</span></h2>"))
            #expect(try await Self.get(client, "/api/v1/runs", token: fixture.partner).status == .unauthorized)

            let own = try await Self.post(client, "/users/delete", jar, "csrf=\(csrf)&name=ada&confirm=ada")
            #expect(own.status == .unprocessableContent)
            #expect(own.text.contains("You cannot disable or delete your own account."))

            let id = Accounts.tokenID(fixture.partner)
            let revoked = try await Self.post(client, "/tokens/revoke", jar, "csrf=\(csrf)&id=\(id)")
            #expect(revoked.text.contains("Token \(id) of nl1 is revoked."))
            #expect(try fixture.workspace.tokens(user: "nl1").map(\.status) == [.revoked])
            #expect(try fixture.workspace.accountEvents(user: "nl1").last?.source == "page:ada")

            let short = try await Self.post(client, "/users/password", jar, "csrf=\(csrf)&name=nl1&password=short&again=short")
            #expect(short.status == .unprocessableContent)
            #expect(short.text.contains("A password needs at least 12 characters (this one has 5)."))
            let differ = try await Self.post(client, "/users/password", jar, "csrf=\(csrf)&name=nl1&password=correct-horse-1&again=correct-horse-2")
            #expect(differ.text.contains("The two passwords differ; nothing was changed."))
            let set = try await Self.post(client, "/users/password", jar, "csrf=\(csrf)&name=nl1&password=correct-horse-1&again=correct-horse-1")
            #expect(set.status == .ok)
            #expect(set.text.contains("New password set for nl1; their sessions have ended."))
            let enabled = try await Self.post(client, "/users/enable", jar, "csrf=\(csrf)&name=nl1")
            #expect(enabled.text.contains("nl1 can sign in again."))
            #expect(try await PageTests.signIn(client, name: "nl1", password: "partner-secret").1.status == .unauthorized)
            #expect(try await PageTests.signIn(client, name: "nl1", password: "correct-horse-1").1.status == .seeOther)

            let unconfirmed = try await Self.post(client, "/users/delete", jar, "csrf=\(csrf)&name=nl1&confirm=nl")
            #expect(unconfirmed.status == .unprocessableContent)
            #expect(try fixture.workspace.user(named: "nl1")?.status == .active)
            let deleted = try await Self.post(client, "/users/delete", jar, "csrf=\(csrf)&name=nl1&confirm=nl1")
            #expect(deleted.text.contains("nl1 is deleted"))
            #expect(deleted.text.contains("<h2>nl1 <span class=\"status deleted\">deleted</span></h2>"))
            #expect(try fixture.workspace.user(named: "nl1")?.status == .deleted)

            // A new password of one's own ends one's own session too.
            let mine = try await Self.post(client, "/users/password", jar, "csrf=\(csrf)&name=ada&password=a-new-secret-1&again=a-new-secret-1")
            #expect(mine.status == .seeOther)
            #expect(mine.headers[.location] == "/login")
            #expect(try await client.execute(uri: "/users", method: .get, headers: jar.header).status == .seeOther)
        }
    }

    // MARK: Sign-in throttling

    /// Wrong passwords for one name: after 5, the next is refused with 429 and Retry-After, without a
    /// password check. (The server's clock is real: the loop allows a slow machine to let one more through.)
    @Test func wrongPasswordsForANameAreThrottled() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            var wrong = 0
            var throttled: TestResponse?
            while throttled == nil && wrong < 12 {
                let (_, response) = try await PageTests.signIn(client, name: "ada", password: "guess-\(wrong)")
                if response.status == .tooManyRequests { throttled = response } else { wrong += 1 }
                #expect(response.status == .unauthorized || response.status == .tooManyRequests)
            }
            let response = try #require(throttled)
            #expect(wrong >= 5)
            let retryAfter = try #require(response.headers[.retryAfter].flatMap { Int($0) })
            #expect(retryAfter >= 1 && retryAfter <= 1 << (wrong - 5))
            let wait = retryAfter == 1 ? "1 second" : "\(retryAfter) seconds"
            #expect(response.text.contains("Too many sign-in attempts. Try again in \(wait)."))
            #expect(response.csrf != nil)
        }
    }

    /// Many names from one address are held back by the address.
    @Test func manyNamesFromOneAddressAreThrottled() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<12 where !statuses.contains(.tooManyRequests) {
                statuses.append(try await PageTests.signIn(client, name: "someone-\(index)", password: "admin-secret").1.status)
            }
            #expect(statuses.last == .tooManyRequests)
            #expect(statuses.dropLast().count >= 5)
            #expect(statuses.dropLast().allSatisfy { $0 == .unauthorized })
        }
    }

    @Test func guessingSignInLinksIsThrottled() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        try await fixture.serve { client in
            var statuses: [HTTPResponse.Status] = []
            for index in 0..<12 where !statuses.contains(.tooManyRequests) {
                statuses.append(try await client.execute(uri: "/login/link?key=guess\(index)", method: .get).status)
            }
            #expect(statuses.last == .tooManyRequests)
            #expect(statuses.dropLast().count >= 5)
            #expect(statuses.dropLast().allSatisfy { $0 == .unauthorized })
        }
    }

    /// The server `IncentivesServer.application` builds, with a sign-in guard of the test's making.
    static func application(_ fixture: Fixture, signIn: SignInGuard) -> some ApplicationProtocol {
        var options = fixture.options
        options.port = 0
        return IncentivesServer.application(workspace: fixture.workspace, options: options, signIn: signIn)
    }

    /// While every bcrypt thread is taken, sign-ins are refused at once (503, Retry-After: 1, not counted
    /// against the name) and the API answers as usual: password checks never hold up other requests.
    @Test func aFullBcryptPoolRefusesSignInsAndLeavesTheAPIAlone() async throws {
        let fixture = try Fixture()
        defer { fixture.remove() }
        let pool = BcryptPool(width: 1, waitingLimit: 0)
        let signIn = SignInGuard(workspace: fixture.workspace, pool: pool)
        let gate = DispatchSemaphore(value: 0)
        try await Self.application(fixture, signIn: signIn).test(.live) { client in
            async let held: Void = pool.run { gate.wait() }
            while pool.load == 0 { await Task.yield() }
            for _ in 0..<6 {
                let (_, busy) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
                #expect(busy.status == .serviceUnavailable)
                #expect(busy.headers[.retryAfter] == "1")
                #expect(busy.text.contains("The server is busy checking other sign-ins."))
            }
            let api = try await Self.get(client, "/api/v1/runs", token: fixture.admin)
            #expect(api.status == .ok)
            gate.signal()
            try await held
            // The refused attempts did not count: six of them would have held the name back.
            let (_, signedIn) = try await PageTests.signIn(client, name: "ada", password: "admin-secret")
            #expect(signedIn.status == .seeOther)
        }
    }

    // MARK: The throttle, by its clock

    @Test func theThrottleDoublesItsDelayUpToTheCap() {
        let clock = ManualClock()
        let throttle = LoginThrottle(now: { clock.now })
        let keys: [LoginThrottle.Key] = [.user("Ada"), .address("10.0.0.1")]
        for _ in 0..<5 { #expect(throttle.begin(keys) == .allowed) }
        #expect(throttle.begin(keys) == .refused(retryAfter: 1))
        // The name is compared without regard to case and surrounding spaces.
        #expect(throttle.begin([.user(" ADA ")]) == .refused(retryAfter: 1))
        var expected: [Int] = []
        var seen: [Int] = []
        for step in 0..<12 {
            let delay = min(1 << step, 900)
            expected.append(delay)
            clock.advance(.milliseconds(delay * 1000 - 1))
            if case .refused(let seconds) = throttle.begin(keys) { seen.append(seconds) }
            clock.advance(.milliseconds(1))
            #expect(throttle.begin(keys) == .allowed)
        }
        #expect(seen == Array(repeating: 1, count: 12))
        #expect(expected.last == 900)
        #expect(throttle.begin(keys) == .refused(retryAfter: 900))
        // Another address and another name are not held back by these.
        #expect(throttle.begin([.user("grace"), .address("10.0.0.2")]) == .allowed)
    }

    @Test func aSuccessClearsTheNameButNotTheAddress() {
        let clock = ManualClock()
        let throttle = LoginThrottle(now: { clock.now })
        let name = LoginThrottle.Key.user("ada"), address = LoginThrottle.Key.address("10.0.0.1")
        for _ in 0..<4 { #expect(throttle.begin([name, address]) == .allowed) }
        #expect(throttle.begin([name, address]) == .allowed)
        throttle.succeeded(name: name, address: address)
        // The name starts afresh; the address keeps its four failures, and a fifth holds it back.
        #expect(throttle.begin([.user("grace"), address]) == .allowed)
        #expect(throttle.begin([name]) == .allowed)
        #expect(throttle.begin([.user("linus"), address]) == .refused(retryAfter: 1))
        // An attempt that could not be checked does not count.
        throttle.cancelled([.address("10.0.0.9")])
        for _ in 0..<5 {
            #expect(throttle.begin([.address("10.0.0.9")]) == .allowed)
            throttle.cancelled([.address("10.0.0.9")])
        }
        #expect(throttle.begin([.address("10.0.0.9")]) == .allowed)
    }

    /// A burst of simultaneous attempts counts as it starts: the sixth is held back before any is answered.
    @Test func aBurstIsHeldBackAsItStarts() {
        let clock = ManualClock()
        let throttle = LoginThrottle(now: { clock.now })
        let decisions = (0..<20).map { index in throttle.begin([.user("user\(index)"), .address("10.0.0.1")]) }
        #expect(decisions.filter { $0 == .allowed }.count == 5)
        #expect(decisions.dropFirst(5).allSatisfy { $0 == .refused(retryAfter: 1) })
    }

    @Test func theThrottleForgetsAndStaysBounded() {
        let clock = ManualClock()
        var policy = LoginThrottle.Policy()
        policy.capacity = 100
        let throttle = LoginThrottle(policy: policy, now: { clock.now })
        for _ in 0..<5 { _ = throttle.begin([.address("10.0.0.1")]) }
        #expect(throttle.begin([.address("10.0.0.1")]) == .refused(retryAfter: 1))
        clock.advance(.seconds(15 * 60))
        #expect(throttle.begin([.address("10.0.0.1")]) == .allowed)
        #expect(throttle.begin([.address("10.0.0.1")]) == .refused(retryAfter: 2))
        // Fifteen quiet minutes after the delay ran out, the address is forgotten.
        clock.advance(.seconds(2 + 15 * 60))
        for _ in 0..<5 { #expect(throttle.begin([.address("10.0.0.1")]) == .allowed) }

        for index in 0..<10_000 { _ = throttle.begin([.user("flood-\(index)")]) }
        #expect(throttle.count <= 100)
    }

    // MARK: The bcrypt pool

    @Test(.timeLimit(.minutes(1))) func thePoolRunsAtMostItsWidthAndRefusesBeyondItsQueue() async throws {
        let pool = BcryptPool(width: 2, waitingLimit: 3)
        let gate = DispatchSemaphore(value: 0)
        final class Running: Sendable {
            let counts = Mutex((now: 0, most: 0))
        }
        let running = Running()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<5 {
                group.addTask {
                    try await pool.run {
                        running.counts.withLock {
                            $0.now += 1
                            $0.most = max($0.most, $0.now)
                        }
                        gate.wait()
                        running.counts.withLock { $0.now -= 1 }
                    }
                }
            }
            // Two jobs start and wait at the gate; the other three wait in the pool's queues, not on threads.
            while pool.load < 5 || running.counts.withLock({ $0.now }) < 2 { await Task.yield() }
            await #expect(throws: BcryptPool.Busy.self) { try await pool.run { () } }
            #expect(running.counts.withLock { $0.now } == 2)
            for _ in 0..<5 { gate.signal() }
            try await group.waitForAll()
        }
        #expect(running.counts.withLock { $0.most } == 2)
        #expect(pool.load == 0)
        #expect(try await pool.run { 6 * 7 } == 42)
    }

    // MARK: Rules

    @Test(arguments: [
        ("short", "ada", PasswordPolicy.Problem?.some(.tooShort(characters: 5))),
        ("            ", "ada", .onlyWhiteSpace),
        ("\t\t\t\t\t\t\n\n\n\n\n\n", "ada", .onlyWhiteSpace),
        ("Ada-Lovelace", "ada-lovelace", .sameAsName),
        (" ADA-LOVELACE ", "ada-lovelace", .sameAsName),
        (String(repeating: "é", count: 37), "ada", .tooLong(bytes: 74)),
        (String(repeating: "x", count: 73), "ada", .tooLong(bytes: 73)),
        ("twelve chars\u{0}", "ada", .containsNUL),
        ("élevenchars", "ada", .tooShort(characters: 11)),
        (String(repeating: "é", count: 36), "ada", nil),
        (String(repeating: "x", count: 72), "ada", nil),
        ("correct horse", "ada", nil),
        ("ada-lovelace", "ada", nil),
    ])
    func thePasswordPolicy(password: String, name: String, problem: PasswordPolicy.Problem?) {
        #expect(PasswordPolicy.problem(password: password, name: name) == problem)
    }

    @Test func policyMessagesSayWhatToDo() {
        #expect(PasswordPolicy.Problem.tooShort(characters: 5).description == "a password needs at least 12 characters (this one has 5)")
        #expect(
            PasswordPolicy.Problem.tooLong(bytes: 80).description
                == "a password can have at most 72 bytes in UTF-8, as bcrypt ignores the rest (this one has 80); choose a shorter one")
    }

    /// bcrypt reads 72 bytes: a longer text with the same start must not pass for the password.
    @Test func aLongerPasswordDoesNotMatchItsFirst72Bytes() {
        let password = String(repeating: "x", count: 72)
        let hash = Accounts.hashPassword(password, cost: 4)
        #expect(Accounts.matches(password, hash: hash))
        #expect(!Accounts.matches(password + "y", hash: hash))
        #expect(!Accounts.matches("twelve chars\u{0}tail", hash: Accounts.hashPassword("twelve chars", cost: 4)))
    }

    /// `serve --demo` makes its admin a password with `generatePassword`: it passes the policy.
    @Test func generatedPasswordsPassThePolicy() {
        for _ in 0..<200 {
            let password = Accounts.generatePassword()
            #expect(password.count == 16)
            #expect(PasswordPolicy.problem(password: password, name: "admin") == nil)
        }
    }

    @Test(arguments: [
        ("1h", TimeInterval?.some(3600)), ("12h", 43_200), ("30d", 2_592_000), ("90d", 7_776_000), ("52w", 31_449_600),
        ("366d", 31_622_400), ("367d", nil), ("53w", nil), ("0d", nil), ("-1d", nil), ("+1d", nil), ("1.5d", nil), ("d", nil),
        ("", nil), ("30", nil), ("30D", nil), ("30 d", nil), ("99999999999999999999d", nil), ("01d", nil),
    ])
    func tokenLifetimes(text: String, seconds: TimeInterval?) {
        #expect(Accounts.tokenLifetime(text) == seconds)
    }

    @Test func waitsAreWrittenInWords() {
        #expect(SignInGuard.wait(1, Language.en.texts) == "1 second")
        #expect(SignInGuard.wait(59, Language.en.texts) == "59 seconds")
        #expect(SignInGuard.wait(60, Language.en.texts) == "1 minute")
        #expect(SignInGuard.wait(61, Language.en.texts) == "2 minutes")
        #expect(SignInGuard.wait(900, Language.nl.texts) == "15 minuten")
        #expect(SignInGuard.wait(1, Language.nl.texts) == "1 seconde")
    }

    @Test func timestampsAreWrittenTheLocalWay() {
        #expect(Language.en.moment("2015-07-25T09:05:00.000Z") == "Jul 25, 2015 09:05 UTC")
        #expect(Language.nl.moment("2015-07-25T09:05:00.000Z") == "25 jul 2015 09:05 UTC")
        #expect(Language.nl.moment(nil) == "—")
    }
}
