import ArgumentParser
import IncentiveEngine
import IncentiveSheets
import IncentiveStore

@main
struct Incentives: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incentives",
        abstract: "Computes, explains and checks vendor incentive programs: VIP back-end rebates and Partner Provider MDF.",
        discussion: """
            A dataset is a folder of CSV files (partners.csv, bookings.csv, and optionally credentials.csv, \
            csat.csv, services.csv, enrollments.csv, products.csv, fx.csv); programs are YAML files in another \
            folder. compute, explain and check read such folders directly; a workspace (one SQLite file, see \
            init) keeps imported data, program versions and every run. See README.md for the formats.
            """,
        version: Engine.version,
        subcommands: [
            Compute.self, Explain.self, Check.self, Advise.self, EstimateDeal.self, Init.self, Import.self, Programs.self, Enroll.self, Unenroll.self,
            RunCommand.self,
            Runs.self, Imports.self, Log.self, Export.self, Status.self, Serve.self, Users.self, Tokens.self, Generate.self,
            Approve.self, Reopen.self, Payments.self, StatementCommand.self, LedgerCommand.self, Funds.self,
        ]
    )
}

/// Where the data and programs are: two folders, or a workspace.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The dataset folder (partners.csv, bookings.csv, ...).", valueName: "dir"))
    var data: String?

    @Option(help: ArgumentHelp("The folder of program definitions (*.yaml).", valueName: "dir"))
    var programs: String?

    @Option(
        help: ArgumentHelp(
            "Read a workspace instead of folders (default when neither --data nor --programs is given: $INCENTIVES_WORKSPACE, else ./incentives.sqlite).",
            valueName: "path"))
    var workspace: String?

    func validate() throws {
        if workspace != nil && (data != nil || programs != nil) {
            throw ValidationError("give either --workspace or --data with --programs, not both")
        }
        if (data == nil) != (programs == nil) {
            throw ValidationError("--data and --programs go together (or use --workspace)")
        }
    }
}

extension ReadDialectChoice: ExpressibleByArgument {}

/// How spreadsheet files are read (issue 18): `--dialect` of CSV files, `--sheet` of .xlsx workbooks.
struct SpreadsheetOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "How CSV files are written: auto (found per file from its header and values), standard (formats.md: ',' fields, decimal point, YYYY-MM-DD, UTF-8) or excel-nl (';' fields, decimal comma with '.' between thousands, dd-mm-yyyy; Windows-1252 or UTF-8).",
            valueName: "auto|standard|excel-nl"))
    var dialect: ReadDialectChoice = .auto

    @Option(help: ArgumentHelp("The sheet of each .xlsx file to read (default: its first).", valueName: "name"))
    var sheet: String?

    var value: ReadOptions { ReadOptions(dialect: dialect, sheet: sheet) }

    /// The options read files: with a workspace there are none to read.
    func validate(with input: InputOptions) throws {
        if input.data == nil && (dialect != .auto || sheet != nil) {
            throw ValidationError("--dialect and --sheet are for reading files (--data), not a workspace")
        }
    }
}

/// The `--workspace` option of the workspace commands.
struct WorkspaceOption: ParsableArguments {
    @Option(
        help: ArgumentHelp("The workspace file (default: $INCENTIVES_WORKSPACE, else ./incentives.sqlite).", valueName: "path"))
    var workspace: String?

    var path: String { workspace ?? Workspace.defaultPath() }

    func open() throws -> Workspace { try Terminal.openWorkspace(workspace) }

    /// Opens the workspace and runs `body` on it; a refusal of the workspace is the command's failure message.
    func attempt<T>(_ body: (Workspace) throws -> T) throws -> T {
        let store = try open()
        do {
            return try body(store)
        } catch let error as WorkspaceError {
            throw CommandFailure(description: error.commandLineMessage)
        }
    }
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json, xlsx
}

/// Input problems end the command: every problem on stderr, nothing on stdout, exit code 1.
struct InputRejected: Error, CustomStringConvertible {
    var description: String { "" }
}

enum Terminal {
    /// Where every command's "today" and every timestamp it records come from.
    static let clock = WallClock.system
    /// The options that choose programs and a partner: the column of a report about an unknown one.
    static let choiceNames = (program: "--program", partner: "--partner")

    static func reportProblems(_ report: DiagnosticReport, outcome: String = "nothing was computed") -> InputRejected {
        for line in report.warningLines { Output.standardError(line) }
        for line in report.errorLines { Output.standardError(line) }
        let count = report.collector.errorCount
        Output.standardError("\(count) problem\(count == 1 ? "" : "s") found; \(outcome).")
        return InputRejected()
    }

    static func openWorkspace(_ path: String?) throws -> Workspace {
        do {
            return try Workspace.open(at: path ?? Workspace.defaultPath(), clock: clock)
        } catch {
            throw CommandFailure(description: error.commandLineMessage)
        }
    }

    static func reportWarnings(_ collector: DiagnosticCollector) {
        for line in collector.lines(severity: .warning) { Output.standardError(line) }
    }

    /// Notes on how spreadsheet files were read, on stderr.
    static func reportNotes(_ notes: [String]) {
        for note in notes { Output.standardError(note) }
    }

    /// Loads input, turning problems into the standard report. A data folder's spreadsheet files (Excel's CSV
    /// dialects, .xlsx) are read as `read` says.
    static func load(
        _ options: InputOptions, programIDs: [String] = [], tracePartner: String? = nil,
        bookingView: (@Sendable (BookingLine) -> BookingLine?)? = nil, read: ReadOptions = ReadOptions()
    ) throws -> LoadedInput {
        if let data = options.data, let programs = options.programs {
            let prepared: ReadPrepared
            do {
                prepared = try ReadFolder.prepare(directory: data, options: read)
            } catch {
                throw reportProblems(error)
            }
            defer { prepared.remove() }
            reportNotes(prepared.notes)
            do {
                var input = try Engine.load(
                    dataDirectory: prepared.directory, programsDirectory: programs, programIDs: programIDs, tracePartner: tracePartner,
                    bookingView: bookingView, names: Terminal.choiceNames)
                input.warnings = prepared.relocate(input.warnings)
                input.warnings.merge(prepared.warnings)
                reportWarnings(input.warnings)
                return input
            } catch {
                var report = prepared.relocate(error)
                report.collector.merge(prepared.warnings)
                throw reportProblems(report)
            }
        }
        let workspace = try openWorkspace(options.workspace)
        do {
            return try workspace.loadInput(
                programIDs: programIDs, tracePartner: tracePartner, onlyPartner: tracePartner != nil, bookingView: bookingView, remedies: .commandLine
            ).input
        } catch {
            throw reportProblems(error)
        }
    }
}
