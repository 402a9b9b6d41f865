import Foundation
import IncentiveSynthetic
import Testing

@testable import IncentiveEngine

/// Reading `bookings.csv` in chunks on several threads gives exactly what one thread gives:
/// the same totals (traced lines and their line numbers included) and the same problems on the
/// same lines, on generated files with awkward quoting: quoted fields holding line breaks,
/// commas and doubled quotes, lines inside quotes that look like records, CRLF line ends and
/// blank lines. Chunks are cut every few bytes so that cuts land everywhere.
@Suite struct ParallelBookingsTests {
    /// A generated bookings file and, for every injected problem, the physical line it is on
    /// (counted here, independently of the reader).
    struct Generated {
        var text = Scenario.bookingsHeader
        var problemLines: [Int] = []
    }

    static func generate(seed: UInt64, records: Int, problems: Bool, unterminatedAt: Int? = nil) -> Generated {
        var random = TestRandom(seed: seed)
        var file = Generated()
        var currentLine = 2
        func append(_ text: String) {
            file.text += text
            currentLine += text.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }  // a "\r\n" is one Character
        }
        let partners = ["P1", "P2", "P3"]
        let uses = [
            "", "managed_services", "\"Managed Services\"", " resale ", "\"multi\nline\ntag\"",
            "\"looks,like\nSO9,1,P1,2015-02-01,,UCS-A,1,5.00,USD,\nrecord\"",
        ]
        for index in 0..<records {
            // After an unterminated quote, lines without quotes: all of it is inside the open field.
            let plain = unterminatedAt.map { index > $0 } ?? false
            if let unterminatedAt, index == unterminatedAt {
                file.problemLines.append(currentLine)
                append("SO-open,1,P1,2015-02-01,,UCS-A,1,\"1.00,USD,\n")
                continue
            }
            if random.next(8) == 0 { append(random.next(2) == 0 ? "\n" : "\r\n") }
            var order = "SO\(index)"
            switch plain ? 5 : random.next(6) {
            case 0: order = "\"SO\(index)\nsecond line\""
            case 1: order = "\"SO\(index), with \"\"quotes\"\"\""
            case 2: order = "  SO\(index)  "
            default: break
            }
            var partner = partners[random.next(partners.count)]
            var amount = "\(random.next(200_000) - 20_000).\(random.next(10))\(random.next(10))"
            var key = "\(random.next(3) + 1)"
            if problems && random.next(20) == 0 {
                switch random.next(4) {
                case 0: amount = "12,5"  // a field too many
                case 1: partner = "PX"
                case 2: amount = "abc"
                default: order = "SO0"; key = "1"  // a duplicate key (SO0 line 1 may or may not exist)
                }
                if order != "SO0" { file.problemLines.append(currentLine) }
            }
            let booked = "2015-0\(random.next(9) + 1)-1\(random.next(10))"
            let shipped = random.next(3) == 0 ? "" : "2015-0\(random.next(9) + 1)-2\(random.next(9))"
            let quotedSKU = ["UCS-A", "UCS-B", "\"UCS-C\"", "N9K-1"][random.next(4)]
            let sku = plain ? quotedSKU.replacingOccurrences(of: "\"", with: "") : quotedSKU
            let currency = random.next(5) == 0 ? "eur" : "USD"
            let end = random.next(4) == 0 ? "\r\n" : "\n"
            append(
                "\(order),\(key),\(partner),\(booked),\(shipped),\(sku),\(random.next(5)),\(amount),\(currency),\(plain ? "" : uses[random.next(uses.count)])\(end)"
            )
        }
        return file
    }

    static func scenario(_ bookings: String) -> Scenario {
        var scenario = Scenario()
        scenario.files["partners.csv"] = Scenario.partnersHeader + "P1,One,NL,gold,false\nP2,Two,DE,premier,false\nP3,Three,NL,select,false\n"
        scenario.files["fx.csv"] = "currency,valid_from,rate\nEUR,2014-01-01,1.123457\nEUR,2015-03-01,1.5\n"
        scenario.files["enrollments.csv"] = "partner_id,program,subtrack,enrolled_on\nP1,VIP,dc/ucs,2015-01-01\n"
        scenario.files["bookings.csv"] = bookings
        scenario.programs["vip.yaml"] = Scenario.vip()
        scenario.programs["mdf.yaml"] = Scenario.mdf
        return scenario
    }

    /// Totals and problems read with `workers` threads (1: the single-threaded reader).
    static func read(
        _ scenario: Scenario, workers: Int, minimumChunk: Int = 1, readSize: Int = 1 << 20, recordCap: Int = 1 << 24
    ) throws -> (totals: BookingTotals, records: Int, problems: [String], warnings: [String]) {
        let (data, programsFolder) = try scenario.write()
        defer { try? FileManager.default.removeItem(atPath: (data as NSString).deletingLastPathComponent) }
        let programs = try ProgramLoader.load(directory: programsFolder).sorted { $0.id < $1.id }
        var collector = DiagnosticCollector()
        let dataset = DatasetLoader.loadTables(directory: data, programs: programs, collector: &collector)
        #expect(!collector.hasErrors, "\(collector.lines(severity: .error))")
        let path = (data as NSString).appendingPathComponent("bookings.csv")
        let make: @Sendable () -> AccumulatingSink = {
            AccumulatingSink(BookingAccumulator(programs: programs, dataset: dataset, tracePartner: 0), file: path)
        }
        var records: Int
        var sink: AccumulatingSink
        if workers == 1 {
            sink = make()
            records = BookingFile.read(path: path, dataset: dataset, collector: &collector, into: &sink)
        } else {
            (records, sink) = BookingFile.read(
                path: path, dataset: dataset, collector: &collector, workers: workers, minimumChunk: minimumChunk, readSize: readSize,
                guessedRecordCap: recordCap, makeSink: make)
        }
        var totals = sink.accumulator.finish(file: path, collector: &collector)
        totals.lineCount = records
        let strip = { (line: String) in line.replacingOccurrences(of: data, with: "") }
        return (totals, records, collector.lines(severity: .error).map(strip), collector.lines(severity: .warning).map(strip))
    }

    @Test(arguments: [1, 2, 3])
    func validFilesGiveTheSameTotals(seed: UInt64) throws {
        let generated = Self.generate(seed: seed, records: 1500, problems: false)
        let scenario = Self.scenario(generated.text)
        let single = try Self.read(scenario, workers: 1)
        #expect(single.problems.isEmpty, "\(single.problems.prefix(3))")
        #expect(single.records == 1500)
        #expect(single.totals.traced.count > 300)
        for workers in [2, 3, 7, 16] {
            let parallel = try Self.read(scenario, workers: workers)
            #expect(parallel.records == single.records)
            #expect(parallel.totals == single.totals, "workers \(workers)")
            #expect(parallel.warnings == single.warnings)
        }
    }

    @Test(arguments: [4, 5])
    func problemsKeepTheirLinesAndOrder(seed: UInt64) throws {
        let generated = Self.generate(seed: seed, records: 3000, problems: true)
        let scenario = Self.scenario(generated.text)
        let single = try Self.read(scenario, workers: 1)
        // Every injected problem is reported on the line it was written on (more than 100 are cut off).
        let reported = Set(single.problems.compactMap { $0.split(separator: ":").dropFirst().first.flatMap { Int($0) } })
        #expect(generated.problemLines.count > 100)
        for line in generated.problemLines.prefix(60) { #expect(reported.contains(line), "line \(line)") }
        #expect(single.problems.last?.contains("... and") == true)
        for workers in [2, 5, 13] {
            let parallel = try Self.read(scenario, workers: workers)
            #expect(parallel.problems == single.problems, "workers \(workers)")
            #expect(parallel.warnings == single.warnings)
        }
    }

    /// The whole path the CLI takes: a generated dataset big enough for `Engine.load` to read it in
    /// two chunks (over 8 MB of bookings; four workers still get two) gives the CSV, JSON and
    /// explanation of one thread.
    @Test func engineLoadOnSeveralThreadsGivesTheSameResults() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DatasetGenerator(partners: 300, lines: 130_000, seed: 12).write(to: root)
        let data = root + "/data", programs = root + "/programs"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: data + "/bookings.csv")[.size] as? Int)
        #expect(size > 2 * BookingFile.bytesPerWorker)
        let partner = "P000007"
        let single = try Engine.load(dataDirectory: data, programsDirectory: programs, tracePartner: partner, workers: 1)
        for workers in [2, 4] {
            let parallel = try Engine.load(dataDirectory: data, programsDirectory: programs, tracePartner: partner, workers: workers)
            #expect(parallel.totals == single.totals)
            #expect(parallel.totals.traced.count > 10)
            let (one, many) = (Engine.compute(single), Engine.compute(parallel))
            #expect(ResultsCSV.render(many.rows) == ResultsCSV.render(one.rows))
            #expect(ResultsJSON.render(many) == ResultsJSON.render(one))
            #expect(
                Explanation.render(partnerID: partner, input: parallel, result: many, lineLimit: nil)
                    == Explanation.render(partnerID: partner, input: single, result: one, lineLimit: nil))
        }
    }

    /// The reader remembers parsed dates; ten zero bytes (what an empty cache slot holds) are still
    /// no date.
    @Test func tenZeroBytesAreNoDate() throws {
        let zeros = String(repeating: "\u{0}", count: 10)
        let scenario = Self.scenario(Scenario.bookingsHeader + "SO1,1,P1,\(zeros),,UCS-A,1,10.00,USD,\n")
        let problems = try scenario.problems()
        #expect(problems.count == 1, "\(problems)")
        // Shown escaped (issue 11): a terminal gets no control characters.
        let shown = String(repeating: "\\x00", count: 10)
        #expect(problems.first?.hasSuffix("booked_on \"\(shown)\": expected a real calendar date YYYY-MM-DD") == true, "\(problems)")
    }

    @Test func duplicateKeysAcrossChunksAreFound() throws {
        var text = Scenario.bookingsHeader
        for index in 0..<400 { text += "SO\(index),1,P1,2015-02-01,,UCS-A,1,10.00,USD,\n" }
        text += "SO3,1,P1,2015-02-01,,UCS-A,1,10.00,USD,\n"  // line 402 repeats line 5
        text += "\"SO399\",1,P2,2015-02-01,,UCS-A,1,10.00,USD,\n"  // line 403 repeats line 401
        let scenario = Self.scenario(text)
        let expected = [
            "/bookings.csv:402: order_id, line \"SO3, 1\": duplicate order line (first on line 5)",
            "/bookings.csv:403: order_id, line \"SO399, 1\": duplicate order line (first on line 401)",
        ]
        #expect(try Self.read(scenario, workers: 1).problems == expected)
        #expect(try Self.read(scenario, workers: 4).problems == expected)
    }

    @Test func anUnterminatedQuoteStopsReadingWhereOneThreadStops() throws {
        let generated = Self.generate(seed: 9, records: 800, problems: false, unterminatedAt: 500)
        let scenario = Self.scenario(generated.text)
        let single = try Self.read(scenario, workers: 1)
        #expect(single.problems.count == 1, "\(single.problems)")
        #expect(single.problems.first?.hasPrefix("/bookings.csv:\(generated.problemLines[0]): unterminated quote") == true)
        for workers in [2, 6] {
            #expect(try Self.read(scenario, workers: workers).problems == single.problems)
        }
    }

    @Test func chunksThatGiveUpOnLongRecordsAreReadAgain() throws {
        let generated = Self.generate(seed: 11, records: 300, problems: true)
        let scenario = Self.scenario(generated.text)
        let single = try Self.read(scenario, workers: 1)
        // Every guessed chunk gives up at its first record longer than 16 bytes and is read again.
        let parallel = try Self.read(scenario, workers: 5, readSize: 8, recordCap: 16)
        #expect(parallel.totals == single.totals)
        #expect(parallel.problems == single.problems)
    }
}

/// The fingerprints of booking keys spill to a temporary file once their buffers fill, and the
/// repeats found over several chunks are exactly the values seen more than once.
@Suite struct BookingKeysTests {
    @Test(arguments: [1, 4, 64])
    func repeatsAreFoundAcrossBuffersFilesAndChunks(partitions: Int) {
        var random = TestRandom(seed: UInt64(partitions))
        var first = BookingKeys(partitions: partitions, bufferEntries: 64), second = BookingKeys(partitions: partitions, bufferEntries: 64)
        var counts: [UInt64: Int] = [:]
        var firstChunkCounts: [UInt64: Int] = [:]
        for index in 0..<20_000 {
            // Values from a range small enough to repeat now and then, spread over all 64 bits.
            let value = UInt64(random.next(60_000)) &* 0x9E37_79B9_7F4A_7C15
            if index % 2 == 0 { first.add(value) } else { second.add(value) }
            counts[value, default: 0] += 1
            if index % 2 == 0 { firstChunkCounts[value, default: 0] += 1 }
        }
        let chunks = [first.sealed(), second.sealed()]
        let expected = Set(counts.filter { $0.value > 1 }.keys)
        #expect(expected.count > 1000)
        #expect(BookingKeys.repeated(chunks, workers: 2) == expected)
        #expect(BookingKeys.repeated([chunks[0]], workers: 1) == Set(firstChunkCounts.filter { $0.value > 1 }.keys))
        // Everything added comes back, from the buffers and from the spilled blocks.
        var all: [UInt64] = []
        for partition in 0..<partitions { chunks[1].fingerprints(of: partition, into: &all) }
        #expect(all.count == 10_000)
    }
}

/// SplitMix64: a small deterministic generator for test data.
struct TestRandom {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next(_ bound: Int) -> Int {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        return Int(z % UInt64(bound))
    }
}
