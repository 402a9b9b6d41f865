import Crypto
import Foundation

/// SHA-256 over a stream of bytes, fed in large blocks.
struct Digest {
    private var hasher = SHA256()
    private var pending: [UInt8] = []

    init() { pending.reserveCapacity(1 << 16) }

    /// Takes `buffer`'s bytes and empties it (keeping its capacity).
    mutating func consume(_ buffer: inout [UInt8]) {
        buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func update(_ text: String) {
        hasher.update(data: Data(text.utf8))
    }

    func finalize() -> String {
        hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

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
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }

    static func of(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
