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

    /// Loads a dataset folder and a programs folder, validating everything.
    ///
    /// - Parameters:
    ///   - programIDs: restricts the computation to these programs (all when empty); unknown ids are errors.
    ///   - tracePartner: keeps the booking lines of this partner for explanations.
    /// - Throws: a report of every problem; nothing is computed from input that failed to load.
    /// - Parameter bookingView: how each valid booking line is seen (`nil`: left out), e.g. as it stood on a date.
    /// - Parameter workers: threads reading the bookings (a large file is read in chunks, one per thread).
    public static func load(
        dataDirectory: String, programsDirectory: String, programIDs: [String] = [], tracePartner: String? = nil,
        bookingView: ((BookingLine) -> BookingLine?)? = nil, workers: Int = BookingFile.defaultWorkers
    ) throws(DiagnosticReport) -> LoadedInput {
        var collector = DiagnosticCollector()
        var programs: [Program] = []
        do {
            programs = try ProgramLoader.load(directory: programsDirectory)
        } catch {
            collector.merge(error.collector)
        }
        let dataset = DatasetLoader.loadTables(directory: dataDirectory, programs: programs, collector: &collector)
        var selected = programs.sorted { String.byteOrder($0.id, $1.id) }
        if !programIDs.isEmpty && !programs.isEmpty {
            for id in programIDs where !programs.contains(where: { $0.id.isExactly(id) }) {
                let known = programs.map(\.id).sorted().joined(separator: ", ")
                collector.error(file: programsDirectory, line: nil, column: "--program", value: id, "no such program (known: \(known))")
            }
            selected = selected.filter { program in programIDs.contains { $0.isExactly(program.id) } }
        }
        var traceIndex: Int?
        if let tracePartner {
            traceIndex = dataset.partnerIndex(tracePartner)
            if traceIndex == nil && !collector.hasErrors {
                collector.error(
                    file: (dataDirectory as NSString).appendingPathComponent("partners.csv"), line: nil, column: "--partner", value: tracePartner,
                    "no such partner")
            }
        }
        let bookingsPath = (dataDirectory as NSString).appendingPathComponent("bookings.csv")
        var totals = BookingTotals(programs: [])
        if FileManager.default.fileExists(atPath: bookingsPath) {
            let (records, sink) = BookingFile.read(path: bookingsPath, dataset: dataset, collector: &collector, workers: workers) {
                AccumulatingSink(
                    BookingAccumulator(programs: selected, dataset: dataset, tracePartner: traceIndex), file: bookingsPath, view: bookingView)
            }
            totals = sink.accumulator.finish(file: bookingsPath, collector: &collector)
            totals.lineCount = records
        }
        if collector.hasErrors { throw DiagnosticReport(collector) }
        return LoadedInput(programs: selected, dataset: dataset, totals: totals, warnings: collector)
    }

    /// Applies every program's rules to every partner.
    public static func compute(_ input: LoadedInput) -> ComputeResult {
        let dataset = input.dataset
        var enrollmentsByProgram: [ExactText: [Int: [Enrollment]]] = [:]
        for enrollment in dataset.enrollments {
            guard let index = dataset.partnerIndex(enrollment.partnerID) else { continue }
            enrollmentsByProgram[ExactText(enrollment.program), default: [:]][index, default: []].append(enrollment)
        }
        let order = dataset.partners.indices.sorted { String.byteOrder(dataset.partners[$0].id, dataset.partners[$1].id) }
        var results: [ProgramResult] = []
        for (programIndex, program) in input.programs.enumerated() {
            let totals = input.totals.programs[programIndex]
            var partners: [PartnerResult] = []
            partners.reserveCapacity(order.count)
            for partnerIndex in order {
                switch program.rules {
                case .vip(let rules):
                    partners.append(
                        VIPEvaluation.evaluate(
                            program: program, rules: rules, dataset: dataset, totals: totals, partnerIndex: partnerIndex,
                            enrollments: enrollmentsByProgram[ExactText(program.id)]?[partnerIndex] ?? []))
                case .mdf(let rules):
                    partners.append(
                        MDFEvaluation.evaluate(program: program, rules: rules, dataset: dataset, totals: totals, partnerIndex: partnerIndex))
                }
            }
            results.append(ProgramResult(program: program, partners: partners))
        }
        return ComputeResult(programs: results)
    }
}
