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
        /// The fiscal name of the period (formats.md §5.1); absent for a period given by dates.
        var periodName: String?
        var partnersTakingPart: Int
        var eligiblePartners: Int
        var amount, missedAmount: String
        var partners: [PartnerDocument]
        enum CodingKeys: String, CodingKey {
            case id, kind, name, currency, period, amount, partners
            case periodName = "period_name"
            case partnersTakingPart = "partners_taking_part", eligiblePartners = "eligible_partners", missedAmount = "missed_amount"
        }
    }

    struct PartnerDocument: Encodable {
        var partnerID, status, amount, missedAmount: String
        var rows: [RowDocument]
        /// The tier the program used and the day it was taken on, for a partner with rows in `tiers.csv`.
        var tier: TierDocument?
        enum CodingKeys: String, CodingKey {
            case partnerID = "partner_id", status, amount, rows, tier
            case missedAmount = "missed_amount"
        }
    }

    struct RowDocument: Encodable {
        var item, qualifyingVolume, threshold: String
        var eligible: Bool
        var amount, missedAmount: String
        var reasons: [String]
        var checks: [CheckDocument]
        /// Rows of a program using the rules of formats.md §5.2-5.4 (§5.6).
        var rebate: RebateDocument?
        var leftOut: LeftOutDocument?
        enum CodingKeys: String, CodingKey {
            case item, threshold, eligible, amount, reasons, checks, rebate
            case qualifyingVolume = "qualifying_volume", missedAmount = "missed_amount", leftOut = "left_out"
        }
    }

    struct TierDocument: Encodable {
        var tier, on, source: String
        var validFrom: String?
        enum CodingKeys: String, CodingKey {
            case tier, on, source
            case validFrom = "valid_from"
        }

        init(_ tier: TierOnDay) {
            self.tier = tier.tier.rawValue
            on = tier.day.description
            source = tier.validFrom == nil ? "partners.csv" : "tiers.csv"
            validFrom = tier.validFrom?.description
        }
    }

    /// How the amount (or the missed amount) is made: `RebateComputation`.
    /// A row's `rebate` (formats.md §5.6), also in the server's documents.
    public struct RebateDocument: Encodable, Sendable {
        struct Slice: Encodable {
            var from, amount, percent, bonus, totalPercent: String
            enum CodingKeys: String, CodingKey {
                case from, amount, percent, bonus
                case totalPercent = "total_percent"
            }
        }
        struct Attach: Encodable {
            var volume, bonus: String
            var ratePercent: String?
            var bandFromPercent: String?
            enum CodingKeys: String, CodingKey {
                case volume, bonus
                case ratePercent = "rate_percent", bandFromPercent = "band_from_percent"
            }
        }
        struct Baseline: Encodable {
            var period: [String: String]
            var periodName: String?
            var sum, amount: String
            var baselineDays, programDays: Int
            enum CodingKeys: String, CodingKey {
                case period, sum, amount
                case periodName = "period_name", baselineDays = "baseline_days", programDays = "program_days"
            }
        }
        var rebateBase, base, amount: String
        var tierMethod, percentTier: String?
        var slices: [Slice]
        var attach: Attach?
        var baseline: Baseline?
        /// Only when the cap bound: the cap and the amount before it.
        var cap, uncapped: String?
        enum CodingKeys: String, CodingKey {
            case base, amount, slices, attach, baseline, cap, uncapped
            case rebateBase = "rebate_base", tierMethod = "tier_method", percentTier = "percent_tier"
        }

        public init(_ rebate: RebateComputation, qualifying: Money) {
            let bonus = rebate.attach?.bonus ?? ScaledDecimal(units: 0, scale: 4)
            rebateBase = rebate.rebateBase.rawValue
            base = rebate.base.plainText
            amount = rebate.amount.plainText
            tierMethod = rebate.tierMethod?.rawValue
            percentTier = rebate.percentTier?.rawValue
            slices = rebate.slices.map {
                Slice(
                    from: $0.from.plainText, amount: $0.amount.plainText, percent: $0.percent.text, bonus: bonus.text,
                    totalPercent: $0.totalPercent.text)
            }
            attach = rebate.attach.map {
                Attach(
                    volume: $0.volume.plainText, bonus: $0.bonus.text, ratePercent: $0.rate(qualifying: qualifying)?.text,
                    bandFromPercent: $0.band?.fromPercent.text)
            }
            baseline = rebate.baseline.map {
                Baseline(
                    period: ["start": $0.period.start.description, "end": $0.period.end.description], periodName: $0.periodName,
                    sum: $0.sum.plainText,
                    amount: $0.amount.plainText, baselineDays: $0.baselineDays, programDays: $0.programDays)
            }
            if rebate.capBound {
                cap = rebate.cap?.plainText
                uncapped = rebate.uncapped.plainText
            }
        }
    }

    /// `LeftOutLines`.
    public struct LeftOutDocument: Encodable, Sendable {
        var enrolledLateOn: String?
        var beforeEnrollmentLines: Int
        var beforeEnrollmentVolume: String
        var outsideProductDatesLines: Int
        var outsideProductDatesVolume: String
        /// Only with an attach bonus and a late enrolment.
        var attachBeforeEnrollmentLines: Int?
        var attachBeforeEnrollmentVolume: String?
        enum CodingKeys: String, CodingKey {
            case enrolledLateOn = "enrolled_late_on", beforeEnrollmentLines = "before_enrollment_lines"
            case beforeEnrollmentVolume = "before_enrollment_volume", outsideProductDatesLines = "outside_product_dates_lines"
            case outsideProductDatesVolume = "outside_product_dates_volume"
            case attachBeforeEnrollmentLines = "attach_before_enrollment_lines", attachBeforeEnrollmentVolume = "attach_before_enrollment_volume"
        }

        public init(_ lines: LeftOutLines, hasAttachBonus: Bool) {
            enrolledLateOn = lines.enrolledLateOn?.description
            beforeEnrollmentLines = lines.beforeEnrollmentLines
            beforeEnrollmentVolume = lines.beforeEnrollmentVolume.plainText
            outsideProductDatesLines = lines.outsideProductDatesLines
            outsideProductDatesVolume = lines.outsideProductDatesVolume.plainText
            if lines.enrolledLateOn != nil && hasAttachBonus {
                attachBeforeEnrollmentLines = lines.attachBeforeEnrollmentLines
                attachBeforeEnrollmentVolume = lines.attachBeforeEnrollmentVolume.plainText
            }
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
                    periodName: program.periodName,
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
                                    },
                                    rebate: row.rebate.map { RebateDocument($0, qualifying: row.qualifyingVolume) },
                                    leftOut: row.leftOut.map { LeftOutDocument($0, hasAttachBonus: row.rebate?.attach != nil) })
                            },
                            tier: partner.tier.map(TierDocument.init))
                    })
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(document)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
