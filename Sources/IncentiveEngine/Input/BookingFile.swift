#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Streams a `bookings.csv` once, validating every line (formats.md §1) and handing each valid one
/// to a sink. Memory does not grow with the number of lines: the fingerprints used to find duplicate
/// (`order_id`, `line`) keys spill to a temporary file (`BookingKeys`). See `ParallelBookings.swift`
/// for reading on every core.
public enum BookingFile {
    public static let requiredColumns = ["order_id", "line", "partner_id", "booked_on", "sku", "amount", "currency"]
    public static let optionalColumns = ["shipped_on", "quantity", "intended_use"]

    /// Reads `path` (shown as `displayName`). Partner ids are checked against `dataset`, SKUs against its catalogue.
    /// The sink sees only valid lines; it may add problems of its own. Returns the number of records read.
    @discardableResult
    public static func read(
        path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector,
        progress: (Int) -> Void = { _ in },
        sink: (BookingLine, inout DiagnosticCollector) -> Void
    ) -> Int {
        withoutActuallyEscaping(sink) { body in
            var adapter = ClosureSink(body: body)
            return read(path: path, displayName: displayName, dataset: dataset, collector: &collector, progress: progress, into: &adapter)
        }
    }

    /// Reads `path` into `sink` on one thread.
    @discardableResult
    public static func read<Sink: BookingSink>(
        path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector,
        progress: (Int) -> Void = { _ in }, into sink: inout Sink
    ) -> Int {
        let name = displayName ?? path
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, displayName: name)
        } catch {
            collector.merge(error.collector)
            return 0
        }
        return read(
            reader: reader, reopen: { () throws(DiagnosticReport) -> CSVReader in try CSVReader(path: path, displayName: name) },
            dataset: dataset, collector: &collector, progress: progress, into: &sink)
    }

    /// Reads bookings from `reader`; `reopen` gives a fresh reader of the same bytes for the
    /// rare second pass that confirms duplicate keys. `progress` is called now and then with the bytes read so far.
    public static func read<Sink: BookingSink>(
        reader: CSVReader, reopen: () throws(DiagnosticReport) -> CSVReader, dataset: Dataset, collector: inout DiagnosticCollector,
        progress: (Int) -> Void = { _ in },
        into sink: inout Sink
    ) -> Int {
        guard checkColumns(reader, collector: &collector) else { return 0 }
        var keys = BookingKeys(partitions: BookingKeys.partitions(forBytes: reader.size))
        let outcome = readRecords(reader: reader, dataset: dataset, collector: &collector, keys: &keys, progress: progress, into: &sink)
        let suspects = BookingKeys.repeated([keys.sealed()], workers: defaultWorkers)
        if !suspects.isEmpty { confirmDuplicates(suspects, reopen: reopen, file: reader.file, collector: &collector) }
        return outcome.records
    }

    /// Reports the required columns the header lacks; true when it has them all.
    static func checkColumns(_ reader: CSVReader, collector: inout DiagnosticCollector) -> Bool {
        var complete = true
        for name in requiredColumns where reader.column(name) == nil {
            collector.error(
                file: reader.file, line: 1, column: name, "missing required column (the header has: \(reader.headerSummary))")
            complete = false
        }
        return complete
    }

    /// How reading a run of records ended.
    struct Outcome {
        var records = 0
        /// Reading stopped at a problem after which nothing more can be read (an unterminated quote).
        var fatal = false
    }

    /// Reads records from `reader` until it stops, validating each and handing valid lines to `sink`;
    /// every key's fingerprint goes into `keys`. The header must have the required columns.
    static func readRecords<Sink: BookingSink>(
        reader: CSVReader, dataset: Dataset, collector: inout DiagnosticCollector, keys: inout BookingKeys,
        progress: (Int) -> Void = { _ in }, into sink: inout Sink
    ) -> Outcome {
        let file = reader.file
        var outcome = Outcome()
        var columnIndex: [String: Int] = [:]
        for name in requiredColumns { columnIndex[name] = reader.column(name) }
        let orderColumn = columnIndex["order_id"]!, lineColumn = columnIndex["line"]!, partnerColumn = columnIndex["partner_id"]!
        let bookedColumn = columnIndex["booked_on"]!, skuColumn = columnIndex["sku"]!, amountColumn = columnIndex["amount"]!
        let currencyColumn = columnIndex["currency"]!
        let shippedColumn = reader.column("shipped_on"), quantityColumn = reader.column("quantity"), useColumn = reader.column("intended_use")
        let expectedFields = reader.header.count
        let catalogue = dataset.products
        let partnerIDs = dataset.partnerIDs
        let empty = UnsafeBufferPointer<UInt8>(start: nil, count: 0)

        var lineCount = 0
        // The lines of an order mostly share partner and dates: remember the last ones.
        var lastPartner = LastBytes()
        let days = DayCache()
        var lastPartnerIndex: Int32 = -1

        while true {
            let more: Bool
            do {
                more = try reader.next()
            } catch {
                collector.merge(error.collector)
                outcome.fatal = true
                break
            }
            guard more else { break }
            lineCount += 1
            if lineCount & 0xFFFF == 0 { progress(reader.bytesRead) }
            let line = reader.recordLine
            if let problem = reader.recordProblem {
                collector.error(file: file, line: line, column: reader.recordProblemColumn, problem)
                continue
            }
            let record = reader.record
            if record.count != expectedFields {
                collector.error(file: file, line: line, "expected \(expectedFields) fields like the header, found \(record.count)")
                continue
            }
            var bad = false
            func fail(_ column: String, _ index: Int?, _ message: String) {
                bad = true
                collector.error(file: file, line: line, column: column, value: index.map { record.string($0) }, message)
            }

            // Key (order_id, line): non-empty, unique.
            let orderBytes = record[orderColumn], lineBytes = record[lineColumn]
            if orderBytes.isEmpty { fail("order_id", nil, "required value is empty") }
            if lineBytes.isEmpty { fail("line", nil, "required value is empty") }
            if !orderBytes.isEmpty && !lineBytes.isEmpty {
                keys.add(ByteHash.key(order: orderBytes, line: lineBytes))
            }

            // Partner.
            let partnerBytes = record[partnerColumn]
            let partner: Int32
            if lastPartner.holds(partnerBytes) {
                partner = lastPartnerIndex
            } else {
                partner = partnerIDs.lookup(partnerBytes) ?? -1
                lastPartner.set(partnerBytes)
                lastPartnerIndex = partner
            }
            if partner < 0 {
                if partnerBytes.isEmpty {
                    fail("partner_id", nil, "required value is empty")
                } else if dataset.reportsUnknownPartner(record.string(partnerColumn)) {
                    fail("partner_id", partnerColumn, "unknown partner (not in \(dataset.partnersSource))")
                } else {
                    bad = true  // partners.csv has a problem of its own, already reported
                }
            }

            // Dates.
            let booked = days.day(record[bookedColumn])
            if booked == nil {
                if record[bookedColumn].isEmpty {
                    fail("booked_on", nil, "required date is empty")
                } else {
                    fail("booked_on", bookedColumn, "expected a real calendar date YYYY-MM-DD")
                }
            }
            var shipped: Day?
            if let shippedColumn, !record[shippedColumn].isEmpty {
                shipped = days.day(record[shippedColumn])
                if shipped == nil {
                    fail("shipped_on", shippedColumn, "expected a real calendar date YYYY-MM-DD")
                } else if let booked, shipped! < booked {
                    collector.warning(
                        file: file, line: line, column: "shipped_on", value: record.string(shippedColumn), "before booked_on (\(booked))")
                }
            }

            // SKU.
            let skuBytes = record[skuColumn]
            var catalogueSKU: Int32 = -1
            if skuBytes.isEmpty {
                fail("sku", nil, "required value is empty")
            } else if let catalogue {
                catalogueSKU = catalogue.lookup(skuBytes) ?? -1
                if catalogueSKU < 0 {
                    collector.warning(file: file, line: line, column: "sku", value: record.string(skuColumn), "not in products.csv")
                }
            }

            var quantity = empty
            if let quantityColumn, !record[quantityColumn].isEmpty {
                quantity = record[quantityColumn]
                if case .failure = FieldParsing.decimal(quantity, scale: 6, limit: Int64.max) {
                    fail("quantity", quantityColumn, "expected a number")
                }
            }

            // Amount and currency.
            var amount: Int64 = 0
            switch FieldParsing.decimal(record[amountColumn], scale: 2) {
            case .success(let cents): amount = cents
            case .failure(let problem): fail("amount", amountColumn, FieldParsing.explain(problem, decimals: 2, what: "an amount"))
            }
            if FieldParsing.currencyKey(record[currencyColumn]) == 0 {
                fail("currency", currencyColumn, "expected an ISO 4217 currency code such as USD")
            }
            if bad { continue }

            // Intended use, normalised by the reader in its buffer (the record is not read again).
            var intendedUse = empty
            if let useColumn, !record[useColumn].isEmpty {
                reader.rewriteField(useColumn, FieldParsing.intendedUseByte)
                intendedUse = record[useColumn]
            }
            sink.take(
                BookingLine(
                    line: line, orderID: orderBytes, lineID: lineBytes, partner: Int(partner), partnerID: partnerBytes, bookedOn: booked!,
                    shippedOn: shipped, sku: skuBytes, quantity: quantity, amount: amount, currency: record[currencyColumn],
                    intendedUse: intendedUse, catalogueSKU: catalogueSKU), collector: &collector)
        }
        outcome.records = lineCount
        return outcome
    }

    /// Fingerprints can collide: re-read the file and report only keys that really repeat.
    static func confirmDuplicates(
        _ suspects: Set<UInt64>, reopen: () throws(DiagnosticReport) -> CSVReader, file: String, collector: inout DiagnosticCollector
    ) {
        guard let reader = try? reopen(), let orderColumn = reader.column("order_id"), let lineColumn = reader.column("line") else { return }
        var firstLine: [ExactText: Int] = [:]
        while (try? reader.next()) == true {
            guard reader.recordProblem == nil, reader.fieldCount == reader.header.count else { continue }
            if reader.isEmpty(orderColumn) || reader.isEmpty(lineColumn) { continue }
            let hash = ByteHash.key(order: reader.record[orderColumn], line: reader.record[lineColumn])
            guard suspects.contains(hash) else { continue }
            let order = reader.string(orderColumn), lineID = reader.string(lineColumn)
            let key = ExactText(order + "\u{1F}" + lineID)
            if let first = firstLine[key] {
                collector.error(
                    file: file, line: reader.recordLine, column: "order_id, line", value: "\(order), \(lineID)",
                    "duplicate order line (first on line \(first))")
            } else {
                firstLine[key] = reader.recordLine
            }
        }
    }
}
