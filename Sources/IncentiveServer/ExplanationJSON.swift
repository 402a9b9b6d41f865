/// The partner API's explanation (`ExplanationDocument`) written straight to JSON: exactly the bytes
/// `JSONBody.encoder` gives (keys sorted, `/` not escaped), without Foundation's encoder, which took
/// most of the time of an answer about one partner at 100,000 partners. `ExplanationJSONTests` compares
/// the two for the partners of a generated workspace and for text with every kind of character.
enum ExplanationJSON {
    static func render(_ document: ExplanationDocument) -> String {
        let out = JSONText()
        out.raw("{\"partner_id\":").string(document.partnerID).raw(",\"programs\":[")
        for (index, program) in document.programs.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"amount\":").string(program.amount).raw(",\"currency\":").string(program.currency)
            out.raw(",\"kind\":").string(program.kind).raw(",\"missed_amount\":").string(program.missedAmount)
            out.raw(",\"name\":").string(program.name).raw(",\"program\":").string(program.program).raw(",\"rows\":[")
            for (rowIndex, row) in program.rows.enumerated() {
                if rowIndex > 0 { out.raw(",") }
                out.row(row)
            }
            out.raw("],\"status\":").string(program.status).raw("}")
        }
        out.raw("],\"run\":").raw(String(document.run)).raw("}")
        return out.result
    }
}

/// JSON written into one byte buffer, strings escaped as `JSONEncoder` escapes them.
final class JSONText {
    private var bytes: [UInt8] = []
    private static let hex = Array("0123456789abcdef".utf8)

    init() { bytes.reserveCapacity(4_096) }

    @discardableResult
    func raw(_ text: String) -> JSONText {
        bytes.append(contentsOf: text.utf8)
        return self
    }

    @discardableResult
    func string(_ text: String) -> JSONText {
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

    func row(_ row: RowDocument) {
        raw("{\"amount\":").string(row.amount).raw(",\"checks\":[")
        for (index, check) in row.checks.enumerated() {
            if index > 0 { raw(",") }
            raw("{\"code\":").string(check.code).raw(",\"explanation\":").string(check.explanation)
            raw(",\"passed\":").raw(check.passed ? "true" : "false")
            if let reason = check.reason { raw(",\"reason\":").string(reason) }
            raw("}")
        }
        raw("],\"eligible\":").raw(row.eligible ? "true" : "false").raw(",\"item\":").string(row.item)
        raw(",\"kind\":").string(row.kind).raw(",\"missed_amount\":").string(row.missedAmount)
        raw(",\"partner_id\":").string(row.partnerID).raw(",\"program\":").string(row.program)
        raw(",\"qualifying_volume\":").string(row.qualifyingVolume).raw(",\"reasons\":[")
        for (index, reason) in row.reasons.enumerated() {
            if index > 0 { raw(",") }
            string(reason)
        }
        raw("],\"threshold\":").string(row.threshold).raw("}")
    }

    var result: String { String(decoding: bytes, as: UTF8.self) }
}
