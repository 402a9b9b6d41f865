/// Where valid booking lines go. A value type passed `inout` is specialised into the reading loop,
/// with no closure call and no exclusivity check per line.
public protocol BookingSink {
    mutating func take(_ line: BookingLine, collector: inout DiagnosticCollector)
}

/// A sink that calls a closure (for callers that write lines somewhere, like a workspace import).
struct ClosureSink: BookingSink {
    let body: (BookingLine, inout DiagnosticCollector) -> Void
    func take(_ line: BookingLine, collector: inout DiagnosticCollector) { body(line, &collector) }
}

/// Adds every line, seen through `view` when there is one, into an accumulator.
public struct AccumulatingSink: BookingSink, Sendable {
    public var accumulator: BookingAccumulator
    public let file: String
    public let view: (@Sendable (BookingLine) -> BookingLine?)?

    public init(_ accumulator: BookingAccumulator, file: String, view: (@Sendable (BookingLine) -> BookingLine?)? = nil) {
        self.accumulator = accumulator
        self.file = file
        self.view = view
    }

    @inlinable
    public mutating func take(_ line: BookingLine, collector: inout DiagnosticCollector) {
        if let view {
            if let seen = view(line) { accumulator.add(seen, file: file, collector: &collector) }
        } else {
            accumulator.add(line, file: file, collector: &collector)
        }
    }
}

/// A sink that can be split over chunks of a file, each read on a thread of its own, and put together again.
public protocol MergeableBookingSink: BookingSink, Sendable {
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
