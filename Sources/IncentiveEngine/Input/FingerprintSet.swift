/// An open-addressing set of 64-bit fingerprints (0 is stored out of band).
struct FingerprintSet {
    private var slots: [UInt64]
    private var mask: Int
    private var count = 0
    private var hasZero = false

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
        mask = size - 1
    }

    /// Inserts `value`; false when it was already there.
    mutating func insert(_ value: UInt64) -> Bool {
        if value == 0 {
            defer { hasZero = true }
            return !hasZero
        }
        var slot = Int(truncatingIfNeeded: value) & mask
        while true {
            let current = slots[slot]
            if current == 0 { break }
            if current == value { return false }
            slot = (slot + 1) & mask
        }
        slots[slot] = value
        count += 1
        if count * 2 > slots.count { grow() }
        return true
    }

    private mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        mask = slots.count - 1
        for value in old where value != 0 {
            var slot = Int(truncatingIfNeeded: value) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = value
        }
    }
}
