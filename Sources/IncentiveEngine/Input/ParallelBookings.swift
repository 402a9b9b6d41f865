#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

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
        guessedRecordCap: Int = 1 << 24, makeSink: @Sendable () -> Sink
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
        let header = first.header
        let count = max(1, min(workers, (size - dataStart) / max(minimumChunk, 1)))
        let partitions = BookingKeys.partitions(forBytes: size)
        let limit = collector.limitPerFile

        // Chunk k covers the records starting in [cuts[k], cuts[k + 1]).
        let cuts = (0...count).map { $0 == count ? Int.max : dataStart + (size - dataStart) / count * $0 }

        /// Reads chunk `index` from `reader`; `after`: the sink of every chunk before it, when known.
        @Sendable func readChunk(_ index: Int, from reader: CSVReader, after earlier: Sink? = nil) -> Chunk<Sink> {
            var sink = makeSink()
            if let earlier { sink.continueAfter(earlier) }
            var keys = BookingKeys(partitions: partitions)
            var problems = DiagnosticCollector(limitPerFile: limit)
            reader.stop(at: cuts[index + 1])
            let start = reader.offset
            let outcome = readRecords(reader: reader, dataset: dataset, collector: &problems, keys: &keys, into: &sink)
            return Chunk(
                sink: sink, keys: keys.sealed(), collector: problems, outcome: outcome, start: start, end: reader.offset,
                lines: reader.linesRead, gaveUp: reader.gaveUp)
        }
        /// Reads chunk `index` from file offset `start` (nil: from the header, for the first chunk);
        /// `guessed` when `start` is not known to be a record boundary.
        @Sendable func openAndReadChunk(_ index: Int, from start: Int?, guessed: Bool, after earlier: Sink? = nil) -> Chunk<Sink> {
            do {
                let reader =
                    if let start {
                        try CSVReader(
                            path: path, displayName: name, header: header, start: start, end: cuts[index + 1],
                            recordCap: guessed ? guessedRecordCap : Int.max, chunkSize: readSize)
                    } else {
                        try CSVReader(path: path, displayName: name, chunkSize: readSize)
                    }
                return readChunk(index, from: reader, after: earlier)
            } catch {
                var problems = DiagnosticCollector(limitPerFile: limit)
                problems.merge(error.collector)
                return Chunk(
                    sink: makeSink(), keys: BookingKeys(partitions: partitions).sealed(), collector: problems,
                    outcome: Outcome(records: 0, fatal: true))
            }
        }

        // The chunks read, last one first, so that each is let go once merged.
        var pending: [Chunk<Sink>] =
            count == 1
            ? [readChunk(0, from: first)]
            : parallelMap(count) { index in openAndReadChunk(index, from: index == 0 ? nil : cuts[index], guessed: true) }.reversed()

        // Put the chunks together in file order, reading again any that started off a record boundary.
        var merged = pending.removeLast()
        collector.merge(merged.collector)
        var records = merged.outcome.records
        var fatal = merged.outcome.fatal
        var keys = [merged.keys]
        var nextLine = merged.lines + 1
        var boundary = merged.end
        for index in 1..<count where !fatal {
            var chunk = pending.removeLast()
            if chunk.gaveUp || chunk.start != boundary || merged.sink.mustReread(chunk.sink) {
                chunk = openAndReadChunk(index, from: boundary, guessed: false, after: merged.sink)
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
        pending = []
        let suspects = BookingKeys.repeated(keys, workers: workers)
        if !suspects.isEmpty { confirmDuplicates(suspects, reopen: reopen, file: name, collector: &collector) }
        return (records, merged.sink)
    }

    /// Active processors, at least 1.
    public static var defaultWorkers: Int { max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))) }

    /// What reading one chunk left.
    struct Chunk<Sink: Sendable>: Sendable {
        var sink: Sink
        var keys: SealedKeys
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
