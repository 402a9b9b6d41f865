import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A sink that can be split over chunks of a file and put together again.
public protocol MergeableBookingSink: BookingSink {
    /// Adds what `other`, which took the lines of a later chunk of the same file, has taken;
    /// its line numbers counted from 1 at the chunk's start, so they move by `lineShift`.
    mutating func absorb(_ other: Self, lineShift: Int)
    /// Whether `later`, which took the chunk after this sink's lines on its own, must take it again
    /// continuing from this sink (what it found depends on what came before, like a sum passing a limit).
    func mustReread(_ later: Self) -> Bool
    /// Prepares this fresh sink to take the lines right after those `earlier` took.
    mutating func continueAfter(_ earlier: Self)
}

extension MergeableBookingSink {
    public func mustReread(_ later: Self) -> Bool { false }
    public mutating func continueAfter(_ earlier: Self) {}
}

extension AccumulatingSink: MergeableBookingSink {
    public mutating func absorb(_ other: AccumulatingSink, lineShift: Int) {
        accumulator.absorb(other.accumulator, lineShift: lineShift)
    }

    public func mustReread(_ later: AccumulatingSink) -> Bool { accumulator.mustReread(later.accumulator) }

    public mutating func continueAfter(_ earlier: AccumulatingSink) { accumulator.continueAfter(earlier.accumulator) }
}

extension BookingFile {
    /// The smallest chunk: a file is cut into as many chunks of at least this size as there are
    /// workers (so on two cores a file under 8 MB is read on one thread).
    public static let bytesPerWorker = 4 << 20

    /// Reads `path` on up to `workers` threads: the file is cut into chunks at line starts, each
    /// chunk read into a sink of its own from `makeSink`, and the sinks merged in file order.
    ///
    /// The result is the one a single thread gives, problems and line numbers included. A chunk
    /// starts at a guessed record boundary (the first line start after its cut), which a quoted
    /// field holding line breaks can make wrong; the chunk before it tells where its records
    /// really end, and a chunk that started elsewhere is read again from there (as is one whose
    /// sink `mustReread` it, continuing from the chunks before it). `makeSink` is
    /// called once per chunk and the sinks are used on different threads at once. A chunk reader
    /// that meets a record longer than `guessedRecordCap` bytes (it may be reading a quoted field
    /// as records, or records as one field) stops, and its chunk is read again once its start is known.
    /// `readSize` is the bytes read at a time (tests use tiny sizes).
    public static func read<Sink: MergeableBookingSink>(
        path: String, displayName: String? = nil, dataset: Dataset, collector: inout DiagnosticCollector,
        workers: Int = defaultWorkers, minimumChunk: Int = bytesPerWorker, readSize: Int = CSVReader.chunkSize,
        guessedRecordCap: Int = 1 << 24, makeSink: () -> Sink
    ) -> (records: Int, sink: Sink) {
        let name = displayName ?? path
        let reopen = { () throws(DiagnosticReport) -> CSVReader in try CSVReader(path: path, displayName: name) }
        let first: CSVReader
        do {
            first = try CSVReader(path: path, displayName: name, chunkSize: readSize)
        } catch {
            collector.merge(error.collector)
            return (0, makeSink())
        }
        guard checkColumns(first, collector: &collector) else { return (0, makeSink()) }
        let size = first.size
        let dataStart = first.offset
        let count = max(1, min(workers, (size - dataStart) / max(minimumChunk, 1)))
        let partitions = BookingKeys.partitions(forBytes: size)
        let limit = collector.limitPerFile

        // Chunk k covers the records starting in [cuts[k], cuts[k + 1]).
        var cuts = (0...count).map { dataStart + (size - dataStart) / count * $0 }
        cuts[count] = Int.max

        /// Reads one chunk; `start` nil for the first one, which goes on from the header. `after`: the sink
        /// of every chunk before it, when known.
        func readChunk(_ index: Int, from start: Int?, guessed: Bool, after earlier: Sink? = nil) -> Chunk<Sink> {
            var chunk = Chunk(sink: makeSink(), keys: BookingKeys(partitions: partitions), collector: DiagnosticCollector(limitPerFile: limit))
            if let earlier { chunk.sink.continueAfter(earlier) }
            let reader: CSVReader
            if let start {
                do {
                    reader = try CSVReader(
                        path: path, displayName: name, header: first.header, start: start, end: cuts[index + 1],
                        recordCap: guessed ? guessedRecordCap : Int.max, chunkSize: readSize)
                } catch {
                    chunk.collector.merge(error.collector)
                    chunk.outcome.fatal = true
                    return chunk
                }
            } else {
                reader = first
                reader.stop(at: cuts[index + 1])
            }
            chunk.start = reader.offset
            chunk.outcome = readRecords(
                reader: reader, dataset: dataset, collector: &chunk.collector, keys: &chunk.keys, into: &chunk.sink)
            chunk.gaveUp = reader.gaveUp
            chunk.end = reader.offset
            chunk.lines = reader.linesRead
            return chunk
        }

        let chunks = UnsafeMutableBufferPointer<Chunk<Sink>?>.allocate(capacity: count)
        chunks.initialize(repeating: nil)
        defer {
            _ = chunks.deinitialize()
            chunks.deallocate()
        }
        if count == 1 {
            chunks[0] = readChunk(0, from: nil, guessed: false)
        } else {
            concurrently(count) { index in
                chunks[index] = readChunk(index, from: index == 0 ? nil : cuts[index], guessed: true)
            }
        }

        // Put the chunks together in file order, reading again any that started off a record boundary.
        var merged = chunks[0]!
        chunks[0] = nil
        collector.merge(merged.collector)
        var records = merged.outcome.records
        var fatal = merged.outcome.fatal
        var keys = [merged.keys]
        var nextLine = merged.lines + 1
        var boundary = merged.end
        for index in 1..<count where !fatal {
            var chunk = chunks[index]!
            chunks[index] = nil
            if chunk.gaveUp || chunk.start != boundary || merged.sink.mustReread(chunk.sink) {
                chunk = readChunk(index, from: boundary, guessed: false, after: merged.sink)
            }
            chunk.collector.shiftLines(by: nextLine - 1)
            collector.merge(chunk.collector)
            merged.sink.absorb(chunk.sink, lineShift: nextLine - 1)
            records += chunk.outcome.records
            fatal = chunk.outcome.fatal
            keys.append(chunk.keys)
            nextLine += chunk.lines
            boundary = chunk.end
        }
        let suspects = BookingKeys.repeated(keys, workers: workers)
        if !suspects.isEmpty { confirmDuplicates(suspects, reopen: reopen, file: name, collector: &collector) }
        return (records, merged.sink)
    }

    /// Active processors, at least 1.
    public static var defaultWorkers: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// What reading one chunk left.
    struct Chunk<Sink> {
        var sink: Sink
        var keys: BookingKeys
        var collector: DiagnosticCollector
        var outcome = Outcome()
        /// File offset of the chunk's first record, and of the record after its last.
        var start = 0
        var end = 0
        /// Physical lines the chunk spans.
        var lines = 0
        var gaveUp = false
    }
}

/// Calls `body` for every index in `0..<count`, on as many threads as there are processors, and waits.
///
/// `body` is not `@Sendable`: it may write to state of its own index and read shared state that
/// nothing writes meanwhile. That promise is the caller's, which is why this stays internal.
func concurrently(_ count: Int, _ body: (Int) -> Void) {
    withoutActuallyEscaping(body) { body in
        let unchecked = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: count) { unchecked.value($0) }
    }
}

struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
