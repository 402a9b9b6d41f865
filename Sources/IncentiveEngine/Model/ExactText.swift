/// Text compared byte for byte, as formats.md requires for identifiers.
///
/// Swift's `String ==` treats canonically equivalent text as equal (`é` and `e` + U+0301);
/// identifiers in the data are compared exactly, so sets and dictionaries of ids use this key.
public struct ExactText: Hashable, Sendable, CustomStringConvertible {
    public let text: String

    public init(_ text: String) { self.text = text }

    public static func == (lhs: ExactText, rhs: ExactText) -> Bool {
        // Native strings hand out their bytes at once; the element-by-element walk is the fallback.
        if let equal = lhs.text.utf8.withContiguousStorageIfAvailable({ left in
            rhs.text.utf8.withContiguousStorageIfAvailable { right in left.count == right.count && left.elementsEqual(right) }
        }), let equal {
            return equal
        }
        return lhs.text.utf8.elementsEqual(rhs.text.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        if text.utf8.withContiguousStorageIfAvailable({ hasher.combine(bytes: UnsafeRawBufferPointer($0)) }) == nil {
            for byte in text.utf8 { hasher.combine(byte) }
        }
        hasher.combine(text.utf8.count)
    }

    public var description: String { text }
}

extension String {
    /// Byte-for-byte equality (no Unicode canonical equivalence).
    @inlinable
    public func isExactly(_ other: String) -> Bool {
        // Lengths first (free for native strings), then the bytes in place; the walk is the fallback.
        guard utf8.count == other.utf8.count else { return false }
        if let equal = utf8.withContiguousStorageIfAvailable({ left in
            other.utf8.withContiguousStorageIfAvailable { right in left.elementsEqual(right) }
        }), let equal {
            return equal
        }
        return utf8.elementsEqual(other.utf8)
    }
}
