import Foundation
import IncentiveStore
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The server's log handler: one line per entry on standard error, built as bytes and written with one `write(2)`,
/// which keeps lines whole between threads. The request log is on the hot path: no encoder, no `Date` formatting.
/// `format` picks the line: `JSONLogHandler.line` (`serve --log-format json`) or `TextLogHandler.line` (text, the
/// default).
public struct LineLogHandler: LogHandler {
    public enum Format: Sendable { case text, json }

    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public var logLevel: Logger.Level = .info
    let label: String
    let format: Format
    let descriptor: Int32

    /// Lines to `descriptor` (default: standard error).
    public init(label: String, format: Format, descriptor: Int32 = STDERR_FILENO, metadataProvider: Logger.MetadataProvider? = nil) {
        self.label = label
        self.format = format
        self.descriptor = descriptor
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        // The request log's entries carry their own metadata only: no dictionary is merged for them.
        var merged = event.metadata ?? [:]
        if !metadata.isEmpty || metadataProvider != nil {
            merged = metadata
            if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
            if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        }
        let message = event.message.description
        let bytes =
            switch format {
            case .json: JSONLogHandler.line(timestamp: JSONLogHandler.now(), level: event.level, label: label, message: message, metadata: merged)
            case .text:
                TextLogHandler.line(
                    timestamp: JSONLogHandler.now(), level: event.level, label: label, message: message, metadata: merged, source: event.source)
            }
        Self.writeAll(bytes, to: descriptor)
    }

    /// `bytes` with one `write(2)` (more only when the first wrote part of them).
    static func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
        bytes.withUnsafeBufferPointer { buffer in
            var done = 0
            while done < buffer.count {
                let count = write(descriptor, buffer.baseAddress! + done, buffer.count - done)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { return }
                done += count
            }
        }
    }
}

/// `serve --log-format json`: one JSON object per line for log collectors,
/// `{"timestamp":"2026-11-30T10:00:00.123Z","level":"info","label":"incentives","message":"request","metadata":{"method":"GET",...}}`.
public enum JSONLogHandler {
    /// The line, newline included; metadata keys sorted, so a line is the same whatever the dictionary's order.
    static func line(timestamp: (seconds: Int, milliseconds: Int), level: Logger.Level, label: String, message: String, metadata: Logger.Metadata)
        -> [UInt8]
    {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + message.utf8.count)
        bytes.append(contentsOf: "{\"timestamp\":\"".utf8)
        appendTimestamp(timestamp, to: &bytes)
        bytes.append(contentsOf: "\",\"level\":\"".utf8)
        bytes.append(contentsOf: level.rawValue.utf8)
        bytes.append(contentsOf: "\",\"label\":".utf8)
        appendString(label, to: &bytes)
        bytes.append(contentsOf: ",\"message\":".utf8)
        appendString(message, to: &bytes)
        if !metadata.isEmpty {
            bytes.append(contentsOf: ",\"metadata\":".utf8)
            appendObject(metadata, to: &bytes)
        }
        bytes.append(contentsOf: "}\n".utf8)
        return bytes
    }

    static func appendObject(_ metadata: Logger.Metadata, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "{"))
        var first = true
        for key in metadata.keys.sorted() {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendString(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendValue(metadata[key]!, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    static func appendValue(_ value: Logger.Metadata.Value, to bytes: inout [UInt8]) {
        switch value {
        case .string(let text): appendString(text, to: &bytes)
        case .stringConvertible(let item): appendString(item.description, to: &bytes)
        case .dictionary(let dictionary): appendObject(dictionary, to: &bytes)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                appendValue(item, to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        }
    }

    static let hex = Array("0123456789abcdef".utf8)

    /// A JSON string: `"` and `\` escaped, control characters as `\n`, `\r`, `\t` or `\u00XX`; the rest as UTF-8.
    static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                bytes.append(contentsOf: "\\u00".utf8)
                bytes.append(hex[Int(byte >> 4)])
                bytes.append(hex[Int(byte & 0x0F)])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The wall clock: seconds since 1970 and milliseconds.
    static func now() -> (seconds: Int, milliseconds: Int) {
        let milliseconds = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        let seconds = milliseconds >= 0 ? milliseconds / 1000 : (milliseconds - 999) / 1000
        return (Int(seconds), Int(milliseconds - seconds * 1000))
    }

    /// `2026-11-30T10:00:00.123Z`: the workspace's timestamps (`Timestamp`).
    static func appendTimestamp(_ time: (seconds: Int, milliseconds: Int), to bytes: inout [UInt8]) {
        Timestamp.append(millisecondsSince1970: Int64(time.seconds) * 1000 + Int64(time.milliseconds), to: &bytes)
    }
}

/// `serve --log-format text` (the default): swift-log's `StreamLogHandler` line on standard error,
/// `2026-11-30T10:00:00.123Z info incentives : method=GET ms=2.418 path=/partners/NL1001 status=200 [IncentiveServer] request`,
/// with the timestamp in UTC to the millisecond (the workspace's) and the metadata's keys sorted.
///
/// `StreamLogHandler` formatted the local time with `strftime`, which looks the time zone file up again for every
/// request.
public enum TextLogHandler {
    /// The line, newline included: metadata as swift-log prints it (`key=value`, a dictionary or array in its
    /// Swift form), keys sorted.
    static func line(
        timestamp: (seconds: Int, milliseconds: Int), level: Logger.Level, label: String, message: String, metadata: Logger.Metadata,
        source: String
    ) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(160 + message.utf8.count)
        JSONLogHandler.appendTimestamp(timestamp, to: &bytes)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: level.rawValue.utf8)
        bytes.append(UInt8(ascii: " "))
        bytes.append(contentsOf: label.utf8)
        bytes.append(contentsOf: " :".utf8)
        for key in metadata.keys.sorted() {
            bytes.append(UInt8(ascii: " "))
            bytes.append(contentsOf: key.utf8)
            bytes.append(UInt8(ascii: "="))
            bytes.append(contentsOf: metadata[key]!.description.utf8)
        }
        bytes.append(contentsOf: " [".utf8)
        bytes.append(contentsOf: source.utf8)
        bytes.append(contentsOf: "] ".utf8)
        bytes.append(contentsOf: message.utf8)
        bytes.append(UInt8(ascii: "\n"))
        return bytes
    }
}
