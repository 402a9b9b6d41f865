import ArgumentParser
import IncentiveAdvisor
import IncentiveEngine
import IncentiveStore

struct EstimateDeal: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "estimate",
        abstract: "Estimate what a deal (a quote) adds to a partner's rebates and MDF, given its position so far.",
        discussion: """
            The quote is a CSV file with the columns sku, amount, currency and optionally intended_use, booked_on \
            (default: --as-of) and shipped_on. The engine computes the partner as it stood on --as-of without the quote, \
            then with its lines added one by one: per program and subtrack the rebate and MDF before, with the deal and \
            added, the minimum, tier, attach band or cap the deal crosses, each line's share and why a line adds nothing.
            """
    )

    @OptionGroup var input: InputOptions

    @Option(help: ArgumentHelp("The partner the deal is for.", valueName: "id"))
    var partner: String

    @Option(help: ArgumentHelp("The quote: a CSV file of sku, amount, currency[, intended_use, booked_on, shipped_on].", valueName: "file"))
    var quote: String

    @Option(name: .customLong("program"), help: ArgumentHelp("Only this program (repeatable).", valueName: "id"))
    var programIDs: [String] = []

    @Option(
        name: .customLong("as-of"),
        help: ArgumentHelp(
            "The partner's position as it stood on this day, and the quote lines' default booked_on (default: today).", valueName: "YYYY-MM-DD"))
    var asOf: Day?

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json }

    @Option(help: "Output format: table or json.")
    var format: Format = .table

    func run() throws {
        let day = asOf ?? Day.today()
        let lines: [QuoteLine]
        do {
            lines = try Estimate.readQuote(path: quote, bookedOn: day)
        } catch {
            throw Terminal.reportProblems(error, outcome: "nothing was estimated")
        }
        var loaded = try Terminal.load(input, programIDs: programIDs, tracePartner: partner, bookingView: Advisor.bookings(asOf: day))
        loaded.dataset = Advisor.dataset(loaded.dataset, asOf: day)
        let estimate: DealEstimate
        do {
            estimate = try Estimate.estimate(partnerID: partner, input: loaded, quote: lines, quoteFile: quote)
        } catch {
            throw Terminal.reportProblems(error, outcome: "nothing was estimated")
        }
        Terminal.reportWarnings(estimate.warnings)
        Output.standardOutput(format == .json ? EstimateOutput.json(estimate) : Output.forPeople(EstimateOutput.table(estimate)))
    }
}
