/// The engine's one hash of byte strings (ids, SKUs, keys), for its hash tables and fingerprints.
enum ByteHash {
    static let offset: UInt64 = 0xcbf2_9ce4_8422_2325

    /// A 64-bit hash of `bytes` for hash tables (whose slots come from its low bits).
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        words(bytes, seed: offset)
    }

    /// The fingerprint of a booking key (`order_id`, `line`): both parts hashed, lengths included
    /// so that ("ab", "c") and ("a", "bc") differ.
    @inline(__always)
    static func key(order: UnsafeBufferPointer<UInt8>, line: UnsafeBufferPointer<UInt8>) -> UInt64 {
        finish(words(line, seed: words(order, seed: offset) ^ 0x1F))
    }

    /// `bytes` and their length mixed into `seed`, eight bytes at a time; the high bits of the last
    /// product are folded into the low ones.
    @inline(__always)
    static func words(_ bytes: UnsafeBufferPointer<UInt8>, seed: UInt64) -> UInt64 {
        var hash = (seed ^ UInt64(bytes.count)) &* 0x9E37_79B9_7F4A_7C15
        guard let base = bytes.baseAddress else { return hash }
        let raw = UnsafeRawPointer(base)
        var index = 0
        while index + 8 <= bytes.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0x9E37_79B9_7F4A_7C15
            hash ^= hash >> 31
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < bytes.count {
            tail |= UInt64(base[index]) << shift
            shift += 8
            index += 1
        }
        hash = (hash ^ tail) &* 0xC2B2_AE3D_27D4_EB4F
        return hash ^ (hash >> 29)
    }

    /// A final mix so that low bits spread well in hash tables.
    @inline(__always)
    static func finish(_ value: UInt64) -> UInt64 {
        var x = value
        x ^= x >> 33
        x = x &* 0xff51_afd7_ed55_8ccd
        x ^= x >> 33
        x = x &* 0xc4ce_b9fe_1a85_ec53
        x ^= x >> 33
        return x
    }
}
