import ArgumentParser
import Foundation
import IncentiveAdvisor
import IncentiveEngine
import IncentiveServer
import IncentiveStore
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the workspace over HTTP: the JSON API under /api/v1.",
        discussion: """
            Every route but /api/v1/health needs a user: create one with `users add` and a token with `tokens create` \
            (send it as Authorization: Bearer <token>). --demo fills an empty workspace with the bundled example, \
            runs it, and creates an admin user whose password it prints. Stops cleanly on SIGTERM or Ctrl-C.
            """
    )

    @OptionGroup var workspace: WorkspaceOption

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on (1 to 65535).")
    var port = 8080

    @Option(help: ArgumentHelp("The largest request body accepted, in bytes (an import upload).", valueName: "bytes"))
    var maxBodySize = 1 << 30

    @Flag(
        inversion: .prefixedNo,
        help: "Mark every cookie Secure, so browsers send it only over HTTPS (default: on unless --host is a loopback address).")
    var secureCookies: Bool?

    @Flag(help: "Create the workspace if needed and, when it is empty, load the bundled example into it.")
    var demo = false

    @Option(
        help: ArgumentHelp("A credentials catalogue for the advice's recommendations (with --demo: examples/credentials.yaml).", valueName: "file"))
    var catalogue: String?

    enum LogFormat: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "The log on stderr: text (one line per entry, for people) or json (one JSON object per line, for log collectors).")
    var logFormat: LogFormat = .text

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port \(port): a port is a number from 1 to 65535") }
        guard maxBodySize > 0 else { throw ValidationError("--max-body-size \(maxBodySize): give the largest body accepted in bytes, at least 1") }
    }

    func run() async throws {
        let path = workspace.path
        if demo && !FileManager.default.fileExists(atPath: path) { _ = try attempt { try Workspace.create(at: path, clock: Terminal.clock) } }
        let store = try workspace.open()
        if demo { try Demo.prepare(store) }
        var offers: [CredentialOffer]?
        if let file = catalogue ?? (demo ? Demo.examplesFolder().map { ($0 as NSString).appendingPathComponent("credentials.yaml") } : nil) {
            do {
                offers = try CredentialCatalogue.load(path: file)
            } catch {
                throw Terminal.reportProblems(error, outcome: "the server was not started")
            }
        }
        var logger =
            logFormat == .json
            ? Logger(label: "incentives") { label in LineLogHandler(label: label, format: .json) }
            : Logger(label: "incentives") { label in LineLogHandler(label: label, format: .text) }
        logger.logLevel = .info
        if demo, let link = try? Accounts.createLoginLink(user: "admin", in: store) {
            Output.standardError("demo: open http://\(host):\(port)\(link) to sign in as admin (the link works once, for an hour)")
        }
        let options = ServerOptions(
            host: host, port: port, maxBodySize: maxBodySize, catalogue: offers, secureCookies: secureCookies, clock: Terminal.clock)
        if options.secureCookies {
            Output.standardError("cookies are Secure: sign in over HTTPS (a proxy in front), or pass --no-secure-cookies")
        }
        Output.standardError("serving \(path) on http://\(host):\(port)/ (API under /api/v1; Ctrl-C stops)")
        try await IncentivesServer.run(workspace: store, options: options, logger: logger)
    }
}

/// The bundled example, loaded into an empty workspace for `serve --demo`.
enum Demo {
    /// `examples/` of the checkout: next to the current folder, or above the built executable.
    static func examplesFolder() -> String? {
        var candidates = [FileManager.default.currentDirectoryPath]
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<5 {
            candidates.append(folder.path)
            folder = folder.deletingLastPathComponent()
        }
        for candidate in candidates {
            let examples = (candidate as NSString).appendingPathComponent("examples")
            if FileManager.default.fileExists(atPath: (examples as NSString).appendingPathComponent("data/partners.csv")) { return examples }
        }
        return nil
    }

    static func prepare(_ store: Workspace) throws {
        let status = try attempt { try store.status() }
        let empty = status.programs.isEmpty && status.rows.allSatisfy { $0.count == 0 }
        if empty {
            guard let examples = examplesFolder() else {
                throw CommandFailure(description: "--demo needs the bundled examples/ folder; run it from the checkout")
            }
            let programs = (examples as NSString).appendingPathComponent("programs")
            for name in try FileManager.default.contentsOfDirectory(atPath: programs).sorted() where name.hasSuffix(".yaml") {
                do {
                    _ = try store.addProgram(file: (programs as NSString).appendingPathComponent(name), remedies: .commandLine)
                } catch {
                    throw Terminal.reportProblems(error, outcome: "the demo was not loaded")
                }
            }
            do {
                _ = try store.importFolder((examples as NSString).appendingPathComponent("data"), remedies: .commandLine)
                _ = try store.run(remedies: .commandLine)
            } catch {
                throw Terminal.reportProblems(error, outcome: "the demo was not loaded")
            }
            Output.standardError("demo: loaded the bundled example and ran it (run 1)")
        }
        if try attempt({ try store.users() }).isEmpty {
            let password = Accounts.generatePassword()
            _ = try attempt {
                try store.addUser(User(name: "admin", role: .admin, partnerID: nil, passwordHash: Accounts.hashPassword(password)))
            }
            let token = try attempt { try Accounts.createToken(user: "admin", in: store) }
            Output.standardError("demo: user admin, password \(password); API token \(token)")
        }
    }
}

struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the users of the server.",
        discussion: """
            Changes take effect at once, also on a running server: a disabled or deleted user's sessions end and \
            its tokens are refused from the next request on. Nothing is removed: a deleted user stays listed, its \
            name stays taken, and every change is kept in the workspace's account log.
            """,
        subcommands: [Add.self, List.self, Passwd.self, Disable.self, Enable.self, Delete.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user: an admin, or a partner user who sees only its own partner.",
            discussion: """
                The name is trimmed of surrounding spaces and must differ, ignoring case, from every other user's \
                (deleted users' too). \(Users.passwordRules)
                """
        )

        @Option(help: "The user name (used to sign in).")
        var name: String

        @Option(help: "admin or partner.")
        var role: User.Role

        @Option(help: ArgumentHelp("The partner a partner user is bound to.", valueName: "id"))
        var partner: String?

        @OptionGroup var workspace: WorkspaceOption

        func validate() throws {
            if role == .partner && partner == nil { throw ValidationError("a partner user needs --partner ID") }
            if role == .admin && partner != nil { throw ValidationError("an admin is not bound to a partner; drop --partner") }
            if let problem = User.nameProblem(name.trimmingCharacters(in: .whitespacesAndNewlines)) { throw ValidationError(problem) }
        }

        func run() throws {
            let store = try workspace.open()
            let name = self.name.trimmingCharacters(in: .whitespacesAndNewlines)
            let password = try Users.readPassword(for: name)
            let user = try attempt {
                try store.addUser(User(name: name, role: role, partnerID: partner, passwordHash: Accounts.hashPassword(password)))
            }
            Output.standardOutput("added \(role.rawValue) \(user.name)\(partner.map { " for partner \($0)" } ?? "")\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users (deleted ones too), with their status.")

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let users = try workspace.attempt { try $0.users() }
            let rows = users.map { user in
                let status: String
                switch user.status {
                case .active: status = "active"
                case .disabled: status = "disabled since \(user.disabledAt ?? "")"
                case .deleted: status = "deleted since \(user.deletedAt ?? "")"
                }
                return [user.name, user.role.rawValue, user.partnerID ?? "-", user.createdAt, status]
            }
            Output.standardOutput(Users.table(["NAME", "ROLE", "PARTNER", "CREATED", "STATUS"], rows))
        }
    }

    struct Passwd: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Set a user's password; the user's sessions end (its tokens stay valid).",
            discussion: Users.passwordRules
        )

        @OptionGroup var user: UserOption

        func run() throws {
            let store = try self.user.workspace.open()
            guard let user = try attempt({ try store.user(signingInAs: self.user.name) }) else {
                throw CommandFailure(description: "no user named \(self.user.name) (see: incentives users list)")
            }
            if user.status == .deleted { throw CommandFailure(description: "\(user.name) is deleted; a deleted user gets no new password") }
            let password = try Users.readPassword(for: user.name)
            _ = try attempt { try store.setPassword(user: user.name, hash: Accounts.hashPassword(password)) }
            Output.standardOutput("password set for \(user.name); their sessions have ended\n")
        }
    }

    struct Disable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Disable a user: its sessions end, its tokens are refused until it is enabled again.")

        @OptionGroup var user: UserOption

        func run() throws {
            let (user, changed) = try self.user.workspace.attempt { try $0.disableUser(self.user.name) }
            Output.standardOutput(
                changed
                    ? "disabled \(user.name): their sessions have ended and their tokens are refused\n"
                    : "\(user.name) was already \(user.status.rawValue) (since \(user.deletedAt ?? user.disabledAt ?? ""))\n")
        }
    }

    struct Enable: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Enable a disabled user again: it can sign in, and its tokens that have not expired or been revoked work again.")

        @OptionGroup var user: UserOption

        func run() throws {
            let (user, changed) = try self.user.workspace.attempt { try $0.enableUser(self.user.name) }
            Output.standardOutput(changed ? "enabled \(user.name)\n" : "\(user.name) was not disabled\n")
        }
    }

    struct Delete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete a user for good: its sessions end and its tokens are revoked.",
            discussion: """
                The user is marked deleted, not removed: it stays in users list, its name stays taken (no new user \
                can have it, in any case) and the account log keeps its history. A deleted user cannot be enabled again.
                """
        )

        @OptionGroup var user: UserOption

        func run() throws {
            let (user, changed) = try self.user.workspace.attempt { try $0.deleteUser(self.user.name) }
            Output.standardOutput(
                changed
                    ? "deleted \(user.name): their sessions have ended and their tokens are revoked; the name stays taken\n"
                    : "\(user.name) was already deleted (since \(user.deletedAt ?? ""))\n")
        }
    }

    static let passwordRules = """
        The password is asked for on a terminal, or read from the first line of standard input. It needs at least \
        \(PasswordPolicy.minimumCharacters) characters, not all white space, must not be the user name (in any case), and may have \
        at most \(PasswordPolicy.maximumBytes) bytes in UTF-8 (bcrypt's limit: a longer one is refused, not cut short). It is \
        stored as a bcrypt hash.
        """

    /// The new password of `name`: asked twice on a terminal, else the first line of standard input; checked against the policy.
    static func readPassword(for name: String) throws -> String {
        var password: String
        if isatty(0) == 1 {
            password = String(cString: getpass("password: "))
            let again = String(cString: getpass("again: "))
            if password != again { throw CommandFailure(description: "the two passwords differ") }
        } else {
            password = readLine(strippingNewline: true) ?? ""
        }
        if let problem = PasswordPolicy.problem(password: password, name: name) { throw CommandFailure(description: "\(problem)") }
        return password
    }

    /// Rows under a header, in columns two spaces apart.
    static func table(_ header: [String], _ rows: [[String]]) -> String {
        let all = [header] + rows
        let widths = header.indices.map { column in all.map { $0[column].count }.max() ?? 0 }
        return all.map { row in
            row.enumerated().map { column, cell in
                column == row.count - 1 ? cell : cell.padding(toLength: widths[column], withPad: " ", startingAt: 0)
            }.joined(separator: "  ") + "\n"
        }.joined()
    }
}

extension User.Role: ExpressibleByArgument {}

/// The user a `users` command changes, and the workspace it is in.
struct UserOption: ParsableArguments {
    @Option(help: "The user name.")
    var name: String

    @OptionGroup var workspace: WorkspaceOption
}

struct Tokens: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create, list and revoke API tokens.",
        discussion: """
            A token is shown once, when it is created; the workspace keeps only its SHA-256. Each token has a public \
            id (the first \(TokenRecord.idLength) hex digits of that hash), which tokens list shows and tokens revoke takes. \
            A revoked or expired token is refused from the next request on, also by a running server.
            """,
        subcommands: [Create.self, List.self, Revoke.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token for a user and print it (it is stored only as a hash: keep it).",
            discussion: "Its id and expiry go to standard error, the token alone to standard output."
        )

        @Option(help: "The user the token acts for.")
        var user: String

        @Option(
            help: ArgumentHelp(
                "How long the token works: a whole number of hours, days or weeks (12h, 30d, 52w), from 1h to 366d.", valueName: "lifetime"))
        var expiresIn = "90d"

        @OptionGroup var workspace: WorkspaceOption

        func validate() throws {
            if Accounts.tokenLifetime(expiresIn) == nil {
                throw ValidationError(
                    "--expires-in takes a whole number followed by h (hours), d (days) or w (weeks), from 1h to 366d, such as 12h, 30d or 52w; not \(expiresIn)"
                )
            }
        }

        func run() throws {
            let store = try workspace.open()
            let lifetime = Accounts.tokenLifetime(expiresIn)!
            let (token, record) = try attempt { try Accounts.issueToken(user: user, in: store, lifetime: lifetime) }
            Output.standardError("token \(record.id) for \(record.user), expires \(record.expiresAt ?? ""); it is shown only now")
            Output.standardOutput(token + "\n")
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the tokens (ids and dates, never the secrets), revoked and expired ones too.")

        @Option(help: "Only this user's tokens.")
        var user: String?

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let tokens = try workspace.attempt { try $0.tokens(user: user) }
            let rows = tokens.map { token in
                [
                    token.id, token.user, token.createdAt, token.expiresAt ?? "-",
                    token.status == .revoked ? "revoked \(token.revokedAt ?? "")" : token.status.rawValue,
                ]
            }
            Output.standardOutput(Users.table(["ID", "USER", "CREATED", "EXPIRES", "STATUS"], rows))
        }
    }

    struct Revoke: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Revoke a token: it is refused from the next request on. The record stays, marked revoked.")

        @Argument(help: ArgumentHelp("The token's id as tokens list shows it (or the token itself).", valueName: "id"))
        var id: String

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let store = try workspace.open()
            let id = self.id.hasPrefix("inc_") ? Accounts.tokenID(self.id) : self.id
            let (token, changed) = try attempt { try store.revokeToken(id: id) }
            Output.standardOutput(
                changed
                    ? "revoked token \(token.id) of \(token.user)\n"
                    : "token \(token.id) of \(token.user) was already revoked (\(token.revokedAt ?? ""))\n")
        }
    }
}
