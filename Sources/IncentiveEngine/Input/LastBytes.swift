/// The last value seen of a field, to skip parsing or looking up the same bytes again.
struct LastBytes: ~Copyable {
    private var storage = UnsafeMutablePointer<UInt8>.allocate(capacity: 32)
    private var capacity = 32
    /// -1 before any value.
    private var count = -1

    init() {}

    deinit { storage.deallocate() }

    @inline(__always)
    func holds(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count == count else { return false }
        return count == 0 || bytesEqual(storage, bytes.baseAddress!, count: count)
    }

    mutating func set(_ bytes: UnsafeBufferPointer<UInt8>) {
        if bytes.count > capacity {
            storage.deallocate()
            capacity = bytes.count
            storage = .allocate(capacity: capacity)
        }
        if let base = bytes.baseAddress { storage.update(from: base, count: bytes.count) }
        count = bytes.count
    }
}
