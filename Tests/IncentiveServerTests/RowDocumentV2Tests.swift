import Foundation
import IncentiveEngine
import Testing

@testable import IncentiveServer

/// The server's result rows (`GET /api/v1/runs/{id}/partners/{partnerId}`, run documents) carry a v2 row's `rebate`
/// and `left_out` exactly as the results JSON does (formats.md §5.6), and a v1 row neither.
@Suite struct RowDocumentV2Tests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    static func rows(_ folder: String) throws -> [ResultRow] {
        let input = try Engine.load(
            dataDirectory: root.appendingPathComponent(folder).appendingPathComponent("data").path,
            programsDirectory: root.appendingPathComponent(folder).appendingPathComponent("programs").path)
        return Engine.compute(input).rows
    }

    static func json(_ row: ResultRow) throws -> [String: Any] {
        let data = try JSONEncoder().encode(RowDocument(row))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// CA6001's voice (examples/vip30/README.md): 45,000.00 at 16% + 4 points = 9,000.00; enrolled late on 2017-08-27, one
    /// line (20,000.00) and one attach line (9,000.00) left out.
    @Test func aV2RowCarriesItsRebateAndTheLinesLeftOut() throws {
        let row = try #require(try Self.rows("vip30").first { $0.partnerID == "CA6001" && $0.item == "collaboration/voice" })
        let document = try Self.json(row)
        let rebate = try #require(document["rebate"] as? [String: Any])
        #expect(rebate["amount"] as? String == "9000.00")
        #expect(rebate["base"] as? String == "45000.00")
        let leftOut = try #require(document["left_out"] as? [String: Any])
        #expect(leftOut["enrolled_late_on"] as? String == "2017-08-27")
        #expect(leftOut["before_enrollment_volume"] as? String == "20000.00")
        #expect(leftOut["attach_before_enrollment_volume"] as? String == "9000.00")
        let v1 = try #require(try Self.rows("").first)
        let plain = try Self.json(v1)
        #expect(plain["rebate"] == nil && plain["left_out"] == nil)
    }

    /// The partner API writes its explanation without Foundation's encoder (`ExplanationJSON`); with v2 rows it must
    /// still give the encoder's bytes, for every partner of the v2 example.
    @Test func theExplanationOfEveryV2PartnerIsWrittenAsTheEncoderWritesIt() throws {
        let input = try Engine.load(
            dataDirectory: Self.root.appendingPathComponent("vip30").appendingPathComponent("data").path,
            programsDirectory: Self.root.appendingPathComponent("vip30").appendingPathComponent("programs").path)
        let result = Engine.compute(input)
        var withFacts = 0
        for partner in input.dataset.partners {
            let one = ComputeResult(
                programs: result.programs.map { ProgramResult(program: $0.program, partners: $0.partners.filter { $0.partnerID == partner.id }) })
            let document = ExplanationDocument(run: 1, partnerID: partner.id, result: one)
            withFacts += document.programs.flatMap(\.rows).contains { $0.rebate != nil } ? 1 : 0
            let encoded = String(decoding: try JSONBody.encoder.encode(document), as: UTF8.self)
            #expect(ExplanationJSON.render(document) == encoded, "\(partner.id)")
        }
        #expect(withFacts >= 10)
    }
}
