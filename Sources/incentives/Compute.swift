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
        switch format {
        case .csv:
            // Computed and written a block of partners at a time: at 100,000 partners the results are
            // hundreds of megabytes in memory, the CSV over 20 MB.
            try Output.stream(to: output) { write in try ResultsCSV.stream(loaded, write) }
        case .json: try Output.write(ResultsJSON.render(Engine.compute(loaded)), to: output)
        case .table: try Output.write(Output.forPeople(SummaryTable.render(Engine.compute(loaded))), to: output)
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

    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "The day to judge each missed amount on: what can still be had before the period ends, and what is lost (default today).",
            valueName: "YYYY-MM-DD"))
    var asOf: Day?

    func run() throws {
        let loaded = try Terminal.load(input, programIDs: programIDs, tracePartner: partner)
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

    func run() throws {
        let loaded = try Terminal.load(input)
        let dataset = loaded.dataset
        Output.standardOutput(
            "ok: \(loaded.programs.count) program(s), \(dataset.partners.count) partner(s), \(loaded.totals.lineCount) booking line(s), "
                + "\(dataset.enrollments.count) enrolment(s); \(loaded.warnings.warnings.count) warning(s)\n")
    }
}
