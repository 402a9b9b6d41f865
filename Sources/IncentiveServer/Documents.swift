import IncentiveEngine
import IncentiveStore

/// The JSON shapes of the API (keys in snake_case; money as decimal strings).

struct PageDocument<Item: Encodable>: Encodable {
    var items: [Item]
    var page: Int
    var perPage: Int
    var total: Int
    enum CodingKeys: String, CodingKey {
        case items, page, total
        case perPage = "per_page"
    }
}

struct ProgramDocument: Encodable {
    struct Version: Encodable {
        var version: Int
        var addedAt: String
        var digest: String
        var fileName: String
        enum CodingKeys: String, CodingKey {
            case version, digest
            case addedAt = "added_at", fileName = "file_name"
        }
    }

    struct SubtrackDocument: Encodable {
        /// A `products` entry with its dates (formats.md §5.2).
        struct EntryDocument: Encodable {
            var sku: String
            var from, until: String?
        }

        /// A step of `rebate_tiers`.
        struct TierStepDocument: Encodable {
            var from, percent: String
        }

        struct BandDocument: Encodable {
            var fromPercent, percent: String
            enum CodingKeys: String, CodingKey {
                case percent
                case fromPercent = "from_percent"
            }
        }

        struct AttachBonusDocument: Encodable {
            var products: [String]
            var bands: [BandDocument]
        }

        struct BaselineDocument: Encodable {
            var period: [String: String]
            var periodName: String?
            enum CodingKeys: String, CodingKey {
                case period
                case periodName = "period_name"
            }
        }

        var path, name, rebatePercent: String
        var products, requiresAll, requiresAny: [String]
        var minimumVolume: [String: String]
        // Rules v2 (formats.md §5.2-5.4): each key only where the subtrack uses the rule, so a v1 program's
        // document is what it was.
        var productEntries: [EntryDocument]?
        var rebatePercentByTier: [String: String]?
        var rebateTiers: [TierStepDocument]?
        var tierMethod: String?
        var rebateBase: String?
        var attachBonus: AttachBonusDocument?
        var baseline: BaselineDocument?
        var cap: String?
        enum CodingKeys: String, CodingKey {
            case path, name, products, baseline, cap
            case rebatePercent = "rebate_percent", requiresAll = "requires_all", requiresAny = "requires_any", minimumVolume = "minimum_volume"
            case productEntries = "product_entries", rebatePercentByTier = "rebate_percent_by_tier", rebateTiers = "rebate_tiers"
            case tierMethod = "tier_method", rebateBase = "rebate_base", attachBonus = "attach_bonus"
        }

        init(path: String, _ subtrack: Subtrack) {
            self.path = path
            name = subtrack.name
            // The v1 rate: `default` of a percent by tier, the first tier's percent with `rebate_tiers`.
            rebatePercent = subtrack.rebatePercent.text
            products = subtrack.products.map(\.text)
            requiresAll = subtrack.requiresAll
            requiresAny = subtrack.requiresAny
            minimumVolume = ProgramDocument.minimum(subtrack.minimumVolume)
            if subtrack.hasDatedProducts {
                productEntries = subtrack.productEntries.map {
                    EntryDocument(sku: $0.pattern.text, from: $0.from?.description, until: $0.until?.description)
                }
            }
            switch subtrack.rate {
            case .percent(let byTier):
                if !byTier.byTier.isEmpty {
                    var map = ["default": byTier.defaultPercent.text]
                    for (tier, percent) in byTier.byTier { map[tier.rawValue] = percent.text }
                    rebatePercentByTier = map
                }
            case .tiers(let tiers, let method):
                rebateTiers = tiers.map { TierStepDocument(from: $0.from.plainText, percent: $0.percent.text) }
                tierMethod = method.rawValue
            }
            if !subtrack.paysLikeV1 { rebateBase = subtrack.rebateBase.rawValue }
            attachBonus = subtrack.attachBonus.map { bonus in
                AttachBonusDocument(
                    products: bonus.products.map(\.text),
                    bands: bonus.bands.map { BandDocument(fromPercent: $0.fromPercent.text, percent: $0.percent.text) })
            }
            baseline = subtrack.baseline.map {
                BaselineDocument(period: ["start": $0.period.start.description, "end": $0.period.end.description], periodName: $0.periodName)
            }
            cap = subtrack.cap?.plainText
        }
    }

    struct TierDocument: Encodable {
        var tier, accrualPercent: String
        var minimumVolume: [String: String]
        var requiresStrategicService: Bool
        enum CodingKeys: String, CodingKey {
            case tier
            case accrualPercent = "accrual_percent", minimumVolume = "minimum_volume", requiresStrategicService = "requires_strategic_service"
        }
    }

    struct RuleDocument: Encodable {
        var from: String?
        var counts: [String]?
    }

    var id, kind, name, currency: String
    var version: Int
    var period: [String: String]
    /// The fiscal name the period was given by (formats.md §5.1); absent for `{start, end}`.
    var periodName: String?
    var countBookingsBy: String
    var eligibleTiers: [String]?
    var csatRequired: Int?
    var knowledgeDeadline: String?
    var fullCreditEnrollmentUntil: String?
    var subtracks: [SubtrackDocument]?
    var intendedUseRules: [RuleDocument]?
    var tiers: [TierDocument]?
    var versions: [Version]?

    enum CodingKeys: String, CodingKey {
        case id, kind, name, currency, version, period, subtracks, tiers, versions
        case countBookingsBy = "count_bookings_by", eligibleTiers = "eligible_tiers", csatRequired = "csat_required"
        case knowledgeDeadline = "knowledge_deadline", intendedUseRules = "intended_use_rules"
        case periodName = "period_name", fullCreditEnrollmentUntil = "full_credit_enrollment_until"
    }

    static func minimum(_ volume: MinimumVolume) -> [String: String] {
        var map = ["default": volume.defaultAmount.plainText]
        for (country, amount) in volume.byCountry { map[country] = amount.plainText }
        return map
    }

    init(version: ProgramVersion, program: Program, detailed: Bool) {
        id = program.id
        kind = program.kind.rawValue
        name = program.name
        currency = program.currency
        self.version = version.version
        period = ["start": program.period.start.description, "end": program.period.end.description]
        periodName = program.periodName
        countBookingsBy = program.countBookingsBy.rawValue
        guard detailed else { return }
        switch program.rules {
        case .vip(let rules):
            eligibleTiers = Tier.allCases.filter(rules.eligibleTiers.contains).map(\.rawValue)
            csatRequired = rules.csatRequired
            knowledgeDeadline = rules.knowledgeDeadline.rawValue
            fullCreditEnrollmentUntil = rules.fullCreditEnrollmentUntil?.description
            subtracks = rules.subtrackPaths.map { SubtrackDocument(path: $0.path, $0.subtrack) }
        case .mdf(let rules):
            intendedUseRules = rules.intendedUseRules.map { RuleDocument(from: $0.from?.description, counts: $0.counts.map { $0.sorted() }) }
            tiers = Tier.allCases.compactMap { tier in
                rules.tiers[tier].map {
                    TierDocument(
                        tier: tier.rawValue, accrualPercent: $0.accrualPercent.text, minimumVolume: Self.minimum($0.minimumVolume),
                        requiresStrategicService: $0.requiresStrategicService)
                }
            }
        }
    }
}

struct PartnerDocument: Encodable {
    var partnerID, name, country, tier: String
    var provider: Bool
    enum CodingKeys: String, CodingKey {
        case name, country, tier, provider
        case partnerID = "partner_id"
    }

    init(_ partner: Partner) {
        partnerID = partner.id
        name = partner.name
        country = partner.country
        tier = partner.tier.rawValue
        provider = partner.provider
    }
}

struct PartnerDetailDocument: Encodable {
    struct CredentialDocument: Encodable {
        var credential, achievedOn: String
        var expiresOn: String?
        enum CodingKeys: String, CodingKey {
            case credential
            case achievedOn = "achieved_on", expiresOn = "expires_on"
        }
    }

    struct ServiceDocument: Encodable {
        var service: String
        var strategic: Bool
        var activeFrom: String
        var activeUntil: String?
        enum CodingKeys: String, CodingKey {
            case service, strategic
            case activeFrom = "active_from", activeUntil = "active_until"
        }
    }

    var partner: PartnerDocument
    var credentials: [CredentialDocument]
    var csatReports: [[String: String]]
    var services: [ServiceDocument]
    var enrollments: [EnrollmentDocument]
    var bookingLines: Int
    enum CodingKeys: String, CodingKey {
        case partner, credentials, services, enrollments
        case csatReports = "csat_reports", bookingLines = "booking_lines"
    }

    init(_ record: PartnerRecord) {
        partner = PartnerDocument(record.partner)
        credentials = record.credentials.map {
            CredentialDocument(credential: $0.credential, achievedOn: $0.achievedOn.description, expiresOn: $0.expiresOn?.description)
        }
        csatReports = record.csatReports.map { ["survey_id": $0.surveyID, "submitted_on": $0.submittedOn.description] }
        services = record.services.map {
            ServiceDocument(
                service: $0.service, strategic: $0.strategic, activeFrom: $0.activeFrom.description, activeUntil: $0.activeUntil?.description)
        }
        enrollments = record.enrollments.map(EnrollmentDocument.init)
        bookingLines = record.bookingLines
    }
}

struct EnrollmentDocument: Encodable {
    var partnerID, program, subtrack, enrolledOn: String
    enum CodingKeys: String, CodingKey {
        case program, subtrack
        case partnerID = "partner_id", enrolledOn = "enrolled_on"
    }

    init(_ enrollment: Enrollment) {
        partnerID = enrollment.partnerID
        program = enrollment.program
        subtrack = enrollment.subtrack
        enrolledOn = enrollment.enrolledOn.description
    }
}

struct CheckDocument: Encodable {
    var code: String
    var passed: Bool
    var reason: String?
    var explanation: String

    init(_ check: Check) {
        code = check.code.rawValue
        passed = check.passed
        reason = check.reason
        explanation = check.explanation
    }
}

struct RowDocument: Encodable {
    var program, kind, partnerID, item, qualifyingVolume, threshold: String
    var eligible: Bool
    var amount, missedAmount: String
    var reasons: [String]
    var checks: [CheckDocument]
    /// A row of a program using the rules of formats.md §5.2-5.4: as in the results JSON (§5.6).
    var rebate: ResultsJSON.RebateDocument?
    var leftOut: ResultsJSON.LeftOutDocument?
    enum CodingKeys: String, CodingKey {
        case program, kind, item, threshold, eligible, amount, reasons, checks, rebate
        case partnerID = "partner_id", qualifyingVolume = "qualifying_volume", missedAmount = "missed_amount", leftOut = "left_out"
    }

    init(_ row: ResultRow) {
        program = row.program
        kind = row.kind.rawValue
        partnerID = row.partnerID
        item = row.item
        qualifyingVolume = row.qualifyingVolume.plainText
        threshold = row.threshold.plainText
        eligible = row.eligible
        amount = row.amount.plainText
        missedAmount = row.missedAmount.plainText
        reasons = row.reasons
        checks = row.checks.map(CheckDocument.init)
        rebate = row.rebate.map { ResultsJSON.RebateDocument($0, qualifying: row.qualifyingVolume) }
        leftOut = row.leftOut.map { ResultsJSON.LeftOutDocument($0, hasAttachBonus: row.rebate?.attach != nil) }
    }
}

struct RunDocument: Encodable {
    struct ProgramVersionDocument: Encodable {
        var id: String
        var version: Int
    }

    var id: Int
    var startedAt, finishedAt, engineVersion, dataDigest, inputsDigest: String
    var bookingLines, partners: Int
    var programs: [ProgramVersionDocument]
    /// Totals over every partner: for admins only.
    var amount, missedAmount: String?
    /// The import the run's data is known at (left out for a run stored before the workspace kept history).
    var knownImport: Int?
    enum CodingKeys: String, CodingKey {
        case id, partners, programs, amount
        case startedAt = "started_at", finishedAt = "finished_at", engineVersion = "engine_version", dataDigest = "data_digest"
        case inputsDigest = "inputs_digest", bookingLines = "booking_lines", missedAmount = "missed_amount", knownImport = "known_import"
    }

    init(_ summary: RunSummary, withTotals: Bool) {
        id = summary.id
        startedAt = summary.startedAt
        finishedAt = summary.finishedAt
        engineVersion = summary.engineVersion
        dataDigest = summary.dataDigest
        inputsDigest = summary.inputsDigest
        bookingLines = summary.bookingLines
        partners = summary.partners
        programs = summary.programs.map { ProgramVersionDocument(id: $0.id, version: $0.version) }
        knownImport = summary.knownImport
        if withTotals {
            amount = summary.amount.plainText
            missedAmount = summary.missedAmount.plainText
        }
    }
}

struct ExplanationDocument: Encodable {
    struct ProgramPart: Encodable {
        var program, name, kind, currency, status, amount, missedAmount: String
        var rows: [RowDocument]
        enum CodingKeys: String, CodingKey {
            case program, name, kind, currency, status, amount, rows
            case missedAmount = "missed_amount"
        }
    }

    var run: Int
    var partnerID: String
    var programs: [ProgramPart]
    enum CodingKeys: String, CodingKey {
        case run, programs
        case partnerID = "partner_id"
    }

    init(run: Int, partnerID: String, result: ComputeResult) {
        self.run = run
        self.partnerID = partnerID
        programs = result.programs.compactMap { programResult in
            guard let partner = programResult.partners.first else { return nil }
            let program = programResult.program
            return ProgramPart(
                program: program.id, name: program.name, kind: program.kind.rawValue, currency: program.currency, status: partner.status.rawValue,
                amount: partner.amount.plainText, missedAmount: partner.missedAmount.plainText, rows: partner.rows.map(RowDocument.init))
        }
    }
}

/// A booking line whose data differs between two runs' inputs (`GET /runs/{id}/changed-lines`).
struct ChangedLineDocument: Encodable {
    /// Values longer than this many characters are cut, with `…` (a page stays small; the command line's
    /// `runs diff --format csv --lines` gives them whole).
    static let valueLimit = 100

    /// Both values always there: null when the field is empty (or the line is not in that run's data).
    typealias Column = RunDiffJSON.ColumnDocument

    struct Import: Encodable {
        var id: Int
        var file: String
        var importedAt: String
        enum CodingKeys: String, CodingKey {
            case id, file
            case importedAt = "imported_at"
        }
    }

    var orderID, line, change, partnerID: String
    var importDocument: Import
    var columns: [Column]
    enum CodingKeys: String, CodingKey {
        case line, change, columns
        case orderID = "order_id", partnerID = "partner_id", importDocument = "import"
    }

    init(_ line: LineChange) {
        func cut(_ text: String) -> String { text.count > Self.valueLimit ? String(text.prefix(Self.valueLimit)) + "…" : text }
        orderID = cut(line.orderID)
        self.line = cut(line.line)
        change = line.kind.rawValue
        partnerID = cut(line.partnerID)
        importDocument = Import(id: line.importID, file: cut(line.importFile), importedAt: line.importedAt)
        columns = line.columns.map { Column(name: $0.name, before: $0.before.map(cut), after: $0.after.map(cut)) }
    }
}
