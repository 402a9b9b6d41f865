/// Dates already parsed, by their ten bytes: booking files hold a few hundred distinct dates in
/// millions of lines. Direct-mapped; a slot holds the last date that hashed to it.
struct DayCache: ~Copyable {
    private static let slots = 1024
    private let heads = UnsafeMutablePointer<UInt64>.allocate(capacity: DayCache.slots)
    private let tails = UnsafeMutablePointer<UInt16>.allocate(capacity: DayCache.slots)
    private let values = UnsafeMutablePointer<Int32>.allocate(capacity: DayCache.slots)

    /// Marks an empty slot (no real date is that far from 1970).
    private static let empty = Int32.min

    init() {
        heads.initialize(repeating: 0, count: DayCache.slots)
        tails.initialize(repeating: 0, count: DayCache.slots)
        values.initialize(repeating: DayCache.empty, count: DayCache.slots)
    }

    /// `Day(isoBytes:)`, remembered when valid.
    @inline(__always)
    func day(_ bytes: UnsafeBufferPointer<UInt8>) -> Day? {
        guard bytes.count == 10, let base = bytes.baseAddress else { return Day(isoBytes: bytes) }
        let raw = UnsafeRawPointer(base)
        let head = raw.loadUnaligned(as: UInt64.self), tail = raw.loadUnaligned(fromByteOffset: 8, as: UInt16.self)
        let slot = Int(truncatingIfNeeded: ((head ^ UInt64(tail) &* 0x9E37) &* 0x9E37_79B9_7F4A_7C15) >> 54)
        if heads[slot] == head && tails[slot] == tail && values[slot] != DayCache.empty { return Day(daysSinceEpoch: values[slot]) }
        guard let day = Day(isoBytes: bytes) else { return nil }
        heads[slot] = head
        tails[slot] = tail
        values[slot] = day.daysSinceEpoch
        return day
    }

    deinit {
        heads.deallocate()
        tails.deallocate()
        values.deallocate()
    }
}
