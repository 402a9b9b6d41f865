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

    func validate() throws {
        guard (1...65535).contains(port) else { throw ValidationError("--port \(port): a port is a number from 1 to 65535") }
        guard maxBodySize > 0 else { throw ValidationError("--max-body-size \(maxBodySize): give the largest body accepted in bytes, at least 1") }
    }

    func run() async throws {
        let path = workspace.path
        if demo && !FileManager.default.fileExists(atPath: path) { _ = try attempt { try Workspace.create(at: path) } }
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
        var logger = Logger(label: "incentives")
        logger.logLevel = .info
        if demo, let link = try? Accounts.createLoginLink(user: "admin", in: store) {
            Output.standardError("demo: open http://\(host):\(port)\(link) to sign in as admin (the link works once, for an hour)")
        }
        let options = ServerOptions(host: host, port: port, maxBodySize: maxBodySize, catalogue: offers, secureCookies: secureCookies)
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
                    _ = try store.addProgram(file: (programs as NSString).appendingPathComponent(name))
                } catch {
                    throw Terminal.reportProblems(error, outcome: "the demo was not loaded")
                }
            }
            do {
                _ = try store.importFolder((examples as NSString).appendingPathComponent("data"))
                _ = try store.run()
            } catch {
                throw Terminal.reportProblems(error, outcome: "the demo was not loaded")
            }
            Output.standardError("demo: loaded the bundled example and ran it (run 1)")
        }
        if try attempt({ try store.users() }).isEmpty {
            let password = String(Accounts.newSecret(prefix: "").prefix(16))
            try attempt {
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
        subcommands: [Add.self, List.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a user: an admin, or a partner user who sees only its own partner.",
            discussion: "The password is asked for on a terminal, or read from the first line of standard input; it is stored as a bcrypt hash."
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
        }

        func run() throws {
            let store = try workspace.open()
            let password = try Self.readPassword()
            try attempt {
                try store.addUser(User(name: name, role: role, partnerID: partner, passwordHash: Accounts.hashPassword(password)))
            }
            Output.standardOutput("added \(role.rawValue) \(name)\(partner.map { " for partner \($0)" } ?? "")\n")
        }

        static func readPassword() throws -> String {
            var password: String
            if isatty(0) == 1 {
                password = String(cString: getpass("password: "))
                let again = String(cString: getpass("again: "))
                if password != again { throw CommandFailure(description: "the two passwords differ") }
            } else {
                password = readLine(strippingNewline: true) ?? ""
            }
            if password.count < 8 { throw CommandFailure(description: "a password needs at least 8 characters") }
            return password
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the users.")

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let store = try workspace.open()
            let users = try attempt { try store.users() }
            Output.standardOutput(users.map { "\($0.name)  \($0.role.rawValue)\($0.partnerID.map { "  \($0)" } ?? "")\n" }.joined())
        }
    }
}

extension User.Role: ExpressibleByArgument {}

struct Tokens: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create API tokens.",
        subcommands: [Create.self]
    )

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an API token for a user and print it (it is stored only as a hash: keep it)."
        )

        @Option(help: "The user the token acts for.")
        var user: String

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let store = try workspace.open()
            let token = try attempt { try Accounts.createToken(user: user, in: store) }
            Output.standardOutput(token + "\n")
        }
    }
}
