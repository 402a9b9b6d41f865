import Foundation

/// The JSON results: the same numbers as the CSV plus every check and per-partner status and totals.
///
/// Money is a decimal string with two decimals (`"57500.00"`), as in the CSV, so no
/// reader turns it into binary floating point by accident. Keys are sorted.
public enum ResultsJSON {
    struct Document: Encodable {
        var engineVersion: String
        var programs: [ProgramDocument]
        enum CodingKeys: String, CodingKey {
            case engineVersion = "engine_version", programs
        }
    }

    struct ProgramDocument: Encodable {
        var id, kind, name, currency: String
        var period: [String: String]
        var partnersTakingPart: Int
        var eligiblePartners: Int
        var amount, missedAmount: String
        var partners: [PartnerDocument]
        enum CodingKeys: String, CodingKey {
            case id, kind, name, currency, period, amount, partners
            case partnersTakingPart = "partners_taking_part", eligiblePartners = "eligible_partners", missedAmount = "missed_amount"
        }
    }

    struct PartnerDocument: Encodable {
        var partnerID, status, amount, missedAmount: String
        var rows: [RowDocument]
        enum CodingKeys: String, CodingKey {
            case partnerID = "partner_id", status, amount, rows
            case missedAmount = "missed_amount"
        }
    }

    struct RowDocument: Encodable {
        var item, qualifyingVolume, threshold: String
        var eligible: Bool
        var amount, missedAmount: String
        var reasons: [String]
        var checks: [CheckDocument]
        enum CodingKeys: String, CodingKey {
            case item, threshold, eligible, amount, reasons, checks
            case qualifyingVolume = "qualifying_volume", missedAmount = "missed_amount"
        }
    }

    struct CheckDocument: Encodable {
        var code: String
        var passed: Bool
        var reason: String?
        var explanation: String
    }

    /// Pretty-printed JSON with sorted keys. Partners that do not take part are listed with their status and no rows.
    public static func render(_ result: ComputeResult) -> String {
        let document = Document(
            engineVersion: Engine.version,
            programs: result.programs.map { programResult in
                let program = programResult.program
                return ProgramDocument(
                    id: program.id, kind: program.kind.rawValue, name: program.name, currency: program.currency,
                    period: ["start": program.period.start.description, "end": program.period.end.description],
                    partnersTakingPart: programResult.partnersTakingPart,
                    eligiblePartners: programResult.eligiblePartners,
                    amount: programResult.amount.plainText, missedAmount: programResult.missedAmount.plainText,
                    partners: programResult.partners.map { partner in
                        PartnerDocument(
                            partnerID: partner.partnerID, status: partner.status.rawValue, amount: partner.amount.plainText,
                            missedAmount: partner.missedAmount.plainText,
                            rows: partner.rows.map { row in
                                RowDocument(
                                    item: row.item, qualifyingVolume: row.qualifyingVolume.plainText, threshold: row.threshold.plainText,
                                    eligible: row.eligible, amount: row.amount.plainText, missedAmount: row.missedAmount.plainText,
                                    reasons: row.reasons,
                                    checks: row.checks.map {
                                        CheckDocument(code: $0.code.rawValue, passed: $0.passed, reason: $0.reason, explanation: $0.explanation)
                                    })
                            })
                    })
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
