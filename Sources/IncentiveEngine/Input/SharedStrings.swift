/// One `String` per distinct text, so rows repeating a value (a credential id, a service) share it.
struct SharedStrings {
    private var keys = ByteInterner(capacity: 64)
    private var strings: [String] = []

    /// The text of `bytes`, which must be valid UTF-8.
    @inline(__always)
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let id = Int(keys.intern(bytes))
        if id == strings.count { strings.append(String(decoding: bytes, as: UTF8.self)) }
        return strings[id]
    }
}
