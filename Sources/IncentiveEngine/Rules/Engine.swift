import Foundation

/// Everything loaded for a computation: programs, the small tables and the booking totals.
public struct LoadedInput: Sendable {
    /// The programs selected, sorted by id.
    public var programs: [Program]
    public var dataset: Dataset
    /// Indexed like `programs`.
    public var totals: BookingTotals
    /// Warnings found while loading (the load succeeded).
    public var warnings: DiagnosticCollector

    public init(programs: [Program], dataset: Dataset, totals: BookingTotals, warnings: DiagnosticCollector) {
        self.programs = programs
        self.dataset = dataset
        self.totals = totals
        self.warnings = warnings
    }
}

/// The one path from files to results that every command takes.
public enum Engine {
    public static let version = "0.1.0"

    /// The processors this process may use, read once: on Linux each reading opens the cgroup's CPU
    /// files, which cost a server computing one partner per request more than the computation.
    static let processors = ProcessInfo.processInfo.activeProcessorCount

    /// Loads a dataset folder and a programs folder, validating everything.
    ///
    /// - Parameters:
    ///   - programIDs: restricts the computation to these programs (all when empty); unknown ids are errors.
    ///   - tracePartner: keeps the booking lines of this partner for explanations.
    /// - Throws: a report of every problem; nothing is computed from input that failed to load.
    /// - Parameter bookingView: how each valid booking line is seen (`nil`: left out), e.g. as it stood on a date.
    ///   It is called from several threads at once when the bookings are read in chunks.
    /// - Parameter workers: threads reading the bookings (a large file is read in chunks, one per thread).
    /// - Parameter names: what the caller calls its choice of programs and of the partner (an option, a
    ///   parameter): the column of a report about an unknown one.
    public static func load(
        dataDirectory: String, programsDirectory: String, programIDs: [String] = [], tracePartner: String? = nil,
        bookingView: (@Sendable (BookingLine) -> BookingLine?)? = nil, workers: Int = BookingFile.defaultWorkers,
        names: (program: String, partner: String) = ("program", "partner")
    ) throws(DiagnosticReport) -> LoadedInput {
        var collector = DiagnosticCollector()
        var programs: [Program] = []
        do {
            programs = try ProgramLoader.load(directory: programsDirectory)
        } catch {
            collector.merge(error.collector)
        }
        let dataset = DatasetLoader.loadTables(directory: dataDirectory, programs: programs, collector: &collector)
        let (selected, unknown) = ProgramSelection.select(programs, ids: programIDs)
        if !programs.isEmpty {
            for id in unknown {
                let known = programs.map(\.id).sorted().joined(separator: ", ")
                collector.error(file: programsDirectory, line: nil, column: names.program, value: id, "no such program (known: \(known))")
            }
        }
        var traceIndex: Int?
        if let tracePartner {
            traceIndex = dataset.partnerIndex(tracePartner)
            if traceIndex == nil && !collector.hasErrors {
                collector.error(
                    file: (dataDirectory as NSString).appendingPathComponent("partners.csv"), line: nil, column: names.partner, value: tracePartner,
                    "no such partner")
            }
        }
        let bookingsPath = (dataDirectory as NSString).appendingPathComponent("bookings.csv")
        var totals = BookingTotals(programs: [])
        if FileManager.default.fileExists(atPath: bookingsPath) {
            let (programs, tracePartner) = (selected, traceIndex)
            let (records, sink) = BookingFile.read(path: bookingsPath, dataset: dataset, collector: &collector, workers: workers) {
                AccumulatingSink(
                    BookingAccumulator(programs: programs, dataset: dataset, tracePartner: tracePartner), file: bookingsPath, view: bookingView)
            }
            totals = sink.accumulator.finish(file: bookingsPath, collector: &collector)
            totals.lineCount = records
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }
        return LoadedInput(programs: selected, dataset: dataset, totals: totals, warnings: collector)
    }

    /// Applies every program's rules to every partner.
    public static func compute(_ input: LoadedInput) -> ComputeResult {
        let plan = EvaluationPlan(input)
        var pieces = parallelMap(plan.pieceCount, parallel: plan.parallel) { plan.evaluate(piece: $0) }
        var results: [ProgramResult] = []
        results.reserveCapacity(plan.programs.count)
        for (programIndex, program) in plan.programs.enumerated() {
            var partnerResults: [PartnerResult] = []
            partnerResults.reserveCapacity(plan.partnerCount)
            for piece in plan.pieces(of: programIndex) {
                partnerResults.append(contentsOf: pieces[piece])
                pieces[piece] = []
            }
            results.append(ProgramResult(program: program, partners: partnerResults))
        }
        return ComputeResult(programs: results)
    }

    /// What `compute` gives, handed over a block of partners at a time and never held whole: each block (the
    /// partners of one program, in the order of `compute`) is evaluated and turned by `transform` into what
    /// `consume` takes, several blocks side by side; `consume` sees them in order, on the calling thread.
    /// Memory follows a few blocks, not the partners (the results CSV of 100,000 partners).
    public static func stream<Piece, Failure: Error>(
        _ input: LoadedInput, transform: @Sendable (_ program: Int, _ partners: [PartnerResult]) -> sending Piece,
        consume: (Piece) throws(Failure) -> Void
    ) throws(Failure) {
        let plan = EvaluationPlan(input)
        let wave = plan.parallel ? 4 * processors : 1
        var first = 0
        while first < plan.pieceCount {
            let start = first
            let pieces = parallelMap(min(wave, plan.pieceCount - first), parallel: plan.parallel) { slot in
                let piece = start + slot
                return transform(plan.program(of: piece), plan.evaluate(piece: piece))
            }
            for piece in pieces { try consume(piece) }
            first += pieces.count
        }
    }
}

/// How `Engine.compute` divides the work: every (program, block of partners) is one piece, the pieces of a
/// program consecutive and its partners in byte order of their ids; each piece can be evaluated on any thread.
struct EvaluationPlan: Sendable {
    enum Evaluator: Sendable {
        case vip(VIPEvaluation.Context)
        case mdf(Program, MDFRules)
    }

    static let blockSize = 2048

    let programs: [Program]
    let dataset: Dataset
    let totals: [ProgramTotals]
    let partnerCount: Int
    /// Per program: the first program with its id (one id stands for every program that has it).
    let groupOf: [Int]
    /// Enrolments by (program group, partner), in file order: slot `group × partners + partner` is
    /// `enrollments[bounds[slot]..<bounds[slot + 1]]`.
    let enrollments: [Enrollment]
    let bounds: [Int]
    /// Partner indices in byte order of their ids.
    let order: [Int]
    let evaluators: [Evaluator]
    let blocksPerProgram: Int
    /// One partner (a page, an explanation) is computed on the calling thread.
    let parallel: Bool

    var pieceCount: Int { programs.count * blocksPerProgram }
    func program(of piece: Int) -> Int { piece / blocksPerProgram }
    func pieces(of program: Int) -> Range<Int> { program * blocksPerProgram..<(program + 1) * blocksPerProgram }

    init(_ input: LoadedInput) {
        let dataset = input.dataset
        let programs = input.programs
        let partnerCount = dataset.partners.count
        // Enrolments by program and partner, in file order, in one array (a counting sort). Programs are few,
        // so an enrolment finds its program by scanning their ids; one id stands for every program that has it.
        groupOf = programs.map { program in programs.firstIndex { $0.id.isExactly(program.id) }! }
        var slots: [Int] = []
        slots.reserveCapacity(dataset.enrollments.count)
        var starts = Array(repeating: 0, count: programs.count * partnerCount + 1)
        // A partner's enrolments are usually together and in partner order: try the last partner and the next
        // one (partner k has the k-th id of `partnerIDs`, so an exact match is what a lookup finds).
        var lastPartner = -1
        func partnerIndex(_ id: String) -> Int? {
            if lastPartner >= 0 && dataset.partners[lastPartner].id.isExactly(id) { return lastPartner }
            if lastPartner + 1 < partnerCount && dataset.partners[lastPartner + 1].id.isExactly(id) { return lastPartner + 1 }
            return dataset.partnerIndex(id)
        }
        for enrollment in dataset.enrollments {
            guard let group = programs.firstIndex(where: { $0.id.isExactly(enrollment.program) }),
                let index = partnerIndex(enrollment.partnerID)
            else {
                slots.append(-1)
                continue
            }
            lastPartner = index
            let slot = group * partnerCount + index
            slots.append(slot)
            starts[slot + 1] += 1
        }
        for slot in 0..<(starts.count - 1) { starts[slot + 1] += starts[slot] }
        enrollments = [Enrollment](unsafeUninitializedCapacity: starts[starts.count - 1]) { buffer, initialized in
            var next = starts
            for (enrollment, slot) in zip(dataset.enrollments, slots) where slot >= 0 {
                (buffer.baseAddress! + next[slot]).initialize(to: enrollment)
                next[slot] += 1
            }
            initialized = buffer.count
        }
        bounds = starts

        // Partners in byte order of their ids; usually they are already.
        let partners = dataset.partners
        var inOrder = true
        for position in partners.indices.dropFirst() where String.byteOrder(partners[position].id, partners[position - 1].id) {
            inOrder = false
            break
        }
        order = inOrder ? Array(partners.indices) : partners.indices.sorted { String.byteOrder(partners[$0].id, partners[$1].id) }

        evaluators = programs.map { program in
            switch program.rules {
            case .vip(let rules): return .vip(VIPEvaluation.Context.of(program: program, rules: rules))
            case .mdf(let rules): return .mdf(program, rules)
            }
        }
        self.programs = programs
        self.dataset = dataset
        self.totals = input.totals.programs
        self.partnerCount = partnerCount
        blocksPerProgram = (partnerCount + Self.blockSize - 1) / Self.blockSize
        parallel = partnerCount > 1 && Engine.processors > 1
    }

    /// The results of the partners of piece `piece`, in order.
    func evaluate(piece: Int) -> [PartnerResult] {
        let programIndex = program(of: piece)
        let first = (piece % blocksPerProgram) * Self.blockSize
        let positions = first..<min(first + Self.blockSize, partnerCount)
        let programTotals = totals[programIndex]
        switch evaluators[programIndex] {
        case .vip(let context):
            let group = groupOf[programIndex] * partnerCount
            return positions.map { position in
                let partnerIndex = order[position]
                let slot = group + partnerIndex
                return VIPEvaluation.evaluate(
                    context, dataset: dataset, totals: programTotals, partnerIndex: partnerIndex,
                    enrollments: enrollments[bounds[slot]..<bounds[slot + 1]])
            }
        case .mdf(let program, let rules):
            return positions.map { position in
                MDFEvaluation.evaluate(program: program, rules: rules, dataset: dataset, totals: programTotals, partnerIndex: order[position])
            }
        }
    }
}
