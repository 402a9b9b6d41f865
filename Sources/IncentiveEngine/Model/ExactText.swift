/// Text compared byte for byte, as formats.md requires for identifiers.
///
/// Swift's `String ==` treats canonically equivalent text as equal (`é` and `e` + U+0301);
/// identifiers in the data are compared exactly, so sets and dictionaries of ids use this key.
public struct ExactText: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    public init(_ text: String) { self.text = text }

    public static func == (lhs: ExactText, rhs: ExactText) -> Bool { lhs.text.utf8.elementsEqual(rhs.text.utf8) }

    public func hash(into hasher: inout Hasher) {
        for byte in text.utf8 { hasher.combine(byte) }
    }

    public var description: String { text }
}

extension String {
    /// Byte-for-byte equality (no Unicode canonical equivalence).
    @inlinable
    public func isExactly(_ other: String) -> Bool { utf8.elementsEqual(other.utf8) }
}
