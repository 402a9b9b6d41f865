import CFuzzer
import Foundation
import IncentiveEngine

/// What every fuzz target shares: the fixed example data, the checks that turn a wrong answer into a
/// crash libFuzzer records, and a scratch file for readers that need a path.
public enum Fuzz {
    /// Runs libFuzzer on `body` with the process's arguments (`main.swift` of every target).
    ///
    /// SwiftPM names an executable's entry point after its module and makes it `main`, so the target's
    /// `main.swift` calls libFuzzer's driver. The same function is also exported as `LLVMFuzzerTestOneInput`
    /// for libFuzzer's own `main`, which the linker brings in as well: either way runs the same code.
    public static func run(_ body: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, body))
    }

    /// Stops the process with `message`: libFuzzer saves the input that led here as a crash.
    public static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("FUZZ CHECK FAILED: \(message)\n".utf8))
        abort()
    }

    public static func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String) {
        if !condition() { fail(message()) }
    }

    /// The longest a single problem's message may be, in bytes (`FUZZ_MESSAGE_LIMIT`, default 4096; 0: no limit).
    /// A message that quotes a whole input line grows with the input (issue 11, point 3): a reader must cut it.
    public static let messageLimit: Int = {
        if let text = ProcessInfo.processInfo.environment["FUZZ_MESSAGE_LIMIT"], let value = Int(text) { return value }
        return 4096
    }()

    /// Every problem in `collector` is at most `messageLimit` bytes long when printed.
    public static func checkMessages(_ collector: DiagnosticCollector, _ context: String) {
        guard messageLimit > 0 else { return }
        for diagnostic in collector.diagnostics {
            let size = diagnostic.description.utf8.count
            if size > messageLimit {
                fail("\(context): a message of \(size) bytes (limit \(messageLimit)): \(diagnostic.description.prefix(300))...")
            }
        }
    }

    /// A deterministic hash of the input (FNV-1a), to choose reading parameters that vary with it.
    public static func hash(_ bytes: [UInt8]) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return hash
    }

    /// A file of this process's own under /dev/shm (or the temporary folder), rewritten for each input.
    public static let scratchPath: String = {
        let folder = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        return (folder as NSString).appendingPathComponent("incentives-fuzz-\(getpid()).csv")
    }()

    public static func writeScratch(_ bytes: [UInt8]) {
        let ok = FileManager.default.createFile(atPath: scratchPath, contents: Data(bytes))
        if !ok { fail("cannot write \(scratchPath)") }
    }

    /// Copies libFuzzer's input.
    public static func bytes(_ start: UnsafePointer<UInt8>?, _ count: Int) -> [UInt8] {
        guard let start, count > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: count))
    }
}

/// The bundled example (`examples/`): programs, and every table but the bookings, which the targets fuzz.
public struct Fixture: Sendable {
    public let examples: String
    public let programs: [Program]
    public let dataset: Dataset
    /// `examples/data/bookings.csv`.
    public let bookings: [UInt8]

    /// Loaded once per process; `INCENTIVES_EXAMPLES` overrides where `examples/` is.
    public static let shared: Fixture = {
        let examples =
            ProcessInfo.processInfo.environment["INCENTIVES_EXAMPLES"]
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples").path
        return Fixture(examples: examples)
    }()

    init(examples: String) {
        self.examples = examples
        let data = (examples as NSString).appendingPathComponent("data")
        do {
            programs = try ProgramLoader.load(directory: (examples as NSString).appendingPathComponent("programs")).sorted {
                $0.id.utf8.lexicographicallyPrecedes($1.id.utf8)
            }
        } catch {
            Fuzz.fail("the example programs do not load: \(error)")
        }
        (dataset, _) = Fixture.tables(programs: programs, examples: examples)
        guard let bookings = FileManager.default.contents(atPath: (data as NSString).appendingPathComponent("bookings.csv")) else {
            Fuzz.fail("cannot read \(data)/bookings.csv (set INCENTIVES_EXAMPLES to the examples folder)")
        }
        self.bookings = Array(bookings)
    }

    /// The example tables checked against `programs`, with the problems found (an unknown subtrack...).
    public static func tables(programs: [Program], examples: String) -> (Dataset, DiagnosticCollector) {
        var collector = DiagnosticCollector()
        let data = (examples as NSString).appendingPathComponent("data")
        let dataset = DatasetLoader.loadTables(directory: data, programs: programs, collector: &collector)
        return (dataset, collector)
    }
}

/// Hands each valid line to the accumulator, and lines with a huge amount many times over, as if the
/// file held thousands of such lines: sums near the limits of 64 bits are then reached from an input
/// of a few kilobytes (issue 11, point 2 needed 9,230 lines of 10^15 cents).
public struct AmplifyingSink: BookingSink {
    public var accumulator: BookingAccumulator
    public let file: String
    /// Additions left for repeated lines (bounds the time per input).
    public var budget: Int
    /// A line whose amount is at least this many cents (either sign) is repeated.
    public static let hugeAmount: UInt64 = 100_000_000_000_000
    public static let repeats = 10_000

    public init(_ accumulator: BookingAccumulator, file: String, budget: Int = 30_000) {
        self.accumulator = accumulator
        self.file = file
        self.budget = budget
    }

    public mutating func take(_ line: BookingLine, collector: inout DiagnosticCollector) {
        var times = 1
        if line.amount.magnitude >= Self.hugeAmount && budget > 0 {
            times = min(budget, Self.repeats)
            budget -= times
        }
        for _ in 0..<times { accumulator.add(line, file: file, collector: &collector) }
    }
}

/// Computes and renders every output the CLI writes, from a load that had no error.
public func computeAndRender(_ input: LoadedInput, explain partnerIDs: [String]) {
    let result = Engine.compute(input)
    _ = ResultsCSV.render(result.rows)
    _ = ResultsJSON.render(result)
    _ = SummaryTable.render(result)
    for program in result.programs {
        _ = program.amount
        _ = program.missedAmount
    }
    for id in partnerIDs { _ = Explanation.render(partnerID: id, input: input, result: result, lineLimit: 5) }
}
