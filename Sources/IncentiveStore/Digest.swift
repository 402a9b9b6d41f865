import Crypto
import Foundation

/// SHA-256 written as lower-case hex: of a stream of bytes fed in large blocks, of a file, of a text.
/// Every digest the workspace records and every hash of a secret it keeps is written here.
public struct Digest {
    private var hasher = SHA256()

    init() {}

    /// Takes `buffer`'s bytes and empties it (keeping its capacity).
    mutating func consume(_ buffer: inout [UInt8]) {
        buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func update(_ text: String) {
        hasher.update(data: Data(text.utf8))
    }

    func finalize() -> String { Self.hex(hasher.finalize()) }

    /// The SHA-256 of a file's bytes, read in 1 MiB blocks.
    static func file(_ path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        var hasher = SHA256()
        do {
            while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty {
                hasher.update(data: block)
            }
        } catch {
            return nil
        }
        return hex(hasher.finalize())
    }

    /// The SHA-256 of `text`'s UTF-8 bytes (a program definition, a token, a session id).
    public static func of(_ text: String) -> String { hex(SHA256.hash(data: Data(text.utf8))) }

    /// `bytes` as lower-case hex, two digits each.
    public static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
