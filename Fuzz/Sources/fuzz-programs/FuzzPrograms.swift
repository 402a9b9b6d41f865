import FuzzSupport
import IncentiveEngine

// libFuzzer target: the program loader (Sources/IncentiveEngine/Input/ProgramLoader.swift), YAML text to `Program`.
//
// The input is a program definition; text that is not UTF-8 is refused before parsing, as the CLI and the
// server do. Besides not crashing:
// - a definition that loads is compared with the bundled programs (the changes a new version lists) and
//   checked together with them;
// - the bundled example data is then loaded against the bundled programs with this one added (or in place
//   of the one with its id) and, when that has no error, computed and rendered (any rule the loader
//   accepts must compute);
// - every message stays short (`FUZZ_MESSAGE_LIMIT`).

let fixture = Fixture.shared
let file = "program.yaml"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPrograms(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = Fuzz.bytes(data, size)
    guard let text = String(validating: bytes, as: UTF8.self) else { return 0 }
    var collector = DiagnosticCollector()
    let parsed = ProgramLoader.parse(yaml: text, file: file, collector: &collector)
    Fuzz.checkMessages(collector, "program")
    guard let program = parsed else {
        Fuzz.check(collector.hasErrors, "a definition that does not load, with no error")
        return 0
    }
    Fuzz.check(!collector.hasErrors, "a definition that loads, with errors: \(collector.diagnostics)")

    for other in fixture.programs {
        _ = ProgramChanges.between(other, program)
        _ = ProgramChanges.between(program, other)
    }
    // The bundled programs with this one in place of the one with its id (a new version), or added.
    let programs = (fixture.programs.filter { $0.id != program.id } + [program]).sorted { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
    var together = DiagnosticCollector()
    ProgramLoader.checkTogether(programs, collector: &together)
    Fuzz.checkMessages(together, "programs together")
    guard !together.hasErrors else { return 0 }

    let (dataset, tables0) = Fixture.tables(programs: programs, examples: fixture.examples)
    var tables = tables0
    Fuzz.checkMessages(tables, "tables")
    guard !tables.hasErrors else { return 0 }
    var sink = AccumulatingSink(BookingAccumulator(programs: programs, dataset: dataset, tracePartner: 0), file: "bookings.csv")
    do {
        let reader = try CSVReader(bytes: fixture.bookings, file: "bookings.csv")
        let records = BookingFile.read(
            reader: reader,
            reopen: { () throws(DiagnosticReport) -> CSVReader in try CSVReader(bytes: fixture.bookings, file: "bookings.csv") },
            dataset: dataset, collector: &tables, into: &sink)
        var totals = sink.accumulator.finish(file: "bookings.csv", collector: &tables)
        totals.lineCount = records
        Fuzz.checkMessages(tables, "bookings")
        guard !tables.hasErrors else { return 0 }
        computeAndRender(
            LoadedInput(programs: programs, dataset: dataset, totals: totals, warnings: tables),
            explain: dataset.partners.prefix(3).map(\.id))
    } catch {
        Fuzz.fail("the example bookings do not read: \(error)")
    }
    return 0
}
