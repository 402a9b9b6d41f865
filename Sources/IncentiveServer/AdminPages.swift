import Foundation
import HTTPTypes
import Hummingbird
import IncentiveEngine
import IncentiveStore

/// The accounts side of the server: the users page (`/users`, admins only) with its forms to disable,
/// enable or delete a user, set a password and revoke a token; and the `SignInGuard` in front of the
/// sign-in routes. Register it before the other pages, so its guard is in front of them.
///
/// Every change takes effect on the next request of the user or token concerned (the authenticator
/// reads the workspace on every request) and is written to the account log as made by `page:<admin>`.
struct AdminPages: Sendable {
    let workspace: Workspace
    let pages: Pages
    let signIn: SignInGuard

    init(workspace: Workspace, options: ServerOptions, cache: ResponseCache, signIn: SignInGuard? = nil) {
        self.workspace = workspace
        pages = Pages(workspace: workspace, options: options, cache: cache)
        self.signIn = signIn ?? SignInGuard(workspace: workspace)
    }

    func register(on routes: Routes) {
        routes.router.middlewares.add(signIn)
        routes.get("users") { request, context in try await users(request, context, outcome: nil) }
        routes.post("users/disable") { request, context in try await change(request, context) { try await disable($0) } }
        routes.post("users/enable") { request, context in try await change(request, context) { try await enable($0) } }
        routes.post("users/delete") { request, context in try await change(request, context) { try await delete($0) } }
        routes.post("users/password") { request, context in try await change(request, context) { try await setPassword($0) } }
        routes.post("tokens/revoke") { request, context in try await change(request, context) { try await revoke($0) } }
        routes.get("log") { request, context in try await log(request, context) }
    }

    /// What a form post came to: a line saying what was done, or why nothing was.
    enum Outcome: Sendable {
        case done(String)
        case refused(String)
        /// The admin's own sessions ended (a new password of their own): sign in again.
        case signedOut
    }

    /// What each form needs to know: its fields, the admin who sent it and the page's language.
    struct Post: Sendable {
        var form: [String: String]
        var admin: User
        var language: Language
        var source: String { "page:\(admin.name)" }
        /// Who makes the change, for the audit log: the signed-in admin.
        var actor: Actor { .account(admin.name) }
        var name: String { form["name"] ?? "" }

        /// The text in the page's language, with its `{field}`s filled in.
        func text(_ key: PageText, _ values: [String: String] = [:]) -> String {
            language.text(key, values)
        }
    }

    // MARK: The page

    func users(_ request: Request, _ context: AppContext, outcome: Outcome?) async throws -> Response {
        guard let session = context.session else { return Pages.redirect("/login") }
        guard session.user.role == .admin else { return try pages.notFound(request, context, session: session) }
        let language = Language.of(request)
        let workspace = self.workspace
        let (users, tokens) = try await quick { (try workspace.users(), try workspace.tokens()) }
        var page = UsersPage(
            t: language.texts, csrf: session.csrfToken,
            users: users.map { user in
                let own = tokens.filter { $0.user == user.name }
                return UsersPage.User(
                    name: user.name, role: user.role.rawValue, status: user.status.rawValue, statusText: language.status(user.status),
                    created: language.moment(user.createdAt), active: user.status == .active, deleted: user.status == .deleted,
                    isSelf: user.name == session.user.name, hasTokens: !own.isEmpty,
                    tokens: own.reversed().map { token in
                        UsersPage.User.Token(
                            id: token.id, created: language.moment(token.createdAt), expires: language.moment(token.expiresAt),
                            tokenStatus: language.status(token.status), live: token.status == .active, revoked: token.revokedAt.map(language.moment))
                    }, partner: user.partnerID, since: (user.deletedAt ?? user.disabledAt).map(language.moment))
            })
        var status = HTTPResponse.Status.ok
        switch outcome {
        case .done(let text): page.done = text
        case .refused(let text):
            page.problem = text
            status = .unprocessableContent
        case .signedOut, nil: break
        }
        let frame = pages.frame(request, title: language.text(.users), session: session)
        return try pages.render(.users, page, frame: frame, request: request, status: status)
    }

    /// A form post: an admin's session and its CSRF token, then `action`; the page shows what came of it.
    func change(
        _ request: Request, _ context: AppContext, _ action: (Post) async throws -> Outcome
    ) async throws -> Response {
        guard let session = context.session else { return Pages.redirect("/login") }
        guard session.user.role == .admin else { return try pages.notFound(request, context, session: session) }
        let form = try await Form.read(request)
        try pages.checkCSRF(form, session)
        let post = Post(form: form, admin: session.user, language: Language.of(request))
        let outcome: Outcome
        do {
            outcome = try await action(post)
        } catch let error as WorkspaceError {
            outcome = .refused(error.message)
        }
        if case .signedOut = outcome {
            return Pages.redirect("/login", cookies: ["\(Authenticator.sessionCookie)=; Path=/; Max-Age=0"])
        }
        return try await users(request, context, outcome: outcome)
    }

    // MARK: The forms

    func disable(_ post: Post) async throws -> Outcome {
        guard post.name != post.admin.name else { return .refused(post.text(.notYourself)) }
        let workspace = self.workspace
        let (user, changed) = try await blocking { try workspace.disableUser(post.name, source: post.source, by: post.actor) }
        return .done(post.text(changed ? .userDisabled : .userAlreadyDisabled, ["name": user.name]))
    }

    func enable(_ post: Post) async throws -> Outcome {
        let workspace = self.workspace
        let (user, changed) = try await blocking { try workspace.enableUser(post.name, source: post.source, by: post.actor) }
        return .done(post.text(changed ? .userEnabled : .userAlreadyEnabled, ["name": user.name]))
    }

    func delete(_ post: Post) async throws -> Outcome {
        guard post.name != post.admin.name else { return .refused(post.text(.notYourself)) }
        guard post.form["confirm"] == post.name else { return .refused(post.text(.confirmDeleteMismatch, ["name": post.name])) }
        let workspace = self.workspace
        let (user, changed) = try await blocking { try workspace.deleteUser(post.name, source: post.source, by: post.actor) }
        return .done(post.text(changed ? .userDeleted : .userAlreadyDeleted, ["name": user.name]))
    }

    func setPassword(_ post: Post) async throws -> Outcome {
        let password = post.form["password"] ?? ""
        guard password == post.form["again"] else { return .refused(post.text(.passwordsDiffer)) }
        if let problem = PasswordPolicy.problem(password: password, name: post.name) { return .refused(Self.describe(problem, post)) }
        let hash: String
        do {
            hash = try await signIn.pool.run { Accounts.hashPassword(password) }
        } catch is BcryptPool.Busy {
            return .refused(post.text(.signInBusy))
        }
        let workspace = self.workspace
        let user = try await blocking { try workspace.setPassword(user: post.name, hash: hash, source: post.source, by: post.actor) }
        if user.name == post.admin.name { return .signedOut }
        return .done(post.text(.passwordSet, ["name": user.name]))
    }

    func revoke(_ post: Post) async throws -> Outcome {
        let workspace = self.workspace, id = post.form["id"] ?? ""
        let (token, changed) = try await blocking { try workspace.revokeToken(id: id, source: post.source, by: post.actor) }
        return .done(post.text(changed ? .tokenRevoked : .tokenAlreadyRevoked, ["id": token.id, "name": token.user]))
    }

    // MARK: Texts

    /// A policy problem in the page's language.
    static func describe(_ problem: PasswordPolicy.Problem, _ post: Post) -> String {
        switch problem {
        case .tooShort(let characters):
            post.text(.passwordTooShort, ["minimum": "\(PasswordPolicy.minimumCharacters)", "count": "\(characters)"])
        case .onlyWhiteSpace: post.text(.passwordWhiteSpace)
        case .sameAsName: post.text(.passwordIsName)
        case .tooLong(let bytes): post.text(.passwordTooLong, ["maximum": "\(PasswordPolicy.maximumBytes)", "count": "\(bytes)"])
        case .containsNUL: post.text(.passwordNUL)
        }
    }
}
