import IncentiveEngine

/// The records of a CSV text with any one-byte separator (RFC 4180 quoting), for converting a spreadsheet's
/// dialect: each record is written back with `,` and exactly as many line breaks as it was read with.
enum ReadRecords {
    struct Record {
        /// Physical line where the record starts (1-based).
        var line: Int
        /// The fields, unquoted and unescaped (a quoted field's line breaks kept); empty for a blank line.
        var fields: [[UInt8]]
        var quoted: [Bool]

        /// Appends the record in the standard dialect: `,` between fields, quotes where a field needs them.
        func write(to output: inout [UInt8]) {
            for (index, field) in fields.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                let needsQuotes =
                    quoted[index]
                    || field.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
                if needsQuotes {
                    output.append(UInt8(ascii: "\""))
                    for byte in field {
                        if byte == UInt8(ascii: "\"") { output.append(byte) }
                        output.append(byte)
                    }
                    output.append(UInt8(ascii: "\""))
                } else {
                    output.append(contentsOf: field)
                }
            }
            output.append(UInt8(ascii: "\n"))
        }
    }

    /// Calls `body` with every record of `text` in order (blank lines as records without fields). A quote left
    /// open ends the reading with an error naming the line it opened on.
    static func forEach(
        _ text: [UInt8], separator: UInt8, file: String, collector: inout DiagnosticCollector, _ body: (inout Record) -> Void
    ) {
        let quote = UInt8(ascii: "\""), newline = UInt8(ascii: "\n"), carriage = UInt8(ascii: "\r")
        var position = 0
        var line = 1
        let count = text.count
        while position < count {
            var record = Record(line: line, fields: [], quoted: [])
            // A blank line (CR LF or LF alone) is kept as one.
            if text[position] == newline || (text[position] == carriage && position + 1 < count && text[position + 1] == newline) {
                position += text[position] == newline ? 1 : 2
                line += 1
                body(&record)
                continue
            }
            var endOfRecord = false
            while !endOfRecord {
                var field: [UInt8] = []
                var wasQuoted = false
                // Blanks before a quote belong to no value.
                var look = position
                while look < count && (text[look] == UInt8(ascii: " ") || text[look] == UInt8(ascii: "\t")) { look += 1 }
                if look < count && text[look] == quote {
                    wasQuoted = true
                    position = look + 1
                    var closed = false
                    while position < count {
                        let byte = text[position]
                        if byte == quote {
                            if position + 1 < count && text[position + 1] == quote {
                                field.append(quote)
                                position += 2
                                continue
                            }
                            position += 1
                            closed = true
                            break
                        }
                        if byte == newline { line += 1 }
                        field.append(byte)
                        position += 1
                    }
                    if !closed {
                        collector.error(file: file, line: record.line, "a quoted field opened on this line is never closed")
                        return
                    }
                    // After the closing quote: blanks, then the separator or the end of the line.
                    while position < count && (text[position] == UInt8(ascii: " ") || text[position] == UInt8(ascii: "\t")) { position += 1 }
                    if position < count && text[position] != separator && text[position] != newline
                        && !(text[position] == carriage && (position + 1 == count || text[position + 1] == newline))
                    {
                        collector.error(file: file, line: line, "text after a closing quote (a quote inside a field must be doubled)")
                        while position < count && text[position] != separator && text[position] != newline { position += 1 }
                    }
                } else {
                    let start = position
                    while position < count && text[position] != separator && text[position] != newline { position += 1 }
                    var end = position
                    if end > start && text[end - 1] == carriage && (position == count || text[position] == newline) { end -= 1 }
                    field = Array(text[start..<end])
                }
                if position < count && text[position] == carriage { position += 1 }
                record.fields.append(field)
                record.quoted.append(wasQuoted)
                if position >= count {
                    endOfRecord = true
                } else if text[position] == separator {
                    position += 1
                    // A separator as the very last byte of the text still ends a (last, empty) field.
                    if position == count {
                        record.fields.append([])
                        record.quoted.append(false)
                        endOfRecord = true
                    }
                } else {  // a line feed
                    position += 1
                    line += 1
                    endOfRecord = true
                }
            }
            body(&record)
        }
    }

    /// `bytes` without surrounding spaces and tabs.
    static func trimmed(_ bytes: [UInt8]) -> ArraySlice<UInt8> {
        var start = 0, end = bytes.count
        while start < end && (bytes[start] == UInt8(ascii: " ") || bytes[start] == UInt8(ascii: "\t")) { start += 1 }
        while end > start && (bytes[end - 1] == UInt8(ascii: " ") || bytes[end - 1] == UInt8(ascii: "\t")) { end -= 1 }
        return bytes[start..<end]
    }
}
