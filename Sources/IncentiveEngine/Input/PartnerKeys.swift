/// The keys (partner, day, name) of a partner's table such as `credentials.csv` or `services.csv`, as
/// exact as the text of the three: where each was first seen, and one `String` per distinct name.
struct PartnerKeys {
    private var seen = FirstLines()
    private var names = SharedStrings()
    private var key: [UInt8] = []

    /// The name's text (shared with the rows that have the same one) and, when the key was seen
    /// before, the line where it was first seen; a new key is noted as seen on `line`.
    @inline(__always)
    mutating func check(_ nameBytes: UnsafeBufferPointer<UInt8>, partner: Int, day: Day, line: Int) -> (name: String, firstLine: Int?) {
        let name = DatasetLoader.withTextBytes(nameBytes) { bytes -> String in
            key.removeAll(keepingCapacity: true)
            DatasetLoader.appendKey(&key, partner, day.daysSinceEpoch)
            key.append(contentsOf: bytes)
            return names.string(bytes)
        }
        let first = key.withUnsafeBufferPointer { seen.firstLine(of: $0, otherwise: line) }
        return (name, first)
    }
}
