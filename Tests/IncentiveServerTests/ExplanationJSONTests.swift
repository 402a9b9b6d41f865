import Foundation
import IncentiveEngine
import IncentiveStore
import Testing

@testable import IncentiveServer

/// The partner API's explanation written by `ExplanationJSON` is, byte for byte, what `JSONEncoder`
/// (`JSONBody.encoder`) writes for the same document.
@Suite struct ExplanationJSONTests {
    static func encoded(_ document: ExplanationDocument) throws -> String {
        String(decoding: try JSONBody.encoder.encode(document), as: UTF8.self)
    }

    @Test func everyPartnerOfAGeneratedRunIsWrittenAsTheEncoderWritesIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-explanation-json-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = try PartnerHTMLTests.generated(in: folder, partners: 300, lines: 4_000, seed: 8)
        _ = try workspace.run()
        var withRows = 0
        for partner in try workspace.partners(offset: 0, limit: 1_000).items {
            let result = try workspace.runResult(1, partner: partner.id).result
            let document = ExplanationDocument(run: 1, partnerID: partner.id, result: result)
            withRows += document.programs.contains { !$0.rows.isEmpty } ? 1 : 0
            #expect(ExplanationJSON.render(document) == (try Self.encoded(document)), "\(partner.id)")
        }
        #expect(withRows > 100)
    }

    /// Quotes, backslashes, slashes, every control character, non-ASCII text and emoji; a check with and
    /// without a reason; no programs, no rows.
    @Test func awkwardTextIsEscapedAsTheEncoderEscapesIt() throws {
        let controls = String(decoding: (0..<0x20).map { UInt8($0) }, as: UTF8.self)
        let awkward = "a \"quoted\" back\\slash / slash é ü 中 🙂 \u{7F} \u{2028}" + controls
        let check = CheckDocument(Check(code: .csat, passed: false, reason: awkward, explanation: awkward))
        let plain = CheckDocument(Check(code: .tier, passed: true, reason: nil, explanation: "ok"))
        var row = RowDocument(
            ResultRow(
                program: awkward, kind: .vip, partnerID: awkward, item: awkward, qualifyingVolume: Money(cents: -12_345),
                threshold: Money(cents: 0), eligible: false, amount: Money(cents: 1), missedAmount: Money(cents: 9_000_000_000_000_000_000),
                checks: []))
        row.checks = [check, plain]
        row.reasons = [awkward, "", "x"]
        let part = ExplanationDocument.ProgramPart(
            program: awkward, name: awkward, kind: "vip", currency: "EUR", status: "ineligible", amount: "0.00", missedAmount: "1.00",
            rows: [row, row])
        var document = ExplanationDocument(run: 42, partnerID: awkward, result: ComputeResult(programs: []))
        #expect(ExplanationJSON.render(document) == (try Self.encoded(document)))
        document.programs = [
            part,
            ExplanationDocument.ProgramPart(
                program: "P", name: "", kind: "mdf", currency: "USD", status: "eligible", amount: "1.00", missedAmount: "0.00", rows: []),
        ]
        #expect(ExplanationJSON.render(document) == (try Self.encoded(document)))
    }
}
