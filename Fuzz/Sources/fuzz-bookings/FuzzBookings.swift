import FuzzSupport
import IncentiveEngine

// libFuzzer target: the bookings reader (Sources/IncentiveEngine/Input/BookingFile.swift,
// ParallelBookings.swift) and everything a valid bookings file then goes through.
//
// The input is a `bookings.csv`; partners, the other tables and the programs are the bundled example's.
// Besides not crashing:
// - reading it on several threads in small chunks gives exactly what one thread gives (records, totals,
//   problems with their lines), as ParallelBookings.swift promises;
// - a load with no error computes, and renders as CSV, JSON, the summary table and an explanation;
// - every line with an amount of at least 10^14 cents is then added 10,000 more times (`AmplifyingSink`):
//   sums that overflow 64 bits must be a reported error, never a trap (issue 11, point 2);
// - every message stays short (`FUZZ_MESSAGE_LIMIT`).

let fixture = Fixture.shared
let file = "bookings.csv"
let traced = "NL1001"

func accumulator() -> BookingAccumulator {
    BookingAccumulator(programs: fixture.programs, dataset: fixture.dataset, tracePartner: fixture.dataset.partnerIndex(traced))
}

/// Records read, totals and problems of one way of reading the input.
struct Outcome {
    var records: Int
    var totals: BookingTotals
    var collector: DiagnosticCollector
}

func readInMemory(_ bytes: [UInt8]) -> Outcome {
    var collector = DiagnosticCollector()
    var sink = AccumulatingSink(accumulator(), file: file)
    var records = 0
    do {
        let reader = try CSVReader(bytes: bytes, file: file)
        records = BookingFile.read(
            reader: reader, reopen: { () throws(DiagnosticReport) -> CSVReader in try CSVReader(bytes: bytes, file: file) },
            dataset: fixture.dataset, collector: &collector, into: &sink)
    } catch {
        collector.merge(error.collector)
    }
    var totals = sink.accumulator.finish(file: file, collector: &collector)
    totals.lineCount = records
    return Outcome(records: records, totals: totals, collector: collector)
}

func readInChunks(_ hash: UInt64, size: Int) -> (Outcome, String) {
    let workers = 2 + Int(hash % 3)
    let minimumChunk = max(1, size / (workers + Int((hash >> 8) % 3)))
    let readSize = [1, 3, 16, 64, 4096][Int((hash >> 16) % 5)]
    let cap = [8, 64, 1 << 24][Int((hash >> 24) % 3)]
    var collector = DiagnosticCollector()
    let (records, sink) = BookingFile.read(
        path: Fuzz.scratchPath, displayName: file, dataset: fixture.dataset, collector: &collector, workers: workers,
        minimumChunk: minimumChunk, readSize: readSize, guessedRecordCap: cap
    ) { AccumulatingSink(accumulator(), file: file) }
    var totals = sink.accumulator.finish(file: file, collector: &collector)
    totals.lineCount = records
    return (
        Outcome(records: records, totals: totals, collector: collector),
        "workers \(workers), minimum chunk \(minimumChunk), read size \(readSize), record cap \(cap)"
    )
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBookings(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    let hash = Fuzz.hash(bytes)

    let single = readInMemory(bytes)
    Fuzz.checkMessages(single.collector, "bookings")
    Fuzz.writeScratch(bytes)
    let (chunked, how) = readInChunks(hash, size: bytes.count)
    Fuzz.check(single.records == chunked.records, "\(how): \(chunked.records) records, one thread read \(single.records)")
    Fuzz.check(
        single.collector.diagnostics == chunked.collector.diagnostics && single.collector.omitted == chunked.collector.omitted,
        "\(how): other problems than one thread:\n\(chunked.collector.diagnostics)\none thread:\n\(single.collector.diagnostics)")
    Fuzz.check(single.totals == chunked.totals, "\(how): other totals than one thread")

    if !single.collector.hasErrors {
        let input = LoadedInput(programs: fixture.programs, dataset: fixture.dataset, totals: single.totals, warnings: single.collector)
        computeAndRender(input, explain: [traced, "NL1004"])
    }

    // Huge amounts, many times over.
    var collector = DiagnosticCollector()
    var sink = AmplifyingSink(accumulator(), file: file)
    do {
        let reader = try CSVReader(bytes: bytes, file: file)
        _ = BookingFile.read(
            reader: reader, reopen: { () throws(DiagnosticReport) -> CSVReader in try CSVReader(bytes: bytes, file: file) },
            dataset: fixture.dataset, collector: &collector, into: &sink)
    } catch {
        collector.merge(error.collector)
    }
    if sink.budget < 30_000 {
        let totals = sink.accumulator.finish(file: file, collector: &collector)
        Fuzz.checkMessages(collector, "bookings, amplified")
        if !collector.hasErrors {
            computeAndRender(LoadedInput(programs: fixture.programs, dataset: fixture.dataset, totals: totals, warnings: collector), explain: [])
        }
    }
    return 0
}
