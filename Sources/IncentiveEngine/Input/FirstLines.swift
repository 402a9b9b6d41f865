import Foundation

/// The line where each key of a file was first seen, keys being bytes (no `String` per row).
///
/// Files often list keys in increasing order; while each key is greater than the one before (by
/// bytes) it cannot have been seen, so it is only stored. The first key out of order builds the hash
/// table: one control byte per slot (empty, or 7 bits of the key's hash), so the probes of a
/// million-key file stay in a few megabytes; only a matching control byte looks at the slot's key
/// number and the stored key.
struct FirstLines {
    /// Every key so far increased: no hash table yet.
    private var ascending = true
    /// 0: empty; else `0x80 | 7 bits of the hash`.
    private var control: [UInt8] = []
    /// The key number in each used slot.
    private var numbers: [UInt32] = []
    private var mask = 0
    private var hashes: [UInt32] = []
    private var arena: [UInt8] = []
    /// Key `n` is `arena[ends[n - 1] ..< ends[n]]` (`ends[-1]` being 0).
    private var ends: [Int] = []
    private var lines: [Int] = []

    /// The line where `key` was first seen; `nil` when it is new, and then it is recorded as seen on `line`.
    @inline(__always)
    mutating func firstLine(of key: UnsafeBufferPointer<UInt8>, otherwise line: Int) -> Int? {
        if ascending {
            if lines.isEmpty || follows(key) {
                store(key, line: line)
                return nil
            }
            buildTable()
        }
        let hash = FirstLines.hash(key)
        let tag = UInt8(truncatingIfNeeded: hash) | 0x80
        var slot = Int(truncatingIfNeeded: hash >> 7) & mask
        while true {
            let byte = control[slot]
            if byte == 0 { break }
            if byte == tag {
                let number = Int(numbers[slot])
                if equals(number, key) { return lines[number] }
            }
            slot = (slot + 1) & mask
        }
        let number = lines.count
        store(key, line: line)
        hashes.append(hash)
        control[slot] = tag
        numbers[slot] = UInt32(truncatingIfNeeded: number)
        if lines.count * 10 > control.count * 7 { grow() }
        return nil
    }

    @inline(__always)
    private mutating func store(_ key: UnsafeBufferPointer<UInt8>, line: Int) {
        arena.append(contentsOf: key)
        ends.append(arena.count)
        lines.append(line)
    }

    /// Whether `key` comes after the last key stored, comparing bytes (a prefix comes first).
    @inline(__always)
    private func follows(_ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let number = lines.count - 1
        let start = number == 0 ? 0 : ends[number - 1], length = ends[number] - start
        let common = min(length, key.count)
        let order = common == 0 ? 0 : arena.withUnsafeBufferPointer { memcmp(key.baseAddress!, $0.baseAddress! + start, common) }
        return order > 0 || (order == 0 && key.count > length)
    }

    private mutating func buildTable() {
        ascending = false
        hashes.reserveCapacity(lines.count)
        for number in 0..<lines.count {
            let start = number == 0 ? 0 : ends[number - 1]
            hashes.append(arena.withUnsafeBufferPointer { FirstLines.hash(UnsafeBufferPointer(rebasing: $0[start..<ends[number]])) })
        }
        var size = 1024
        while lines.count * 10 > size * 7 { size <<= 1 }
        rebuild(size: size)
    }

    @inline(__always)
    private func equals(_ number: Int, _ key: UnsafeBufferPointer<UInt8>) -> Bool {
        let start = number == 0 ? 0 : ends[number - 1], end = ends[number]
        guard end - start == key.count else { return false }
        return arena.withUnsafeBufferPointer { stored in
            key.isEmpty || memcmp(stored.baseAddress! + start, key.baseAddress!, key.count) == 0
        }
    }

    private mutating func grow() { rebuild(size: control.count * 2) }

    private mutating func rebuild(size: Int) {
        control = Array(repeating: 0, count: size)
        numbers = Array(repeating: 0, count: size)
        mask = size - 1
        for (number, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash >> 7) & mask
            while control[slot] != 0 { slot = (slot + 1) & mask }
            control[slot] = UInt8(truncatingIfNeeded: hash) | 0x80
            numbers[slot] = UInt32(truncatingIfNeeded: number)
        }
    }

    /// A 32-bit hash of `bytes`.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt32 { UInt32(truncatingIfNeeded: ByteHash.hash(bytes)) }
}
