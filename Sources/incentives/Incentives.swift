import ArgumentParser
import IncentiveEngine

@main
struct Incentives: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "incentives",
        abstract: "Computes, explains and checks vendor incentive programs: VIP back-end rebates and Partner Provider MDF.",
        discussion: """
            A dataset is a folder of CSV files (partners.csv, bookings.csv, and optionally credentials.csv, \
            csat.csv, services.csv, enrollments.csv, products.csv, fx.csv); programs are YAML files in another \
            folder. See README.md for the formats.
            """,
        version: Engine.version,
        subcommands: [Compute.self, Explain.self, Check.self, Generate.self]
    )
}

/// Where the data and programs are.
struct InputOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The dataset folder (partners.csv, bookings.csv, ...).", valueName: "dir"))
    var data: String

    @Option(help: ArgumentHelp("The folder of program definitions (*.yaml).", valueName: "dir"))
    var programs: String
}

enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
    case table, csv, json
}

/// Input problems end the command: every problem on stderr, nothing on stdout, exit code 1.
struct InputRejected: Error, CustomStringConvertible {
    var description: String { "" }
}

enum Terminal {
    static func reportProblems(_ report: DiagnosticReport) -> InputRejected {
        for line in report.warningLines { Output.standardError(line) }
        for line in report.errorLines { Output.standardError(line) }
        let count = report.collector.errorCount
        Output.standardError("\(count) problem\(count == 1 ? "" : "s") found; nothing was computed.")
        return InputRejected()
    }

    static func reportWarnings(_ collector: DiagnosticCollector) {
        for line in collector.lines(severity: .warning) { Output.standardError(line) }
    }

    /// Loads input, turning problems into the standard report.
    static func load(_ options: InputOptions, programIDs: [String] = [], tracePartner: String? = nil) throws -> LoadedInput {
        do {
            let input = try Engine.load(
                dataDirectory: options.data, programsDirectory: options.programs, programIDs: programIDs, tracePartner: tracePartner)
            reportWarnings(input.warnings)
            return input
        } catch {
            throw reportProblems(error)
        }
    }
}
