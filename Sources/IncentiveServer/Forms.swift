import Foundation
import Hummingbird
import NIOCore

/// `application/x-www-form-urlencoded` bodies of the page forms.
enum Form {
    static let limit = 64 * 1024

    static func read(_ request: Request) async throws -> [String: String] {
        let buffer = try await request.body.collect(upTo: limit)
        return parse(String(buffer: buffer))
    }

    static func parse(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "" }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    /// Compares secrets in time that does not depend on where they differ.
    static func same(_ given: String?, _ expected: String) -> Bool {
        guard let given, !expected.isEmpty else { return false }
        let a = Array(given.utf8), b = Array(expected.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// `multipart/form-data` uploads: the body is written to a file as it arrives (never held whole), and
/// the parts are then read from that file through a memory map.
enum Multipart {
    struct Parts {
        var fields: [String: String] = [:]
        /// The one file part: where it was copied and the name the browser gave it.
        var file: (path: String, name: String)?
    }

    static func boundary(_ contentType: String) -> String? {
        guard contentType.lowercased().hasPrefix("multipart/form-data") else { return nil }
        for parameter in contentType.split(separator: ";").dropFirst() {
            let pair = parameter.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if pair.count == 2 && pair[0].lowercased() == "boundary" { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
        }
        return nil
    }

    static func store(_ body: RequestBody, to path: String, limit: Int) async throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
            throw APIError(status: .internalServerError, code: "internal", message: "cannot buffer the upload")
        }
        defer { try? handle.close() }
        var size = 0
        for try await buffer in body {
            size += buffer.readableBytes
            if size > limit { throw APIError(status: .contentTooLarge, code: "too_large", message: "the upload is larger than \(limit) bytes") }
            try handle.write(contentsOf: Data(buffer.readableBytesView))
        }
    }

    /// Splits the stored body; the (first) part with a file name is copied to `fileTo`.
    static func parts(of path: String, boundary: String, fileTo: String) throws -> Parts {
        let data = try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
        let delimiter = Data("--\(boundary)".utf8)
        var parts = Parts()
        var start = data.range(of: delimiter)?.upperBound
        while let partStart = start {
            guard let next = data.range(of: delimiter, in: partStart..<data.endIndex) else { break }
            // A part: CRLF, headers, CRLF CRLF, content, CRLF, then the next delimiter.
            var contentEnd = next.lowerBound
            if contentEnd - partStart >= 2 && data[contentEnd - 2] == 0x0D && data[contentEnd - 1] == 0x0A { contentEnd -= 2 }
            if let headerEnd = data.range(of: Data("\r\n\r\n".utf8), in: partStart..<contentEnd) {
                let headers = String(decoding: data[partStart..<headerEnd.lowerBound], as: UTF8.self)
                let content = data[headerEnd.upperBound..<contentEnd]
                let name = parameter("name", in: headers), fileName = parameter("filename", in: headers)
                if let fileName, parts.file == nil {
                    try content.write(to: URL(fileURLWithPath: fileTo))
                    parts.file = (fileTo, (fileName as NSString).lastPathComponent)
                } else if let name {
                    parts.fields[name] = String(decoding: content, as: UTF8.self)
                }
            }
            start = next.upperBound
            if data[start!...].starts(with: Data("--".utf8)) { break }
        }
        return parts
    }

    static func parameter(_ key: String, in headers: String) -> String? {
        for line in headers.split(whereSeparator: \.isNewline) where line.lowercased().hasPrefix("content-disposition") {
            for piece in line.split(separator: ";") {
                let pair = piece.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
                if pair.count == 2 && pair[0] == key { return pair[1].trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            }
        }
        return nil
    }
}

/// Inline SVG charts, drawn with integer geometry from exact cents.
enum Charts {
    static let width: Int64 = 420

    /// `part * width / whole` for `0 <= part <= whole`, in 128 bits: any cents at all fit.
    static func scaled(_ part: Int64, of whole: Int64) -> Int64 {
        guard whole > 0, part > 0 else { return 0 }
        let product = part.multipliedFullWidth(by: width)
        return whole.dividingFullWidth(product).quotient
    }

    /// A bar of the qualifying volume against the minimum, with the minimum marked.
    static func progress(volume: Int64, minimum: Int64, label: String) -> String {
        let scale = max(volume, minimum, 1)
        let filled = scaled(volume, of: scale)
        let mark = scaled(minimum, of: scale)
        let color = volume >= minimum ? "#2e7d4f" : "#d9534f"
        return """
            <svg width="\(width + 2)" height="22" role="img" aria-label="\(escape(label))">\
            <rect x="1" y="3" width="\(width)" height="14" fill="#e6e9ee"/>\
            <rect x="1" y="3" width="\(filled)" height="14" fill="\(color)"/>\
            <rect x="\(1 + min(mark, width - 1))" y="0" width="2" height="20" fill="#1d2433"/></svg>
            """
    }

    /// A bar split into coloured segments (paid against missed, tagged against untagged), with a legend.
    static func split(_ segments: [(Int64, String)], labels: [String]) -> String {
        // Summed in 128 bits and scaled from there: no amounts overflow the bar.
        var total: (high: Int64, low: UInt64) = (0, 0)
        for (value, _) in segments where value > 0 {
            let (low, carry) = total.low.addingReportingOverflow(UInt64(value))
            total = (total.high + (carry ? 1 : 0), low)
        }
        var x: Int64 = 1
        var svg = "<svg width=\"\(width + 2)\" height=\"40\" role=\"img\">"
        for (value, color) in segments {
            let w = share(max(0, value), of: total)
            svg += "<rect x=\"\(x)\" y=\"3\" width=\"\(w)\" height=\"14\" fill=\"\(color)\"/>"
            x += w
        }
        var legendX: Int64 = 1
        for (index, label) in labels.enumerated() where index < segments.count {
            svg += "<rect x=\"\(legendX)\" y=\"26\" width=\"10\" height=\"10\" fill=\"\(segments[index].1)\"/>"
            svg += "<text x=\"\(legendX + 14)\" y=\"35\">\(escape(label))</text>"
            legendX += 14 + Int64(label.count) * 7 + 16
        }
        return svg + "</svg>"
    }

    /// `part * width / total` with a 128-bit total (`high * 2^64 + low`) at least `part`.
    static func share(_ part: Int64, of total: (high: Int64, low: UInt64)) -> Int64 {
        guard part > 0, total.high > 0 || total.low > 0 else { return 0 }
        // Both shifted right until the total fits in 62 bits; the share loses nothing a 420-pixel bar shows.
        var high = UInt64(total.high), low = total.low, part = UInt64(part)
        while high > 0 || low >= 1 << 62 {
            low = (low >> 1) | (high << 63)
            high >>= 1
            part >>= 1
        }
        return Charts.scaled(Int64(part), of: max(Int64(low), 1))
    }

    /// A histogram: one bar per bucket, its height scaled from its count against the largest count, the
    /// count above it and the bucket's label below it; `label` describes the chart to a screen reader.
    /// Every coordinate is a whole pixel; a bucket with any partner in it is at least one pixel high.
    static func histogram(_ bars: [(label: String, count: Int)], color: String, label: String) -> String {
        let barsHeight = 80, top = 14, bottom = 18
        let most = bars.map(\.count).max() ?? 0
        // Each slot is wide enough for its label (about 7 pixels a character at the charts' 11px font).
        let slot = max(48, (bars.map(\.label.count).max() ?? 0) * 7 + 8)
        let width = max(slot * bars.count, 1), height = top + barsHeight + bottom
        var svg = "<svg width=\"\(width)\" height=\"\(height)\" role=\"img\" aria-label=\"\(attribute(label))\">"
        for (index, bar) in bars.enumerated() {
            let h = most > 0 && bar.count > 0 ? max(1, bar.count * barsHeight / most) : 0
            let x = index * slot, middle = index * slot + slot / 2
            if h > 0 {
                svg += "<rect x=\"\(x + 4)\" y=\"\(top + barsHeight - h)\" width=\"\(slot - 8)\" height=\"\(h)\" fill=\"\(color)\"/>"
            }
            svg += "<text x=\"\(middle)\" y=\"\(top + barsHeight - h - 3)\" text-anchor=\"middle\">\(bar.count)</text>"
            svg += "<text x=\"\(middle)\" y=\"\(height - 4)\" text-anchor=\"middle\">\(escape(bar.label))</text>"
        }
        return svg + "</svg>"
    }

    /// Text for a double-quoted attribute.
    static func attribute(_ text: String) -> String {
        let escaped = escape(text)
        return escaped.utf8.contains(UInt8(ascii: "\"")) ? escaped.replacingOccurrences(of: "\"", with: "&quot;") : escaped
    }

    /// `&`, `<` and `>` as entities. Most labels have none: they are returned as they are (Foundation's
    /// replacing is slow enough to show on a page drawn for every partner).
    static func escape(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 == UInt8(ascii: "&") || $0 == UInt8(ascii: "<") || $0 == UInt8(ascii: ">") }) else { return text }
        return text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
