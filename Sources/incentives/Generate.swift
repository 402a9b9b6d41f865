import ArgumentParser
import IncentiveSynthetic

extension DatasetGenerator.Rules: ExpressibleByArgument {}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a valid synthetic dataset and programs, deterministic for a seed.",
        discussion: """
            Writes OUT/data/*.csv and OUT/programs/*.yaml; compute it with --data OUT/data --programs OUT/programs.

            --rules v1 (the default) writes three programs in the keys of formats.md sections 1-4. --rules v2 writes \
            the same three programs (same ids and dates) with every key of section 5, chosen at random from the seed: \
            fiscal period names, full_credit_enrollment_until, rebate_percent by tier, rebate_tiers (retroactive and \
            marginal), rebate_base all, above_minimum and growth with a baseline in the previous half or quarter, \
            attach_bonus with bands, cap, and product entries with from/until dates. The data then also has tiers.csv \
            (tier changes, some on or next to a period's last day), booking lines in the baseline window (FY15-H1) and \
            lines ordered on, just before or just after the days where a rule changes. The same arguments give the \
            same bytes.
            """
    )

    // `.unconditional`: `--lines -5` is a value to refuse with a clear message, not a missing one.
    @Option(parsing: .unconditional, help: "Number of partners (1 to 10,000,000).")
    var partners: Int = 1000

    @Option(parsing: .unconditional, help: "Number of booking lines (0 to 1,000,000,000).")
    var lines: Int = 100_000

    @Option(help: "Seed: the same seed gives the same files.")
    var seed: UInt64 = 1

    @Option(help: "Program rules: v1 (formats.md sections 1-4) or v2 (every key of section 5; see below).")
    var rules: DatasetGenerator.Rules = .v1

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
        try DatasetGenerator(partners: partners, lines: lines, seed: seed, rules: rules).write(to: out)
        Output.standardError(
            "wrote \(lines) booking lines for \(partners) partners to \(out)/data and programs (rules \(rules.rawValue)) to \(out)/programs")
    }
}
