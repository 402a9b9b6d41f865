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
    /// The bytes of `stream`, as one text.
    public static func render(_ result: ComputeResult) -> String {
        var bytes: [UInt8] = []
        stream(result) { bytes.append(contentsOf: $0) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The JSON of `result` (`render`) handed to `write` in pieces, in order (`Streamer`).
    public static func stream<Failure: Error>(_ result: ComputeResult, _ write: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Void) throws(Failure) {
        var streamer = Streamer()
        for program in result.programs { try streamer.add(program, write) }
        try streamer.finish(write)
    }

    /// Writes the JSON of a result a program at a time (`add`, then `finish`), so that a caller can read a stored run one
    /// program at a time: neither the whole text (324 MB for 100,000 partners), nor the whole document tree, nor the
    /// results of every program need be in memory.
    ///
    /// Each program is encoded alone in a document with its partners left out; its partners are encoded a block at a
    /// time (on several threads) and put in its `partners` array, each indented to its place. The bytes are those of
    /// encoding the whole document at once (`renderWhole`): JSONEncoder's pretty printing indents a nested object by
    /// its depth only, and writes an empty array as `[`, an empty line, and `]` at the key's indentation.
    public struct Streamer {
        /// Programs added so far; nil when the first did not have the layout above (another Foundation): every program
        /// is then kept in `kept` and the whole document is encoded at once by `finish`.
        var added: Int? = 0
        var kept: [ProgramResult] = []
        static let partnerBlock = 4_096

        public init() {}

        public mutating func add<Failure: Error>(_ program: ProgramResult, _ write: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Void) throws(Failure) {
            guard let count = added else {
                kept.append(program)
                return
            }
            // `{`, the engine version and `"programs" : [`; the program 4 spaces in; `\n  ]\n}`.
            let skeleton = encode(Document(engineVersion: Engine.version, programs: [programDocument(program, partners: false)]))
            let head = Array("\n  \"programs\" : [".utf8), tail = Array("\n  ]\n}".utf8)
            // In the program, its keys stand 6 spaces in and its partners 8: `"partners" : [`, then (none) an empty line and `]`.
            let opening = Array("\n      \"partners\" : [".utf8), emptyEnd = Array("\n\n      ]".utf8)
            guard let headAt = find(head, in: skeleton, from: 0), skeleton.count >= tail.count,
                skeleton[(skeleton.count - tail.count)...].elementsEqual(tail),
                let partnersAt = find(opening + emptyEnd, in: skeleton, from: headAt + head.count)
            else {
                // Only the first program can find another layout: the layout does not depend on the values (a JSON string
                // holds no line break), and programs written already cannot be taken back.
                precondition(count == 0, "JSONEncoder laid out a program unlike the one before it")
                added = nil
                kept.append(program)
                return
            }
            let bodyStart = headAt + head.count, bodyEnd = skeleton.count - tail.count
            let place = partnersAt + opening.count
            var first = count == 0 ? Array(skeleton[..<bodyStart]) : Array(",".utf8)
            first.append(contentsOf: skeleton[bodyStart..<place])
            try first.withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) }
            var rest = place
            let partners = program.partners
            if !partners.isEmpty {
                let blockCount = (partners.count + Self.partnerBlock - 1) / Self.partnerBlock
                let wave = 4
                var next = 0
                while next < blockCount {
                    let start = next
                    let blocks = parallelMap(min(wave, blockCount - next)) { slot in
                        let range = (start + slot) * Self.partnerBlock..<min(partners.count, (start + slot + 1) * Self.partnerBlock)
                        let encoder = makeEncoder()
                        var bytes: [UInt8] = []
                        bytes.reserveCapacity(range.count * 1_024)
                        for index in range {
                            bytes.append(0x0A)
                            bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 8))
                            appendIndented(encode(partnerDocument(partners[index]), with: encoder), by: 8, to: &bytes)
                            if index < partners.count - 1 { bytes.append(UInt8(ascii: ",")) }
                        }
                        return bytes
                    }
                    for block in blocks {
                        try block.withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) }
                    }
                    next += blocks.count
                }
                // The array's end, in place of the skeleton's empty line and end.
                try Array("\n      ]".utf8).withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) }
                rest = place + emptyEnd.count
            }
            try Array(skeleton[rest..<bodyEnd]).withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) }
            added = count + 1
        }

        public func finish<Failure: Error>(_ write: (UnsafeBufferPointer<UInt8>) throws(Failure) -> Void) throws(Failure) {
            switch added {
            case nil, 0:
                // No program (`"programs" : [`, an empty line, `]`), or not the layout above: the whole document at once.
                try Array(renderWhole(ComputeResult(programs: kept)).utf8).withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) }
            default:
                try Array("\n  ]\n}\n".utf8).withUnsafeBufferPointer { bytes throws(Failure) in try write(bytes) }
            }
        }
    }

    /// The whole document encoded at once: what `stream` writes, the way it was written before it streamed.
    static func renderWhole(_ result: ComputeResult) -> String {
        String(decoding: encode(document(result, partners: true)), as: UTF8.self) + "\n"
    }

    static func makeEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    static func encode<Value: Encodable>(_ value: Value, with encoder: JSONEncoder = makeEncoder()) -> [UInt8] {
        Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    /// Appends `json`, every line after its first indented by `spaces` (an empty line stays empty).
    static func appendIndented(_ json: [UInt8], by spaces: Int, to bytes: inout [UInt8]) {
        for (index, byte) in json.enumerated() {
            bytes.append(byte)
            if byte == 0x0A && index + 1 < json.count && json[index + 1] != 0x0A {
                bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: spaces))
            }
        }
    }

    /// Where `pattern` first occurs in `bytes` at or after `from`.
    static func find(_ pattern: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        guard !pattern.isEmpty, bytes.count >= pattern.count, from <= bytes.count - pattern.count else { return nil }
        for start in from...(bytes.count - pattern.count) where bytes[start] == pattern[0] {
            if bytes[start..<(start + pattern.count)].elementsEqual(pattern) { return start }
        }
        return nil
    }

    static func document(_ result: ComputeResult, partners: Bool) -> Document {
        Document(engineVersion: Engine.version, programs: result.programs.map { programDocument($0, partners: partners) })
    }

    static func programDocument(_ programResult: ProgramResult, partners: Bool) -> ProgramDocument {
        let program = programResult.program
        return ProgramDocument(
            id: program.id, kind: program.kind.rawValue, name: program.name, currency: program.currency,
            period: ["start": program.period.start.description, "end": program.period.end.description],
            periodName: program.periodName,
            partnersTakingPart: programResult.partnersTakingPart,
            eligiblePartners: programResult.eligiblePartners,
            amount: programResult.amount.plainText, missedAmount: programResult.missedAmount.plainText,
            partners: partners ? programResult.partners.map(partnerDocument) : [])
    }

    static func partnerDocument(_ partner: PartnerResult) -> PartnerDocument {
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
    }
}
