import Foundation

/// The per-deal estimate (issue 14, point 6): what a quote adds to a partner's rebates and MDF, given the partner's
/// position so far.
///
/// Nothing here applies a rule: the quote's lines go through the engine's one pass (`BookingAccumulator`) and the
/// partner is computed by `Engine.compute` without the quote, then with its first line, its first two lines, and so on.
/// What each line adds is the difference between two such computations; what the deal adds is the last one less the first.
public enum Estimate {
    /// The columns of a quote file.
    public static let requiredColumns = ["sku", "amount", "currency"]
    public static let optionalColumns = ["intended_use", "booked_on", "shipped_on"]

    /// Reads a quote file: `sku`, `amount`, `currency`, optional `intended_use`, `booked_on` (default `bookedOn`) and
    /// `shipped_on`. Every problem names the file, line, column and value; no line is returned when there is one.
    public static func readQuote(path: String, displayName: String? = nil, bookedOn: Day) throws(DiagnosticReport) -> [QuoteLine] {
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, displayName: displayName)
        } catch {
            throw error
        }
        return try readQuote(reader, bookedOn: bookedOn)
    }

    /// Reads a quote from CSV text (a form's text area), shown as `file` in messages.
    public static func readQuote(text: String, file: String, bookedOn: Day) throws(DiagnosticReport) -> [QuoteLine] {
        let reader: CSVReader
        do {
            reader = try CSVReader(bytes: Array(text.utf8), file: file)
        } catch {
            throw error
        }
        return try readQuote(reader, bookedOn: bookedOn)
    }

    private static func readQuote(_ reader: CSVReader, bookedOn: Day) throws(DiagnosticReport) -> [QuoteLine] {
        var collector = DiagnosticCollector()
        guard let table = Table(reader: reader, required: requiredColumns, optional: optionalColumns, collector: &collector) else {
            throw DiagnosticReport(collector)
        }
        let sku = table.column("sku"), amount = table.column("amount"), currency = table.column("currency")
        let use = table.column("intended_use"), booked = table.column("booked_on"), shipped = table.column("shipped_on")
        var lines: [QuoteLine] = []
        while let record = table.nextRecord(&collector) {
            let errors = collector.errorCount
            let skuBytes = table.identifierBytes(record, sku, &collector)
            let cents = table.decimal(record, amount, scale: 2, what: "an amount", allowNegative: true, &collector)
            let code = table.currency(record, currency, &collector)
            var day: Day? = bookedOn
            if !table.bytes(record, booked).isEmpty { day = table.day(record, booked, &collector) }
            let shippedOn = table.optionalDay(record, shipped, &collector)
            guard collector.errorCount == errors, skuBytes != nil, let cents, let code, let day, let shippedOn else { continue }
            lines.append(
                QuoteLine(
                    line: table.line, sku: table.text(record, sku), amount: Money(cents: cents), currency: code,
                    intendedUse: FieldParsing.normalizeIntendedUse(table.text(record, use)), bookedOn: day, shippedOn: shippedOn))
        }
        if lines.isEmpty && !collector.hasErrors {
            collector.error(
                file: reader.file, line: nil,
                "the quote has no lines (expected a header with \(requiredColumns.joined(separator: ", ")) and one line per item)")
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }
        return lines
    }

    /// One quote line from its fields as text (a JSON body's line), checked with the parsers of every input: each
    /// problem is reported against `file` and `line` with its column and value; `nil` when there is one.
    public static func quoteLine(
        file: String, line: Int, sku: String, amount: String, currency: String, intendedUse: String?, bookedOn: String?, shippedOn: String?,
        defaultBookedOn: Day, collector: inout DiagnosticCollector
    ) -> QuoteLine? {
        let errors = collector.errorCount
        let sku = sku.trimmingCharacters(in: .whitespaces)
        if sku.isEmpty { collector.error(file: file, line: line, column: "sku", "required value is empty") }
        var cents: Int64 = 0
        switch FieldParsing.withBytes(amount, { FieldParsing.decimal($0, scale: 2) }) {
        case .success(let value): cents = value
        case .failure(let problem):
            collector.error(file: file, line: line, column: "amount", value: amount, FieldParsing.explain(problem, decimals: 2, what: "an amount"))
        }
        if FieldParsing.currencyKey(currency) == 0 {
            collector.error(file: file, line: line, column: "currency", value: currency, "expected an ISO 4217 currency code such as USD")
        }
        func day(_ text: String?, _ column: String) -> Day? {
            guard let text, !text.isEmpty else { return nil }
            guard let day = Day(iso: text) else {
                collector.error(file: file, line: line, column: column, value: text, "expected a real calendar date YYYY-MM-DD")
                return nil
            }
            return day
        }
        let booked = day(bookedOn, "booked_on") ?? defaultBookedOn
        let shipped = day(shippedOn, "shipped_on")
        guard collector.errorCount == errors else { return nil }
        return QuoteLine(
            line: line, sku: sku, amount: Money(cents: cents), currency: currency, intendedUse: intendedUse ?? "", bookedOn: booked,
            shippedOn: shipped)
    }

    /// What `quote` adds for partner `partnerID` of `input` (its data as it stands: a caller wanting "as of a day"
    /// loads the input so). `quoteFile` names the quote in messages (a line that cannot be converted into a
    /// program's currency).
    ///
    /// - Throws: a report naming the partner when it is unknown, or the quote line that cannot be counted.
    public static func estimate(partnerID: String, input: LoadedInput, quote: [QuoteLine], quoteFile: String) throws(DiagnosticReport)
        -> DealEstimate
    {
        guard let index = input.dataset.partnerIndex(partnerID) else {
            throw DiagnosticReport(
                Diagnostic(file: input.dataset.partnersSource, line: nil, column: "partner", value: partnerID, message: "no such partner"))
        }
        let base = onePartner(input, index)
        var collector = DiagnosticCollector()
        var accumulator = BookingAccumulator(programs: base.programs, dataset: base.dataset, tracePartner: 0)
        var results = [Engine.compute(base)]
        var outcomes: [[LineOutcome]] = []
        let catalogue = base.dataset.products
        for quoteLine in quote {
            if let catalogue, catalogue.lookup(quoteLine.sku) == nil {
                collector.warning(file: quoteFile, line: quoteLine.line, column: "sku", value: quoteLine.sku, "not in products.csv")
            }
            accumulator.add(
                line: quoteLine.line, orderID: "quote", lineID: String(quoteLine.line), partnerID: base.dataset.partners[0].id,
                bookedOn: quoteLine.bookedOn, shippedOn: quoteLine.shippedOn, sku: quoteLine.sku, amount: quoteLine.amount,
                currency: quoteLine.currency, intendedUse: quoteLine.intendedUse, catalogue: catalogue, file: quoteFile, collector: &collector)
            var scratch = DiagnosticCollector()
            let added = accumulator.finish(file: quoteFile, collector: &scratch)
            if scratch.hasErrors || collector.hasErrors { break }
            outcomes.append(added.traced.last?.outcomes ?? [])
            var with = base
            with.totals = sum(base.totals, added)
            results.append(Engine.compute(with))
        }
        _ = accumulator.finish(file: quoteFile, collector: &collector)
        if collector.hasErrors { throw DiagnosticReport(collector) }
        return DealEstimate(
            partner: base.dataset.partners[0], programs: base.programs, quote: quote, results: results, outcomes: outcomes,
            warnings: collector)
    }

    /// `input` reduced to partner `index` (then partner 0): the computations of an estimate cost what one partner costs.
    static func onePartner(_ input: LoadedInput, _ index: Int) -> LoadedInput {
        let full = input.dataset
        var dataset = Dataset()
        dataset.partnersSource = full.partnersSource
        dataset.add(full.partners[index])
        dataset.credentials[0] = full.credentials[index]
        dataset.csatDates[0] = full.csatDates[index]
        dataset.services[0] = full.services[index]
        if index < full.tierChanges.count { dataset.tierChanges[0] = full.tierChanges[index] }
        let id = full.partners[index].id
        dataset.enrollments = full.enrollments.filter { $0.partnerID.isExactly(id) }
        dataset.products = full.products
        dataset.fxRates = full.fxRates
        var totals = BookingTotals(programs: [])
        totals.lineCount = input.totals.lineCount
        totals.traced = input.totals.traced
        for (program, theirs) in zip(input.programs, input.totals.programs) {
            var mine = ProgramTotals(program: program, partnerCount: 1)
            let count = theirs.subtrackCount
            if count > 0 && !theirs.subtracks.isEmpty { mine.subtracks = Array(theirs.subtracks[index * count..<(index + 1) * count]) }
            if !theirs.extras.isEmpty { mine.extras = Array(theirs.extras[index * count..<(index + 1) * count]) }
            if !theirs.unmatchedLines.isEmpty { mine.unmatchedLines = [theirs.unmatchedLines[index]] }
            if !theirs.mdf.isEmpty { mine.mdf = [theirs.mdf[index]] }
            totals.programs.append(mine)
        }
        return LoadedInput(programs: input.programs, dataset: dataset, totals: totals, warnings: input.warnings)
    }

    /// The totals of the partner's lines and the quote's lines together.
    static func sum(_ lhs: BookingTotals, _ rhs: BookingTotals) -> BookingTotals {
        var total = lhs
        for index in total.programs.indices { total.programs[index].add(rhs.programs[index]) }
        return total
    }
}

/// One line of a quote: a booking the deal would make.
public struct QuoteLine: Sendable, Hashable {
    /// Physical line in the quote file (the position, from 1, in a list of lines).
    public var line: Int
    public var sku: String
    /// In `currency`.
    public var amount: Money
    /// Upper case.
    public var currency: String
    /// Normalised (`managed_services`); empty when untagged.
    public var intendedUse: String
    public var bookedOn: Day
    public var shippedOn: Day?

    public init(line: Int, sku: String, amount: Money, currency: String, intendedUse: String = "", bookedOn: Day, shippedOn: Day? = nil) {
        self.line = line
        self.sku = sku
        self.amount = amount
        self.currency = currency.uppercased()
        self.intendedUse = FieldParsing.normalizeIntendedUse(intendedUse)
        self.bookedOn = bookedOn
        self.shippedOn = shippedOn
    }
}

extension BookingAccumulator {
    /// Adds one booking line of partner 0 given as values, as the pass would have read it: a quote's line, or a traced
    /// line counted again.
    mutating func add(
        line: Int, orderID: String, lineID: String, partnerID: String, bookedOn: Day, shippedOn: Day?, sku: String, amount: Money,
        currency: String, intendedUse: String, catalogue: ByteInterner?, file: String, collector: inout DiagnosticCollector
    ) {
        let orderID = Array(orderID.utf8), lineID = Array(lineID.utf8), partner = Array(partnerID.utf8)
        let sku = Array(sku.utf8), currency = Array(currency.utf8), use = Array(intendedUse.utf8)
        let empty: [UInt8] = []
        orderID.withUnsafeBufferPointer { orderID in
            lineID.withUnsafeBufferPointer { lineID in
                partner.withUnsafeBufferPointer { partner in
                    sku.withUnsafeBufferPointer { skuBytes in
                        currency.withUnsafeBufferPointer { currency in
                            use.withUnsafeBufferPointer { use in
                                empty.withUnsafeBufferPointer { empty in
                                    let booking = BookingLine(
                                        line: line, orderID: orderID, lineID: lineID, partner: 0, partnerID: partner, bookedOn: bookedOn,
                                        shippedOn: shippedOn, sku: skuBytes, quantity: empty, amount: amount.cents, currency: currency,
                                        intendedUse: use, catalogueSKU: catalogue?.lookup(skuBytes) ?? -1)
                                    add(booking, file: file, collector: &collector)
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
