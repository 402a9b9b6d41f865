/// A refusal of the workspace (not a problem with data put into it, which is a `DiagnosticReport`): what
/// is missing, taken, refused, unreadable or too new.
///
/// `message` says what happened in the store's words and names no command, option or route; `detail`
/// carries what a front end needs to word its own remedy (the command line says which command to run,
/// the API which route). A front end without a remedy of its own shows `message`.
public struct WorkspaceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of refusal it is; a front end maps it once (the server: to an HTTP status).
    public enum Code: String, Sendable, Hashable {
        /// What was asked for is not there: a workspace file, a program or a version, a run, a partner,
        /// an enrolment, a user, a token.
        case notFound = "not_found"
        /// It is already there, or is in a state that does not allow the change: a workspace file that
        /// exists, a user name taken, a deleted user, a token id that several tokens share.
        case conflict
        /// The request itself is refused: a malformed name or id, an enrolment the program does not allow,
        /// a user bound to a partner that does not exist.
        case rejected
        /// The file was written by a newer version, whose schema this one does not know; nothing was changed.
        case newerSchema = "newer_schema"
        /// Another writer holds the workspace longer than `Workspace.busyTimeout`.
        case busy
        /// The file is not a workspace (not SQLite, another application's database, a folder).
        case notAWorkspace = "not_a_workspace"
        /// What the workspace holds cannot be read back (an unknown code, a malformed date).
        case damaged
        /// The file system or SQLite failed: a file that cannot be created, read, written or renamed.
        case failed
    }

    /// What a front end needs to word a remedy of its own.
    public enum Detail: Sendable, Hashable {
        /// There is no workspace at `path` (to create one).
        case noWorkspace(path: String)
        /// A workspace was to be created at `path`, where a file is (to use it instead).
        case workspaceExists(path: String)
        /// There is no run `run`, nor any run yet (to make one).
        case noRunsYet(run: Int)
        /// A token was to be made for `name`, who does not exist (to add the user).
        case noUserForToken(name: String)
        /// A change was asked for the user `name`, who does not exist (to list the users).
        case noUser(name: String)
        /// There is no token with the id `id` (to list the tokens).
        case noToken(id: String)
        /// A user of `role` came with a partner when an admin has none, or without one when a partner user needs it.
        case partnerBinding(role: User.Role)
    }

    public var code: Code
    /// What happened, safe to show to anyone who may make the request: no command, option or route.
    public var message: String
    public var detail: Detail?

    public init(_ code: Code, _ message: String, detail: Detail? = nil) {
        self.code = code
        self.message = message
        self.detail = detail
    }

    public var description: String { message }
}

/// The words a front end gives the remedies that the store's reports of refused input end with. The store
/// names no command, option or route: the command line passes its commands, the API its routes, and
/// `plain` says what to do without naming how.
public struct Remedies: Sendable {
    public let unenrollFirst, addProgramsFirst, giveAFile: String
    public let addAProgram, importData: String
    /// What the front end calls the choice of programs and of the partner to trace (an option, a query parameter):
    /// the column of a report about an unknown one.
    public let programChoice, partnerChoice: String

    /// - Parameters:
    ///   - unenrollFirst: ends "partner P is enrolled in X S on D, which this version would not allow: …" (in parentheses).
    ///   - addProgramsFirst: ends "the workspace has no programs yet, so no enrolment can be checked; …".
    ///   - giveAFile: ends "is a folder, not a file: …".
    ///   - addAProgram: ends "the workspace has no programs yet; …" (a computation).
    ///   - importData: ends "the workspace has no partners yet; …" (a computation).
    public init(
        unenrollFirst: String, addProgramsFirst: String, giveAFile: String, addAProgram: String = "add one first",
        importData: String = "import a dataset first", programChoice: String = "program", partnerChoice: String = "partner"
    ) {
        (self.unenrollFirst, self.addProgramsFirst, self.giveAFile) = (unenrollFirst, addProgramsFirst, giveAFile)
        (self.addAProgram, self.importData, self.programChoice, self.partnerChoice) = (addAProgram, importData, programChoice, partnerChoice)
    }

    public static let plain = Remedies(unenrollFirst: "unenroll first", addProgramsFirst: "add them first", giveAFile: "give the CSV file to import")
}
