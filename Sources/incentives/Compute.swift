import ArgumentParser
import IncentiveEngine

struct Compute: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compute what every partner earns and misses in every program.",
        discussion: """
            --format csv prints exactly the results CSV (one row per program, partner and item) and nothing else \
            on stdout. table (the default) is a summary per program; json holds every check of every row.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(name: .customLong("program"), help: ArgumentHelp("Only this program (repeatable).", valueName: "id"))
    var programIDs: [String] = []

    @Option(help: "Output format: table, csv or json.")
    var format: OutputFormat = .table

    @Option(help: ArgumentHelp("Write the output to this file instead of stdout (replaced only when complete).", valueName: "file"))
    var output: String?

    func run() throws {
        let loaded = try Terminal.load(input, programIDs: programIDs)
        let result = Engine.compute(loaded)
        switch format {
        case .csv:
            // Streamed: at 100,000 partners the CSV is over 20 MB.
            let rows = result.rows
            try Output.stream(to: output) { write in try ResultsCSV.stream(rows, write) }
        case .json: try Output.write(ResultsJSON.render(result), to: output)
        case .table: try Output.write(Output.forPeople(SummaryTable.render(result)), to: output)
        }
    }
}

struct Explain: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Explain one partner's results: every check with its numbers, the lines that counted and what would unlock more."
    )

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("The partner to explain.", valueName: "id"))
    var partner: String

    @Option(name: .customLong("program"), help: ArgumentHelp("Only this program (repeatable).", valueName: "id"))
    var programIDs: [String] = []

    @Flag(help: "List every booking line, not only the first 20 per item.")
    var allLines = false

    func run() throws {
        let loaded = try Terminal.load(input, programIDs: programIDs, tracePartner: partner)
        let result = Engine.compute(loaded)
        Output.standardOutput(
            Output.forPeople(
                Explanation.render(
                    partnerID: partner, input: loaded, result: result, lineLimit: allLines ? nil : 20, moreLines: "use --all-lines")))
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Validate a dataset and its programs, reporting every problem; computes nothing."
    )

    @OptionGroup var input: InputOptions

    func run() throws {
        let loaded = try Terminal.load(input)
        let dataset = loaded.dataset
        Output.standardOutput(
            "ok: \(loaded.programs.count) program(s), \(dataset.partners.count) partner(s), \(loaded.totals.lineCount) booking line(s), "
                + "\(dataset.enrollments.count) enrolment(s); \(loaded.warnings.warnings.count) warning(s)\n")
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a valid synthetic dataset and programs, deterministic for a seed.",
        discussion: "Writes OUT/data/*.csv and OUT/programs/*.yaml; compute it with --data OUT/data --programs OUT/programs."
    )

    // `.unconditional`: `--lines -5` is a value to refuse with a clear message, not a missing one.
    @Option(parsing: .unconditional, help: "Number of partners (1 to 10,000,000).")
    var partners: Int = 1000

    @Option(parsing: .unconditional, help: "Number of booking lines (0 to 1,000,000,000).")
    var lines: Int = 100_000

    @Option(help: "Seed: the same seed gives the same files.")
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("The folder to write.", valueName: "dir"))
    var out: String

    func validate() throws {
        guard partners >= 1 && partners <= 10_000_000 else {
            throw ValidationError("--partners \(partners): give a number of partners from 1 to 10,000,000")
        }
        guard lines >= 0 && lines <= 1_000_000_000 else {
            throw ValidationError("--lines \(lines): give a number of booking lines from 0 to 1,000,000,000")
        }
    }

    func run() throws {
        try DatasetGenerator(partners: partners, lines: lines, seed: seed).write(to: out)
        Output.standardError("wrote \(lines) booking lines for \(partners) partners to \(out)/data and programs to \(out)/programs")
    }
}
