import ArgumentParser
import IncentiveSynthetic

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
