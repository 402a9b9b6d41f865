import ArgumentParser
import Foundation
import IncentiveEngine
import IncentiveServer
import IncentiveSheets
import IncentiveStore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns a workspace error into the command's failure message.
func attempt<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as WorkspaceError {
        throw CommandFailure(description: error.commandLineMessage)
    }
}

extension WorkspaceError {
    /// What the command line says: the store's message, or, where the store gives the detail for a
    /// remedy, the message with the command that helps.
    var commandLineMessage: String {
        switch detail {
        case .noWorkspace(let path): "no workspace at \(path); create one with: incentives init --workspace \(path)"
        case .workspaceExists(let path): "\(path) already exists; a workspace is only created in a new file (use it with --workspace \(path))"
        case .noRunsYet(let run): "no run \(run) in the workspace (it has no runs yet; make one with: incentives run)"
        case .noUserForToken(let name): "no user named \(name) (add one with: incentives users add)"
        case .noUser(let name): "no user named \(name) (see: incentives users list)"
        case .noToken(let id): "no token with id \(id) (see: incentives tokens list)"
        case .partnerBinding(let role): role == .partner ? "a partner user needs --partner ID" : "an admin is not bound to a partner (drop --partner)"
        case nil: message
        }
    }
}

extension Remedies {
    /// The command line's words: the commands that help.
    static let commandLine = Remedies(
        unenrollFirst: "unenroll first with: incentives unenroll", addProgramsFirst: "add them first with: incentives programs add FILE",
        giveAFile: "give the CSV file to import (or the folder with --dir)", addAProgram: "add one with: incentives programs add FILE",
        importData: "import a dataset first (incentives import --dir DIR)", programChoice: "--program", partnerChoice: "--partner")
}

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create a new, empty workspace (one SQLite file).",
        discussion: "Then add programs (programs add), import data (import --dir), enrol partners (enroll) and compute (run)."
    )

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let path = workspace.path
        _ = try attempt { try Workspace.create(at: path, clock: Terminal.clock) }
        Output.standardOutput("created workspace \(path)\n")
    }
}

extension DataKind: ExpressibleByArgument {}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import a dataset file (or a whole folder) into the workspace, all or nothing.",
        discussion: """
            KIND is one of: \(DataKind.allCases.map(\.rawValue).joined(separator: ", ")). Files are validated exactly \
            like compute validates a folder; with any problem nothing is written. A row whose key is already stored \
            (bookings: order_id and line; partners: partner_id; ...) replaces it, so importing the same file twice \
            changes nothing; the version it replaces is kept in the workspace's history. Rows not in the file stay, \
            unless --replace says the file is the full current extract of its kind: then they are retired (removed \
            from the current data, kept in history). --dry-run writes nothing and lists what the import would add, \
            change and retire. Every import is recorded with the file's SHA-256.
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Argument(help: "What the file holds.")
    var kind: DataKind?

    @Argument(help: ArgumentHelp("The CSV (or .xlsx) file.", valueName: "file"))
    var file: String?

    @Option(help: ArgumentHelp("Import every dataset file of this folder in one transaction.", valueName: "dir"))
    var dir: String?

    @Flag(help: "Each file is the full current extract of its kind: stored rows it does not hold are retired (kept in history).")
    var replace = false

    @Flag(help: "Validate and list the rows that would be added, changed and retired; write nothing.")
    var dryRun = false

    @Option(help: "Output of --dry-run: text or json.")
    var format: Format = .text

    @OptionGroup var sheets: SpreadsheetOptions

    @OptionGroup var workspace: WorkspaceOption

    func validate() throws {
        if dir != nil && (kind != nil || file != nil) { throw ValidationError("give either KIND FILE or --dir DIR, not both") }
        if dir == nil && (kind == nil || file == nil) { throw ValidationError("give KIND FILE (e.g. import bookings bookings.csv) or --dir DIR") }
        if format != .text && !dryRun { throw ValidationError("--format is for --dry-run") }
    }

    func run() throws {
        let store = try workspace.open()
        let progress = ProgressBar.forStandardError()
        let mode = ImportMode(replace: replace, dryRun: dryRun)
        let outcome: ImportOutcome
        do {
            outcome = try SpreadsheetImport.run(
                store, kind: kind, file: file, dir: dir, read: sheets.value, mode: mode, remedies: .commandLine, progress: progress?.update)
        } catch {
            progress?.finish()
            throw Terminal.reportProblems(error, outcome: "nothing was imported; the workspace is unchanged")
        }
        progress?.finish()
        if dryRun && format == .json {
            Output.standardOutput(ImportReport.json(outcome))
            return
        }
        Terminal.reportWarnings(outcome.warnings)
        if dryRun {
            Output.standardOutput(ImportReport.text(outcome, replace: replace))
            return
        }
        for file in outcome.files {
            Output.standardOutput("imported \(file.kind.rawValue) from \(file.file): \(ImportReport.counts(file, retired: replace))\n")
        }
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal.
final class ProgressBar {
    private var lastDrawn = -1
    private var label = ""

    static func forStandardError() -> ProgressBar? { isatty(2) == 1 ? ProgressBar() : nil }

    func update(file: String, read: Int, total: Int) {
        let percent = total > 0 ? min(100, read * 100 / total) : 0
        if percent == lastDrawn { return }
        lastDrawn = percent
        label = (file as NSString).lastPathComponent
        FileHandle.standardError.write(Data(("\r" + Self.render(label: label, read: read, total: total)).utf8))
    }

    func finish() {
        if lastDrawn >= 0 { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }

    /// `bookings.csv [##########----------]  50%  38.0 / 76.0 MB`
    static func render(label: String, read: Int, total: Int, width: Int = 30) -> String {
        let fraction = total > 0 ? min(1, Double(read) / Double(total)) : 0
        let filled = Int(fraction * Double(width))
        let megabytes = { (bytes: Int) in String(format: "%.1f", Double(bytes) / 1_000_000) }
        return "\(label) [\(String(repeating: "#", count: filled))\(String(repeating: "-", count: width - filled))] "
            + "\(String(format: "%3d", Int(fraction * 100)))%  \(megabytes(read)) / \(megabytes(total)) MB"
    }
}

struct Programs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Store, list and show program definitions; every change is a new version.",
        subcommands: [Add.self, List.self, Show.self]
    )

    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Store a program definition (YAML) as the next version of its program.",
            discussion: "An identical definition is not stored again. Runs always record the versions they used."
        )

        @Argument(help: ArgumentHelp("Program definition files.", valueName: "file"))
        var files: [String]

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let store = try workspace.open()
            for file in files {
                let added: ProgramAdded
                do {
                    added = try store.addProgram(file: file, remedies: .commandLine)
                } catch {
                    throw Terminal.reportProblems(error, outcome: "\(file) was not stored")
                }
                let version = added.version
                if !added.isNew {
                    Output.standardOutput("\(version.programID): unchanged, still v\(version.version) (\(file))\n")
                    continue
                }
                Output.standardOutput("\(version.programID): stored as v\(version.version) (\(file))\n")
                for change in added.changes { Output.standardOutput("  \(change)\n") }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the programs with their latest version.")

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let text = try workspace.attempt { store in
                try Output.listing(try store.programVersions(), none: "no programs yet; add one with: incentives programs add FILE") { version in
                    let (_, program) = try store.program(version.programID, version: version.version)
                    return
                        "\(version.programID)  v\(version.version)  \(program.kind.rawValue)  \(program.currency)  \(program.period.start)..\(program.period.end)  \(program.name)  (added \(version.addedAt) from \(version.fileName))"
                }
            }
            Output.standardOutput(text)
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a program definition as stored (the latest version unless --version).")

        @Argument(help: ArgumentHelp("The program id.", valueName: "id"))
        var id: String

        @Option(help: "The version to show.")
        var version: Int?

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let (stored, history) = try workspace.attempt { store in (try store.program(id, version: version).0, try store.programHistory(id)) }
            Output.standardOutput(
                "# \(stored.programID) v\(stored.version) of \(history.count), added \(stored.addedAt) from \(stored.fileName), sha256 \(stored.digest)\n"
                    + stored.definition + (stored.definition.hasSuffix("\n") ? "" : "\n"))
        }
    }
}

/// A date option: ISO `YYYY-MM-DD`.
extension Day: ExpressibleByArgument {
    public init?(argument: String) { self.init(iso: argument) }

    /// Today's date in UTC, from the command line's clock.
    static func today() -> Day { Terminal.clock.today }
}

/// The enrolment `enroll` and `unenroll` are about.
struct EnrollmentOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The partner id.", valueName: "id"))
    var partner: String

    @Option(help: ArgumentHelp("The program id.", valueName: "id"))
    var program: String

    @Option(help: ArgumentHelp("The subtrack path, track-id/subtrack-id.", valueName: "path"))
    var subtrack: String
}

struct Enroll: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Enrol a partner in a VIP subtrack and show what it still lacks there.",
        discussion: "The program and subtrack must exist and the date must not be after the period end."
    )

    @OptionGroup var enrollment: EnrollmentOptions

    @Option(help: ArgumentHelp("The enrolment date (default: today).", valueName: "YYYY-MM-DD"))
    var on: Day?

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let (partner, program, subtrack) = (enrollment.partner, enrollment.program, enrollment.subtrack)
        let day = on ?? Day.today()
        let outcome = try workspace.attempt { try $0.enroll(partner: partner, program: program, subtrack: subtrack, on: day) }
        let verb = ["added": "enrolled", "changed": "enrolment date changed:", "unchanged": "already enrolled:"][outcome.change.rawValue]!
        var text = "\(verb) \(partner) in \(program) \(subtrack) on \(day)\n"
        if let row = outcome.row {
            let currency = outcome.program.currency
            if outcome.lacking.isEmpty {
                text +=
                    "eligible now: qualifying volume \(row.qualifyingVolume.groupedText) \(currency), rebate \(row.amount.groupedText) \(currency)\n"
            } else {
                text += "still lacking (as of the data in the workspace):\n"
                for check in outcome.lacking { text += "  [FAIL] \(check.explanation)\n" }
                text += "at the current volume this subtrack would pay \(row.missedAmount.groupedText) \(currency) once these pass\n"
            }
        }
        Output.standardOutput(Output.forPeople(text))
    }
}

struct Unenroll: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove a partner's enrolment in a VIP subtrack.")

    @OptionGroup var enrollment: EnrollmentOptions

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let (partner, program, subtrack) = (enrollment.partner, enrollment.program, enrollment.subtrack)
        try workspace.attempt { try $0.unenroll(partner: partner, program: program, subtrack: subtrack) }
        Output.standardOutput("unenrolled \(partner) from \(program) \(subtrack)\n")
    }
}

struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Compute from the workspace and store the run with every result row and check.",
        discussion: "The run records the program versions it used and a SHA-256 of its inputs; see runs, runs show, runs diff."
    )

    @Option(name: .customLong("program"), help: ArgumentHelp("Only this program (repeatable).", valueName: "id"))
    var programIDs: [String] = []

    @Flag(
        name: .customLong("full"),
        help: "Compute every partner, even when only some partners' rows changed since the previous run (by default those alone are computed and the others' results are taken from that run).")
    var full = false

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let store = try workspace.open()
        let outcome: RunOutcome
        do {
            outcome = try store.run(programIDs: programIDs, full: full, remedies: .commandLine)
        } catch {
            throw Terminal.reportProblems(error, outcome: "no run was stored")
        }
        Terminal.reportWarnings(outcome.warnings)
        let summary = outcome.summary
        Output.standardOutput(
            "run \(summary.id) stored: \(summary.programs.map { "\($0.id) v\($0.version)" }.joined(separator: ", ")); "
                + "\(summary.bookingLines) booking lines, \(summary.partners) partners; inputs sha256 \(summary.inputsDigest.prefix(12))\n\n"
                + SummaryTable.render(outcome.figures))
    }
}

struct Runs: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List stored runs, show one, compute one again, or compare two.",
        subcommands: [List.self, Show.self, Reproduce.self, Diff.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the stored runs.",
            discussion: """
                A run after an import that changed only some partners' rows computed those alone; it names the run it \
                built on, whose stored results of the other partners it copied, or after a small change reads from \
                there (docs/workspace.md, "Anchored runs"). Either way it shows and compares as a full run would.
                """)

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let runs = try workspace.attempt { try $0.runs() }
            Output.standardOutput(
                Output.listing(runs, none: "no runs yet; make one with: incentives run") { run in
                    "\(run.id)  \(run.startedAt)  \(run.programs.map { "\($0.id) v\($0.version)" }.joined(separator: ", "))  "
                        + "lines \(run.bookingLines)  paid \(run.amount.groupedText)  missed \(run.missedAmount.groupedText)  inputs \(run.inputsDigest.prefix(12))"
                        + "  known at \(run.knownImport.map { "import \($0)" } ?? "(not recorded)")"
                        + (run.baseRun.map { "  incremental: the other partners \(run.anchorRun == nil ? "copied" : "read") from run \($0)" } ?? "")
                })
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print a stored run's results exactly as compute printed them.",
            discussion: """
                With the table (the default), a line on stderr first says which data the run read: the data as known at \
                import K (see imports; runs reproduce computes it again from there). stdout is exactly compute's output.
                """
        )

        @Argument(help: ArgumentHelp("The run id.", valueName: "run"))
        var id: Int

        @Option(help: "Output format: table, csv, json or xlsx (with --output).")
        var format: OutputFormat = .table

        @Option(help: ArgumentHelp("Write the output to this file instead of stdout (replaced only when complete).", valueName: "file"))
        var output: String?

        @OptionGroup var workspace: WorkspaceOption

        func validate() throws { try WorkbookOutput.validate(format == .xlsx, output: output) }

        func run() throws {
            // The CSV and the JSON are written a program at a time as the run is read (`forEachStoredProgram`): one
            // program's results in memory, not the whole run's.
            if format == .csv || format == .json {
                try Output.stream(to: output) { write in
                    var json = ResultsJSON.Streamer()
                    var wroteHeader = false
                    _ = try workspace.attempt {
                        try $0.forEachStoredProgram(id, checks: format == .json ? .all : .failedReasons) { _, program in
                            if format == .json {
                                try json.add(program, write)
                            } else {
                                try ResultsCSV.stream(ComputeResult(programs: [program]).rows, header: !wroteHeader, write)
                                wroteHeader = true
                            }
                        }
                    }
                    if format == .json {
                        try json.finish(write)
                    } else if !wroteHeader {
                        try ResultsCSV.stream([], write)
                    }
                }
                return
            }
            // Only the JSON shows every check with its explanation; the others show each row's reasons.
            let (summary, result) = try workspace.attempt { try $0.runResult(id, checks: format == .json ? .all : .failedReasons) }
            if format == .table {
                Output.standardError(
                    "run \(summary.id) (started \(summary.startedAt)): "
                        + (summary.knownImport.map { "the data as known at import \($0)" }
                            ?? "the data as known then (not recorded: the run was stored before the workspace kept history)")
                        + "; \(summary.programs.map { "\($0.id) v\($0.version)" }.joined(separator: ", "))")
            }
            switch format {
            case .csv: try Output.write(ResultsCSV.render(result.rows), to: output)
            case .json: try Output.stream(to: output) { write in try ResultsJSON.stream(result, write) }
            case .table: try Output.write(Output.forPeople(SummaryTable.render(result)), to: output)
            case .xlsx: try WorkbookOutput.write(WriteReports.results(result), to: output)
            }
        }
    }

    struct Reproduce: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compute a stored run again from the data as known at its import, with its program versions, and compare.",
            discussion: """
                The results are compared byte for byte as compute --format json writes them (runs show N --format json). \
                Exit status 0 when identical; 1 with the first differing row named when not. A run stored before the \
                workspace kept history is computed from the last import before it started; when its inputs digest then \
                differs, rows changed before history was kept cannot be reproduced.
                """
        )

        @Argument(help: ArgumentHelp("The run id.", valueName: "run"))
        var id: Int

        @OptionGroup var workspace: WorkspaceOption

        func run() throws {
            let store = try workspace.open()
            let reproduction: Reproduction
            do {
                reproduction = try store.reproduce(id)
            } catch let error as WorkspaceError {
                throw CommandFailure(description: error.commandLineMessage)
            } catch let report as DiagnosticReport {
                throw Terminal.reportProblems(report, outcome: "run \(id) could not be computed again")
            }
            let (report, failure) = ReproductionText.render(reproduction)
            Output.standardOutput(Output.forPeople(report))
            if let failure { throw CommandFailure(description: Output.forPeople(failure)) }
        }
    }

    struct Diff: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract:
                "Compare two runs: program changes, data changes, every row whose numbers or checks changed, and every booking line whose data changed.",
            discussion: """
                The booking lines are those whose values differ between the data as known at the two runs' imports, each \
                with its partner, its columns' old and new values and the import that changed it (added and retired lines \
                too); the text lists the first \(RunDiffText.lineLimit). --format csv prints the changed result rows, or with \
                --lines the changed booking lines; --format json has both, in full; --format xlsx (with --output) writes \
                a workbook with both and the programs.
                """
        )

        enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json, xlsx }

        @Argument(help: ArgumentHelp("The earlier run.", valueName: "run-a"))
        var first: Int

        @Argument(help: ArgumentHelp("The later run.", valueName: "run-b"))
        var second: Int

        @Option(help: "Output format: text, csv, json or xlsx (with --output).")
        var format: Format = .text

        @Option(help: ArgumentHelp("Write the output to this file instead of stdout (replaced only when complete).", valueName: "file"))
        var output: String?

        @Flag(help: "With --format csv: the changed booking lines instead of the changed result rows.")
        var lines = false

        @OptionGroup var workspace: WorkspaceOption

        func validate() throws {
            if lines && format != .csv { throw ValidationError("--lines goes with --format csv (text, json and xlsx list the lines anyway)") }
            try WorkbookOutput.validate(format == .xlsx, output: output)
        }

        func run() throws {
            let (diff, partners) = try workspace.attempt { store in
                (
                    try store.diffRuns(first, second),
                    format == .xlsx ? try store.changedPartners(first, second, query: PartnerQuery(limit: Int.max)).items : []
                )
            }
            switch format {
            case .text: try Output.write(Output.forPeople(RunDiffText.render(diff)), to: output)
            case .csv: try Output.write(lines ? RunDiffText.linesCSV(diff) : RunDiffText.csv(diff), to: output)
            case .json: try Output.write(RunDiffJSON.render(diff), to: output)
            case .xlsx: try WorkbookOutput.write(WriteSheets.diff(diff, partners: partners), to: output)
            }
        }
    }
}

struct Imports: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the import log: every file imported (with its SHA-256 and counts) and every enrolment change."
    )

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let log = try workspace.attempt { try $0.importLog() }
        let text = Output.listing(log, none: "nothing imported yet; import a dataset with: incentives import --dir DIR") { entry in
            let source = entry.summary.digest.isEmpty ? entry.summary.file : "\(entry.summary.file) sha256 \(entry.summary.digest.prefix(12))"
            return "\(entry.id)  \(entry.importedAt)  \(entry.summary.kind.rawValue)  \(source)  \(entry.summary.rows) rows "
                + "(\(entry.summary.added) added, \(entry.summary.changed) changed, \(entry.summary.unchanged) unchanged"
                + (entry.summary.retired > 0 ? ", \(entry.summary.retired) retired)" : ")")
        }
        Output.standardOutput(Output.forPeople(text))
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the workspace out as a dataset folder (and, with --programs, the latest program definitions).",
        discussion: "compute --data DIR --programs PDIR on the export gives the same results as run on the workspace."
    )

    @Option(help: ArgumentHelp("The dataset folder to write (created if missing; files in it are replaced).", valueName: "dir"))
    var dir: String

    @Option(help: ArgumentHelp("Also write the latest program definitions into this folder.", valueName: "dir"))
    var programs: String?

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let written = try workspace.attempt { try $0.export(to: dir, programsDirectory: programs) }
        Output.standardOutput("wrote \(written.count) files:\n" + written.map { "  \($0)\n" }.joined())
    }
}

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show what the workspace holds; --check also verifies the file.")

    @Flag(help: "Run SQLite's integrity and foreign-key checks.")
    var check = false

    @OptionGroup var workspace: WorkspaceOption

    func run() throws {
        let store = try workspace.open()
        let status = try attempt { try store.status() }
        var text = "workspace \(store.path)\(status.createdAt.map { " (created \($0))" } ?? "")\n"
        for (kind, count) in status.rows { text += "  \(kind.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(count)\n" }
        text += "programs: \(status.programs.isEmpty ? "none" : status.programs.map { "\($0.programID) v\($0.version)" }.joined(separator: ", "))\n"
        text += "imports: \(status.imports)\(status.lastImport.map { ", last \($0)" } ?? "")\n"
        text += "runs: \(status.runs)\(status.lastRun.map { ", last \($0)" } ?? "")\n"
        if check {
            let problems = try attempt { try store.integrityProblems() }
            if !problems.isEmpty {
                Output.standardOutput(text)
                throw CommandFailure(description: "the workspace file is damaged:\n" + problems.joined(separator: "\n"))
            }
            text += "check: ok (integrity and foreign keys)\n"
        }
        Output.standardOutput(text)
    }
}
