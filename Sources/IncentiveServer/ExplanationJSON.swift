import Foundation

/// The partner API's explanation (`ExplanationDocument`) written straight to JSON: exactly the bytes
/// `JSONBody.encoder` gives (keys sorted, `/` not escaped), without Foundation's encoder, which took
/// most of the time of an answer about one partner at 100,000 partners. `ExplanationJSONTests` compares
/// the two for the partners of a generated workspace and for text with every kind of character.
enum ExplanationJSON {
    static func render(_ document: ExplanationDocument) -> String {
        let out = TextBuffer(capacity: 4_096)
        out.raw("{\"partner_id\":").json(document.partnerID).raw(",\"programs\":[")
        for (index, program) in document.programs.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"amount\":").json(program.amount).raw(",\"currency\":").json(program.currency)
            out.raw(",\"kind\":").json(program.kind).raw(",\"missed_amount\":").json(program.missedAmount)
            out.raw(",\"name\":").json(program.name).raw(",\"program\":").json(program.program).raw(",\"rows\":[")
            for (rowIndex, row) in program.rows.enumerated() {
                if rowIndex > 0 { out.raw(",") }
                write(row, to: out)
            }
            out.raw("],\"status\":").json(program.status).raw("}")
        }
        out.raw("],\"run\":").raw(String(document.run)).raw("}")
        return out.result
    }

    /// One result row with its checks and reasons.
    static func write(_ row: RowDocument, to out: TextBuffer) {
        out.raw("{\"amount\":").json(row.amount).raw(",\"checks\":[")
        for (index, check) in row.checks.enumerated() {
            if index > 0 { out.raw(",") }
            out.raw("{\"code\":").json(check.code).raw(",\"explanation\":").json(check.explanation)
            out.raw(",\"passed\":").raw(check.passed ? "true" : "false")
            if let reason = check.reason { out.raw(",\"reason\":").json(reason) }
            out.raw("}")
        }
        out.raw("],\"eligible\":").raw(row.eligible ? "true" : "false").raw(",\"item\":").json(row.item)
        out.raw(",\"kind\":").json(row.kind)
        // A v2 row's facts (formats.md §5.6), few and nested: by the encoder itself, in their places in key order.
        if let leftOut = row.leftOut { out.raw(",\"left_out\":").raw(fragment(leftOut)) }
        out.raw(",\"missed_amount\":").json(row.missedAmount)
        out.raw(",\"partner_id\":").json(row.partnerID).raw(",\"program\":").json(row.program)
        out.raw(",\"qualifying_volume\":").json(row.qualifyingVolume).raw(",\"reasons\":[")
        for (index, reason) in row.reasons.enumerated() {
            if index > 0 { out.raw(",") }
            out.json(reason)
        }
        out.raw("]")
        if let rebate = row.rebate { out.raw(",\"rebate\":").raw(fragment(rebate)) }
        out.raw(",\"threshold\":").json(row.threshold).raw("}")
    }

    /// `value` as `JSONBody.encoder` writes it.
    static func fragment(_ value: some Encodable) -> String {
        (try? JSONBody.encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }
}
