import ArgumentParser
import IncentiveAdvisor
import IncentiveEngine
import IncentiveServer
import IncentiveSheets
import IncentiveStore

struct Advise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Advise a partner: where each VIP subtrack stands and where its pace leads, what enrolling would bring, MDF lost to untagged orders.",
        discussion: """
            Every VIP subtrack of every program, enrolled or not: volume so far against the minimum, the volume at the \
            period end at the current pace and the day the minimum is reached, what is missing (credentials, CSATs, tier), \
            and the rebate. For MDF: the share tagged managed_services, the untagged volume and the MDF it cost, and lines \
            to re-tag. --as-of shows it as it stood on a date, from the data dated up to it. A deadline calendar lists every \
            step with its day (enrol on or after, renew before, CSAT reports and tags by the period end).
            """
    )

    @OptionGroup var input: InputOptions

    @OptionGroup var known: KnownAtOption

    @Option(help: ArgumentHelp("The partner to advise.", valueName: "id"))
    var partner: String

    @Option(name: .customLong("program"), help: ArgumentHelp("Only this program (repeatable).", valueName: "id"))
    var programIDs: [String] = []

    @Option(name: .customLong("as-of"), help: ArgumentHelp("The advice as it stood on this day (default: today).", valueName: "YYYY-MM-DD"))
    var asOf: Day?

    @Option(
        help: ArgumentHelp(
            "A credentials catalogue (YAML: credentials with id, name, cost, lead_time_days, optional renewal_cost and renewal_lead_time_days): adds a recommendation of what to enrol in, acquire and renew.",
            valueName: "file"))
    var catalogue: String?

    @Option(
        help: ArgumentHelp(
            "With --catalogue: weigh a credential's cost against the rebate it unlocks in this period and, assumed the same, in the next N-1 periods.",
            valueName: "N"))
    var horizon: Int = 1

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, json, xlsx }

    @Option(help: ArgumentHelp("Write the output to this file instead of stdout (replaced only when complete).", valueName: "file"))
    var output: String?

    @OptionGroup var sheets: SpreadsheetOptions

    func validate() throws {
        try known.validate(with: input)
        try sheets.validate(with: input)
        try WorkbookOutput.validate(format == .xlsx, output: output)
        guard horizon >= 1 else { throw ValidationError("--horizon: expected a whole number of periods, 1 or more (got \(horizon))") }
    }

    @Option(
        help:
            "Output format: table, json or xlsx (with --output: the advice, the MDF programs, the recommendation and, from a workspace, the ledger)."
    )
    var format: Format = .table

    func run() throws {
        let day = asOf ?? Day.today()
        var offers: [CredentialOffer]?
        if let catalogue {
            do {
                offers = try CredentialCatalogue.load(path: catalogue)
            } catch {
                throw Terminal.reportProblems(error, outcome: "no advice was given")
            }
        }
        let view = Advisor.bookings(asOf: day)
        let loaded: LoadedInput
        // From a workspace: what the partner's ledger says (issue 17 point 7), under the table.
        var opened: Workspace?
        if input.data != nil && input.programs != nil {
            // The folder as compute reads it (Excel dialects and workbooks too); its warnings are reported there.
            loaded = try Terminal.load(input, programIDs: programIDs, tracePartner: partner, bookingView: view, read: sheets.value)
        } else {
            let workspace = try Terminal.openWorkspace(input.workspace)
            let point = try known.resolve(in: workspace)
            do {
                loaded = try workspace.loadInput(
                    programIDs: programIDs, tracePartner: partner, onlyPartner: true, bookingView: view, asKnownAt: point, remedies: .commandLine
                ).input
            } catch {
                throw Terminal.reportProblems(error)
            }
            opened = workspace
        }
        if input.data == nil { Terminal.reportWarnings(loaded.warnings) }
        guard let advice = Advisor.advise(partnerID: partner, input: loaded, asOf: day) else {
            throw CommandFailure(description: "no such partner: \(partner)")
        }
        let outlook = try opened.map { try PartnerLedger.outlook($0, partner: partner, asOf: day) }
        let ledger =
            outlook.map {
                LedgerAdvice.lines(
                    $0, words: .english,
                    format: AdviceFormat(money: { $0.groupedText }, date: { $0.description }, check: { $0.explanation }, decimalSeparator: "."))
            } ?? []
        let recommendation = offers.map { Recommender.recommend(advice, catalogue: $0, horizon: horizon) }
        let calendar = AdviceCalendar.actions(advice, recommendation: recommendation)
        switch format {
        case .json: try Output.write(AdviceOutput.json(advice, recommendation: recommendation, calendar: calendar, ledger: outlook), to: output)
        case .table:
            let table = AdviceOutput.table(advice, recommendation: recommendation, calendar: calendar)
            let money = ledger.isEmpty ? "" : "\nLedger and MDF funds\n" + ledger.map { "  \($0)\n" }.joined()
            try Output.write(Output.forPeople(table + money), to: output)
        case .xlsx:
            var book = WriteSheets.advice(advice, recommendation: recommendation)
            // From a workspace: the ledger's lines, typed, on a sheet of their own (last).
            if let outlook { book.sheets.append(WriteSheets.ledger(outlook)) }
            try WorkbookOutput.write(book, to: output)
        }
    }
}
