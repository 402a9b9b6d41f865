/// Streams `bookings.csv` once, validating every line and adding it into the bucket of
/// (program, partner, item) it belongs to. Memory does not grow with the number of lines,
/// except for an 8-byte fingerprint per line used to find duplicate (`order_id`, `line`) keys.
public final class BookingAggregator {
    private let programs: [Program]
    private let dataset: Dataset
    private let tracePartner: Int?

    private struct VIPPlan {
        var patterns: [(subtrack: Int, pattern: SKUPattern)]
    }

    private struct MDFPlan {
        var ruleStarts: [Int32]
        var rules: [IntendedUseRule]
        /// Per rule, per tag id: 1 allowed, 0 not, -1 not computed yet.
        var allowed: [[Int8]]
    }

    private struct Plan {
        var start: Int32
        var end: Int32
        var byShipped: Bool
        var currency: UInt32
        var vip: VIPPlan?
        var mdf: MDFPlan?
        /// Per SKU id: subtrack index, -1 none, -2 not computed yet.
        var subtrackOfSKU: [Int32] = []
    }

    private var plans: [Plan] = []
    private var skus = ByteInterner(capacity: 4096)
    private var tags = ByteInterner(capacity: 64)
    /// Per SKU id: 1 in the catalogue, 0 not.
    private var skuKnown: [Int8] = []
    private var fx: [UInt32: [(day: Int32, rate: Int64)]] = [:]
    private var fxCache: [UInt64: Int64] = [:]

    public init(programs: [Program], dataset: Dataset, tracePartner: Int? = nil) {
        self.programs = programs
        self.dataset = dataset
        self.tracePartner = tracePartner
        _ = tags.intern("")
        for program in programs {
            var plan = Plan(
                start: program.period.start.daysSinceEpoch, end: program.period.end.daysSinceEpoch,
                byShipped: program.countBookingsBy == .shippedOn, currency: FieldParsing.currencyKey(program.currency))
            switch program.rules {
            case .vip(let rules):
                var patterns: [(Int, SKUPattern)] = []
                for (index, entry) in rules.subtrackPaths.enumerated() {
                    for pattern in entry.subtrack.products { patterns.append((index, pattern)) }
                }
                plan.vip = VIPPlan(patterns: patterns)
            case .mdf(let rules):
                plan.mdf = MDFPlan(
                    ruleStarts: rules.intendedUseRules.map { $0.from?.daysSinceEpoch ?? Int32.min },
                    rules: rules.intendedUseRules,
                    allowed: Array(repeating: [], count: rules.intendedUseRules.count))
            }
            plans.append(plan)
        }
        for (currency, rates) in dataset.fxRates {
            fx[FieldParsing.currencyKey(currency)] = rates.map { ($0.validFrom.daysSinceEpoch, $0.rate.units) }
        }
    }

    /// Reads `path` (shown as `displayName`), adding problems to `collector`.
    /// The totals are meaningful only when `collector` has no errors afterwards.
    public func aggregate(path: String, displayName: String? = nil, collector: inout DiagnosticCollector) -> BookingTotals {
        let name = displayName ?? path
        let reader: CSVReader
        do {
            reader = try CSVReader(path: path, displayName: name)
        } catch {
            collector.merge(error.collector)
            return BookingTotals(programs: programs.map { ProgramTotals(program: $0, partnerCount: dataset.partners.count) })
        }
        return aggregate(
            reader: reader, reopen: { () throws(DiagnosticReport) -> CSVReader in try CSVReader(path: path, displayName: name) },
            collector: &collector)
    }

    /// Reads bookings from `reader`; `reopen` gives a fresh reader of the same bytes for the
    /// rare second pass that confirms duplicate keys.
    public func aggregate(
        reader: CSVReader, reopen: () throws(DiagnosticReport) -> CSVReader, collector: inout DiagnosticCollector
    ) -> BookingTotals {
        let file = reader.file
        var totals = BookingTotals(programs: programs.map { ProgramTotals(program: $0, partnerCount: dataset.partners.count) })
        let required = ["order_id", "line", "partner_id", "booked_on", "sku", "amount", "currency"]
        var columnIndex: [String: Int] = [:]
        var missing = false
        for name in required {
            if let index = reader.column(name) {
                columnIndex[name] = index
            } else {
                collector.error(
                    file: file, line: 1, column: name, "missing required column (the header has: \(reader.header.joined(separator: ", ")))")
                missing = true
            }
        }
        if missing { return totals }
        let orderColumn = columnIndex["order_id"]!, lineColumn = columnIndex["line"]!, partnerColumn = columnIndex["partner_id"]!
        let bookedColumn = columnIndex["booked_on"]!, skuColumn = columnIndex["sku"]!, amountColumn = columnIndex["amount"]!
        let currencyColumn = columnIndex["currency"]!
        let shippedColumn = reader.column("shipped_on"), quantityColumn = reader.column("quantity"), useColumn = reader.column("intended_use")
        let expectedFields = reader.header.count
        let checkCatalogue = dataset.products != nil

        var keys = FingerprintSet(capacity: 1 << 16)
        var suspects: Set<UInt64> = []
        var lineCount = 0
        let planCount = plans.count
        /// Per program, the sum of |amount| of the lines added: while it fits in 64 bits no total can overflow.
        var magnitudes = [Int64](repeating: 0, count: planCount)
        var overflowed = false
        // The hot loop works on local copies: stored properties of a class cost an exclusivity check per access.
        var plans = self.plans
        var skus = self.skus
        var tags = self.tags
        var skuKnown = self.skuKnown
        var fxCache = self.fxCache
        let fx = self.fx
        var tagScratch: [UInt8] = []
        defer {
            self.plans = plans
            self.skus = skus
            self.tags = tags
            self.skuKnown = skuKnown
            self.fxCache = fxCache
        }

        while true {
            let more: Bool
            do {
                more = try reader.next()
            } catch {
                collector.merge(error.collector)
                break
            }
            guard more else { break }
            lineCount += 1
            let line = reader.recordLine
            if let problem = reader.recordProblem {
                collector.error(file: file, line: line, problem)
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
                let hash = ByteHash.key(order: orderBytes, line: lineBytes)
                if !keys.insert(hash) { suspects.insert(hash) }
            }

            // Partner.
            let partnerBytes = record[partnerColumn]
            let partner = dataset.partnerIDs.lookup(partnerBytes) ?? -1
            if partner < 0 {
                if partnerBytes.isEmpty {
                    fail("partner_id", nil, "required value is empty")
                } else if dataset.reportsUnknownPartner(record.string(partnerColumn)) {
                    fail("partner_id", partnerColumn, "unknown partner (not in partners.csv)")
                } else {
                    bad = true  // partners.csv has a problem of its own, already reported
                }
            }

            // Dates.
            let booked = Day(isoBytes: record[bookedColumn])
            if booked == nil {
                if record[bookedColumn].isEmpty {
                    fail("booked_on", nil, "required date is empty")
                } else {
                    fail("booked_on", bookedColumn, "expected a real calendar date YYYY-MM-DD")
                }
            }
            var shipped: Day?
            if let shippedColumn, !record[shippedColumn].isEmpty {
                shipped = Day(isoBytes: record[shippedColumn])
                if shipped == nil { fail("shipped_on", shippedColumn, "expected a real calendar date YYYY-MM-DD") }
            }

            // SKU.
            var sku: Int32 = -1
            let skuBytes = record[skuColumn]
            if skuBytes.isEmpty {
                fail("sku", nil, "required value is empty")
            } else {
                sku = skus.intern(skuBytes)
                if Int(sku) == skuKnown.count {
                    skuKnown.append(checkCatalogue ? (dataset.products!.lookup(skuBytes) != nil ? 1 : 0) : 1)
                    for index in 0..<planCount { plans[index].subtrackOfSKU.append(-2) }
                }
                if skuKnown[Int(sku)] == 0 {
                    collector.warning(file: file, line: line, column: "sku", value: record.string(skuColumn), "not in products.csv")
                }
            }

            if let quantityColumn, !record[quantityColumn].isEmpty {
                if case .failure = FieldParsing.decimal(record[quantityColumn], scale: 6, limit: Int64.max) {
                    fail("quantity", quantityColumn, "expected a number")
                }
            }

            // Amount and currency.
            var amount: Int64 = 0
            switch FieldParsing.decimal(record[amountColumn], scale: 2) {
            case .success(let cents): amount = cents
            case .failure(let problem): fail("amount", amountColumn, FieldParsing.explain(problem, decimals: 2, what: "an amount"))
            }
            let currency = FieldParsing.currencyKey(record[currencyColumn])
            if currency == 0 { fail("currency", currencyColumn, "expected an ISO 4217 currency code such as USD") }

            // Intended use, normalised: trimmed (by the reader), lower-cased, spaces and hyphens as `_`.
            var tag: Int32 = 0
            if let useColumn, !record[useColumn].isEmpty {
                tagScratch.removeAll(keepingCapacity: true)
                for byte in record[useColumn] {
                    let lowered = FieldParsing.asciiLower(byte)
                    tagScratch.append(lowered == 0x20 || lowered == 0x2D ? 0x5F : lowered)
                }
                tag = tagScratch.withUnsafeBufferPointer { tags.intern($0) }
            }

            if bad { continue }
            let bookedDay = booked!.daysSinceEpoch
            let partnerIndex = Int(partner)
            let tracing = tracePartner == partnerIndex
            var outcomes: [LineOutcome] = []

            for index in 0..<planCount {
                var subtrack: Int32 = -1
                let isVIP = plans[index].vip != nil
                if isVIP {
                    subtrack = plans[index].subtrackOfSKU[Int(sku)]
                    if subtrack == -2 {
                        subtrack = -1
                        let name = skus.bytes(sku)
                        for entry in plans[index].vip!.patterns where entry.pattern.matches(name) {
                            subtrack = Int32(entry.subtrack)
                            break
                        }
                        plans[index].subtrackOfSKU[Int(sku)] = subtrack
                    }
                    if subtrack < 0 {
                        totals.programs[index].unmatchedLines[partnerIndex] += 1
                        if tracing { outcomes.append(.noSubtrack) }
                        continue
                    }
                }
                let slot = isVIP ? partnerIndex * totals.programs[index].subtrackCount + Int(subtrack) : partnerIndex
                let countingDay: Int32
                if plans[index].byShipped {
                    guard let shipped else {
                        if isVIP {
                            totals.programs[index].subtracks[slot].undatedLines += 1
                        } else {
                            totals.programs[index].mdf[slot].undatedLines += 1
                        }
                        if tracing { outcomes.append(.undated(subtrack: subtrack < 0 ? nil : Int(subtrack))) }
                        continue
                    }
                    countingDay = shipped.daysSinceEpoch
                } else {
                    countingDay = bookedDay
                }
                if countingDay < plans[index].start || countingDay > plans[index].end {
                    if isVIP {
                        totals.programs[index].subtracks[slot].outsidePeriodLines += 1
                    } else {
                        totals.programs[index].mdf[slot].outsidePeriodLines += 1
                    }
                    if tracing {
                        outcomes.append(.outsidePeriod(subtrack: subtrack < 0 ? nil : Int(subtrack), date: Day(daysSinceEpoch: countingDay)))
                    }
                    continue
                }
                // Convert into program currency, rounded to cents per line.
                var cents = amount
                if currency != plans[index].currency {
                    guard let rate = Self.rate(currency, countingDay, fx: fx, cache: &fxCache) else {
                        bad = true
                        let code = record.string(currencyColumn).uppercased()
                        collector.error(
                            file: file, line: line, column: "currency", value: record.string(currencyColumn),
                            "no fx rate for \(code) on or before \(Day(daysSinceEpoch: countingDay)) (needed to convert into \(programs[index].currency) for \(programs[index].id)); add it to fx.csv"
                        )
                        break
                    }
                    guard let value = Rounding.convert(Money(cents: amount), rate: ScaledDecimal(units: rate, scale: 6)),
                        value.cents.magnitude <= UInt64(FieldParsing.maximumCents)
                    else {
                        fail("amount", amountColumn, "too large once converted into \(programs[index].currency)")
                        break
                    }
                    cents = value.cents
                }
                let (sum, overflow) = magnitudes[index].addingReportingOverflow(Int64(cents.magnitude))
                magnitudes[index] = sum
                if overflow {
                    overflowed = true
                    continue
                }
                if isVIP {
                    totals.programs[index].subtracks[slot].volume.cents += cents
                    totals.programs[index].subtracks[slot].lines += 1
                    if tracing { outcomes.append(.counted(subtrack: Int(subtrack), amount: Money(cents: cents))) }
                    continue
                }
                switch Self.mdfOutcome(&plans[index].mdf!, tag: tag, day: countingDay, tags: tags) {
                case 1:
                    totals.programs[index].mdf[slot].qualifyingVolume.cents += cents
                    totals.programs[index].mdf[slot].qualifyingLines += 1
                    if tag == 0 { totals.programs[index].mdf[slot].qualifyingUntaggedLines += 1 }
                    if tracing { outcomes.append(.qualifying(amount: Money(cents: cents))) }
                case 0 where tag == 0:
                    totals.programs[index].mdf[slot].untaggedVolume.cents += cents
                    totals.programs[index].mdf[slot].untaggedLines += 1
                    if tracing { outcomes.append(.untagged(amount: Money(cents: cents))) }
                case 0:
                    totals.programs[index].mdf[slot].otherTagVolume.cents += cents
                    totals.programs[index].mdf[slot].otherTagLines += 1
                    if tracing { outcomes.append(.otherTag(amount: Money(cents: cents))) }
                default:
                    // No rule in force: neither qualifying nor untagged.
                    totals.programs[index].mdf[slot].otherTagLines += 1
                    if tracing { outcomes.append(.noRule(amount: Money(cents: cents))) }
                }
            }
            if tracing && !bad {
                totals.traced.append(
                    TracedLine(
                        line: line, orderID: record.string(orderColumn), lineID: record.string(lineColumn), sku: record.string(skuColumn),
                        bookedOn: booked!, shippedOn: shipped, amount: Money(cents: amount), currency: record.string(currencyColumn).uppercased(),
                        intendedUse: tags.string(tag), outcomes: outcomes))
            }
        }
        totals.lineCount = lineCount
        if !suspects.isEmpty { confirmDuplicates(suspects, reopen: reopen, file: file, collector: &collector) }
        if overflowed {
            collector.error(
                file: file, line: nil, "the booking amounts add up beyond the range the engine can sum exactly (about 9.2 × 10^16 currency units)")
        }
        return totals
    }

    /// 1 when the line qualifies, 0 when it does not, -1 when no rule is in force.
    private static func mdfOutcome(_ plan: inout MDFPlan, tag: Int32, day: Int32, tags: ByteInterner) -> Int {
        var rule = -1
        for position in 0..<plan.ruleStarts.count where plan.ruleStarts[position] <= day { rule = position }
        if rule < 0 { return -1 }
        let tagIndex = Int(tag)
        if tagIndex >= plan.allowed[rule].count {
            plan.allowed[rule].append(contentsOf: repeatElement(-1, count: tagIndex + 1 - plan.allowed[rule].count))
        }
        if plan.allowed[rule][tagIndex] < 0 {
            plan.allowed[rule][tagIndex] = plan.rules[rule].allows(tags.string(tag)) ? 1 : 0
        }
        return Int(plan.allowed[rule][tagIndex])
    }

    private static func rate(_ currency: UInt32, _ day: Int32, fx: [UInt32: [(day: Int32, rate: Int64)]], cache: inout [UInt64: Int64]) -> Int64? {
        let key = UInt64(currency) << 32 | UInt64(UInt32(bitPattern: day))
        if let cached = cache[key] { return cached < 0 ? nil : cached }
        var found: Int64 = -1
        if let rates = fx[currency] {
            for entry in rates where entry.day <= day { found = entry.rate }
        }
        cache[key] = found
        return found < 0 ? nil : found
    }

    /// Fingerprints can collide: re-read the file and report only keys that really repeat.
    private func confirmDuplicates(
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

/// FNV-1a over bytes, for fingerprints of booking keys.
enum ByteHash {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325

    @inline(__always)
    static func fnv(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var hash = seed
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hash
    }

    @inline(__always)
    static func fnv(byte: UInt8, seed: UInt64) -> UInt64 { (seed ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }

    /// The fingerprint of a booking key (`order_id`, `line`).
    @inline(__always)
    static func key(order: UnsafeBufferPointer<UInt8>, line: UnsafeBufferPointer<UInt8>) -> UInt64 {
        finish(fnv(line, seed: fnv(byte: 0x1F, seed: fnv(order, seed: offset))))
    }

    /// A final mix so that low bits spread well in hash tables.
    @inline(__always)
    static func finish(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x = x &* 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }
}

/// An open-addressing set of 64-bit fingerprints (0 is stored out of band).
struct FingerprintSet {
    private var slots: [UInt64]
    private var mask: Int
    private var count = 0
    private var hasZero = false

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// Inserts `value`; false when it was already there.
    mutating func insert(_ value: UInt64) -> Bool {
        if value == 0 {
            defer { hasZero = true }
            return !hasZero
        }
        var slot = Int(truncatingIfNeeded: value) & mask
        while true {
            let current = slots[slot]
            if current == 0 { break }
            if current == value { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = value
        count += 1
        if count * 2 > slots.count { grow() }
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for value in old where value != 0 {
            var slot = Int(truncatingIfNeeded: value) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = value
        }
    }
}
