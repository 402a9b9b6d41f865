import ArgumentParser
import IncentiveEngine
import IncentiveSheets
import IncentiveStore

/// `--as-known-at`: a workspace read as it knew its data at an import or an instant.
struct KnownAtOption: ParsableArguments {
    @Option(
        name: .customLong("as-known-at"),
        help: ArgumentHelp(
            "With a workspace: the data exactly as the workspace knew it right after this import (an id from: incentives imports), or at this instant (2026-11-30T10:00:00Z; a date alone is the end of that day, UTC), with the program versions of that moment.",
            valueName: "import-id|date-time"))
    var text: String?

    /// The parsed value (nil: the current data).
    var value: KnownAt? {
        get throws {
            guard let text else { return nil }
            switch KnownAt.parse(text) {
            case .success(let value): return value
            case .failure(let problem): throw ValidationError("--as-known-at \(text): \(problem.message)")
            }
        }
    }

    func validate(with input: InputOptions) throws {
        _ = try value
        if text != nil && input.data != nil {
            throw ValidationError("--as-known-at reads a workspace's history: use it with --workspace, not --data")
        }
    }

    /// The point in the workspace's past it names, or a failure that names the option.
    func resolve(in workspace: Workspace) throws -> KnownPoint? {
        guard let value = try value else { return nil }
        do {
            return try workspace.resolve(value)
        } catch {
            throw CommandFailure(description: "--as-known-at \(text!): \(error.commandLineMessage)")
        }
    }
}

extension Terminal {
    /// `load`, with the workspace read as known at `known` when it is given.
    static func load(
        _ options: InputOptions, known: KnownAtOption, programIDs: [String] = [], tracePartner: String? = nil,
        bookingView: (@Sendable (BookingLine) -> BookingLine?)? = nil, read: ReadOptions = ReadOptions()
    ) throws -> LoadedInput {
        guard known.text != nil else {
            return try load(options, programIDs: programIDs, tracePartner: tracePartner, bookingView: bookingView, read: read)
        }
        let workspace = try openWorkspace(options.workspace)
        let point = try known.resolve(in: workspace)
        do {
            return try workspace.loadInput(
                programIDs: programIDs, tracePartner: tracePartner, onlyPartner: tracePartner != nil, bookingView: bookingView, asKnownAt: point,
                remedies: .commandLine
            ).input
        } catch {
            throw reportProblems(error)
        }
    }
}

struct Compute: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute what every partner earns and misses in every program.",
        discussion: """
            --format csv prints exactly the results CSV (one row per program, partner and item) and nothing else \
            on stdout. table (the default) is a summary per program; json holds every check of every row. xlsx \
            writes a workbook to --output FILE: a summary sheet and one sheet per program, typed cells.
            """
    )

    @OptionGroup var input: InputOptions

    @OptionGroup var known: KnownAtOption

    @OptionGroup var sheets: SpreadsheetOptions

    @Option(name: .customLong("program"), help: ArgumentHelp("Only this program (repeatable).", valueName: "id"))
    var programIDs: [String] = []

    @Option(help: "Output format: table, csv, json or xlsx (with --output).")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("Write the output to this file instead of stdout (replaced only when complete).", valueName: "file"))
    var output: String?

    func validate() throws {
        try known.validate(with: input)
        try sheets.validate(with: input)
        try WorkbookOutput.validate(format == .xlsx, output: output)
    }

    func run() throws {
        let loaded = try Terminal.load(input, known: known, programIDs: programIDs, read: sheets.value)
        switch format {
        case .csv:
            // Computed and written a block of partners at a time: at 100,000 partners the results are
            // hundreds of megabytes in memory, the CSV over 20 MB.
            try Output.stream(to: output) { write in try ResultsCSV.stream(loaded, write) }
        case .json:
            let result = Engine.compute(loaded)
            try Output.stream(to: output) { write in try ResultsJSON.stream(result, write) }
        case .table: try Output.write(Output.forPeople(SummaryTable.render(Engine.compute(loaded))), to: output)
        case .xlsx: try WorkbookOutput.write(WriteReports.results(Engine.compute(loaded)), to: output)
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain one partner's results: every check with its numbers, the lines that counted and what would unlock more."
    )

    @OptionGroup var input: InputOptions

    @OptionGroup var known: KnownAtOption

    @OptionGroup var sheets: SpreadsheetOptions

    @Option(help: ArgumentHelp("The partner to explain.", valueName: "id"))
    var partner: String

    @Option(name: .customLong("program"), help: ArgumentHelp("Only this program (repeatable).", valueName: "id"))
    var programIDs: [String] = []

    @Flag(help: "List every booking line, not only the first 20 per item.")
    var allLines = false

    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "The day to judge each missed amount on: what can still be had before the period ends, and what is lost (default today).",
            valueName: "YYYY-MM-DD"))
    var asOf: Day?

    func validate() throws {
        try known.validate(with: input)
        try sheets.validate(with: input)
    }

    func run() throws {
        let loaded = try Terminal.load(input, known: known, programIDs: programIDs, tracePartner: partner, read: sheets.value)
        let result = Engine.compute(loaded)
        Output.standardOutput(
            Output.forPeople(
                Explanation.render(
                    partnerID: partner, input: loaded, result: result, lineLimit: allLines ? nil : 20, moreLines: "use --all-lines",
                    asOf: asOf ?? Day.today())))
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a dataset and its programs, reporting every problem; computes nothing."
    )

    @OptionGroup var input: InputOptions

    @OptionGroup var known: KnownAtOption

    @OptionGroup var sheets: SpreadsheetOptions

    func validate() throws {
        try known.validate(with: input)
        try sheets.validate(with: input)
    }

    func run() throws {
        let loaded = try Terminal.load(input, known: known, read: sheets.value)
        let dataset = loaded.dataset
        Output.standardOutput(
            "ok\(known.text.map { " (as known at \($0))" } ?? ""): \(loaded.programs.count) program(s), \(dataset.partners.count) partner(s), \(loaded.totals.lineCount) booking line(s), "
                + "\(dataset.enrollments.count) enrolment(s); \(loaded.warnings.warnings.count) warning(s)\n")
    }
}
