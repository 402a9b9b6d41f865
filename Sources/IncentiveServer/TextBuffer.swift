/// Text written into one byte buffer: markup and syntax as they are, values escaped for HTML (as
/// Mustache's `{{value}}` escapes) or as JSON strings (as `JSONEncoder` writes them). The partner page
/// (`PartnerHTML`) and the partner API's answer (`ExplanationJSON`) are written with it. Each call
/// returns the buffer, so that a line of output reads as one.
final class TextBuffer {
    private var bytes: [UInt8] = []
    private static let hex = Array("0123456789abcdef".utf8)

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    @discardableResult
    func raw(_ text: String) -> TextBuffer {
        bytes.append(contentsOf: text.utf8)
        return self
    }

    /// `&`, `<`, `>`, `"` and `'` as entities; nothing for nil. The text between entities is copied in runs
    /// (most values have nothing to escape: one copy).
    @discardableResult
    func html(_ text: String?) -> TextBuffer {
        guard var text else { return self }
        text.withUTF8 { utf8 in
            var start = 0
            for index in utf8.indices {
                let entity: StaticString
                switch utf8[index] {
                case UInt8(ascii: "&"): entity = "&amp;"
                case UInt8(ascii: "<"): entity = "&lt;"
                case UInt8(ascii: ">"): entity = "&gt;"
                case UInt8(ascii: "\""): entity = "&quot;"
                case UInt8(ascii: "'"): entity = "&#39;"
                default: continue
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<index]))
                bytes.append(contentsOf: UnsafeBufferPointer(start: entity.utf8Start, count: entity.utf8CodeUnitCount))
                start = index + 1
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        return self
    }

    /// A JSON string: quoted, with `"`, `\\` and control characters escaped (`/` is not).
    @discardableResult
    func json(_ text: String) -> TextBuffer {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: #"\""#.utf8)
            case UInt8(ascii: "\\"): bytes.append(contentsOf: #"\\"#.utf8)
            case 0x08: bytes.append(contentsOf: #"\b"#.utf8)
            case 0x0C: bytes.append(contentsOf: #"\f"#.utf8)
            case 0x0A: bytes.append(contentsOf: #"\n"#.utf8)
            case 0x0D: bytes.append(contentsOf: #"\r"#.utf8)
            case 0x09: bytes.append(contentsOf: #"\t"#.utf8)
            case 0..<0x20:
                bytes.append(contentsOf: #"\u00"#.utf8)
                bytes.append(Self.hex[Int(byte >> 4)])
                bytes.append(Self.hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
        return self
    }

    var result: String { String(decoding: bytes, as: UTF8.self) }
}
