/// Which date of a booking line decides whether it falls in a period.
public enum CountingDate: String, Sendable, Hashable {
    case bookedOn = "booked_on"
    case shippedOn = "shipped_on"
}

/// When a VIP subtrack's credentials must be held.
public enum KnowledgeDeadline: String, Sendable, Hashable {
    case periodEnd = "period_end"
    case enrollment
}

/// A minimum volume in program currency, by partner country.
public struct MinimumVolume: Sendable, Hashable {
    public var defaultAmount: Money
    /// Upper-case ISO country code -> minimum.
    public var byCountry: [String: Money]

    public init(defaultAmount: Money = .zero, byCountry: [String: Money] = [:]) {
        self.defaultAmount = defaultAmount
        self.byCountry = byCountry
    }

    /// The minimum for a partner of `country`, else `default`, else 0.
    public func amount(for country: String) -> Money { byCountry[country] ?? defaultAmount }
}

/// A SKU pattern: `*` matches any run of characters, `?` exactly one.
public struct SKUPattern: Sendable, Hashable, CustomStringConvertible {
    public var text: String
    let bytes: [UInt8]

    public init(_ text: String) {
        self.text = text
        self.bytes = Array(text.utf8)
    }

    public var description: String { text }

    /// Whether the whole `sku` matches (byte-wise; `?` matches one byte).
    public func matches(_ sku: some Collection<UInt8>) -> Bool {
        let subject = Array(sku)
        var patternIndex = 0, subjectIndex = 0
        var starIndex = -1, starSubject = 0
        while subjectIndex < subject.count {
            if patternIndex < bytes.count && (bytes[patternIndex] == UInt8(ascii: "?") || bytes[patternIndex] == subject[subjectIndex]) {
                patternIndex += 1
                subjectIndex += 1
            } else if patternIndex < bytes.count && bytes[patternIndex] == UInt8(ascii: "*") {
                starIndex = patternIndex
                starSubject = subjectIndex
                patternIndex += 1
            } else if starIndex >= 0 {
                patternIndex = starIndex + 1
                starSubject += 1
                subjectIndex = starSubject
            } else {
                return false
            }
        }
        while patternIndex < bytes.count && bytes[patternIndex] == UInt8(ascii: "*") { patternIndex += 1 }
        return patternIndex == bytes.count
    }
}

/// A set of products with its rebate rate, inside a VIP track.
public struct Subtrack: Sendable, Hashable {
    public var id: String
    public var name: String
    /// `products`, each with the dates it is in force (formats.md §5.2); undated entries are v1 patterns.
    public var productEntries: [ProductEntry]
    public var requiresAll: [String]
    public var requiresAny: [String]
    public var minimumVolume: MinimumVolume
    /// `rebate_percent` (by partner tier) or `rebate_tiers` (formats.md §5.4).
    public var rate: RebateRate
    public var rebateBase: RebateBase = .all
    public var attachBonus: AttachBonus?
    /// Required with `rebate_base: growth`, and only then.
    public var baseline: Baseline?
    /// The most the subtrack pays one partner per program instance.
    public var cap: Money?

    public init(
        id: String, name: String, rebatePercent: ScaledDecimal, products: [SKUPattern],
        requiresAll: [String] = [], requiresAny: [String] = [], minimumVolume: MinimumVolume = MinimumVolume()
    ) {
        self.init(
            id: id, name: name, rate: .percent(PercentByTier(defaultPercent: rebatePercent)), productEntries: products.map { ProductEntry($0) },
            requiresAll: requiresAll, requiresAny: requiresAny, minimumVolume: minimumVolume)
    }

    public init(
        id: String, name: String, rate: RebateRate, productEntries: [ProductEntry], requiresAll: [String] = [], requiresAny: [String] = [],
        minimumVolume: MinimumVolume = MinimumVolume(), rebateBase: RebateBase = .all, attachBonus: AttachBonus? = nil,
        baseline: Baseline? = nil, cap: Money? = nil
    ) {
        self.id = id
        self.name = name
        self.rate = rate
        self.productEntries = productEntries
        self.requiresAll = requiresAll
        self.requiresAny = requiresAny
        self.minimumVolume = minimumVolume
        self.rebateBase = rebateBase
        self.attachBonus = attachBonus
        self.baseline = baseline
        self.cap = cap
    }

    /// Scale 4. The v1 rate: `rebate_percent`, its `default` when given by tier, the first tier's percent with
    /// `rebate_tiers` (what the subtrack pays from the first cent of base without an attach bonus). Setting it
    /// makes the rate a plain `rebate_percent`.
    public var rebatePercent: ScaledDecimal {
        get {
            switch rate {
            case .percent(let byTier): return byTier.defaultPercent
            case .tiers(let tiers, _): return tiers.first?.percent ?? ScaledDecimal(units: 0, scale: 4)
            }
        }
        set { rate = .percent(PercentByTier(defaultPercent: newValue)) }
    }

    /// The SKU patterns of `productEntries`, without their dates. Setting them makes every entry undated.
    public var products: [SKUPattern] {
        get { productEntries.map(\.pattern) }
        set { productEntries = newValue.map { ProductEntry($0) } }
    }

    /// Whether the amount is made by the v1 formula alone: a plain `rebate_percent` of the whole volume.
    public var paysLikeV1: Bool {
        if case .percent(let byTier) = rate, byTier.byTier.isEmpty, rebateBase == .all, attachBonus == nil, baseline == nil, cap == nil {
            return true
        }
        return false
    }

    /// Whether some product entry has dates.
    public var hasDatedProducts: Bool { productEntries.contains(where: \.isDated) }
}

/// A group of subtracks (e.g. Data Center).
public struct Track: Sendable, Hashable {
    public var id: String
    public var name: String
    public var subtracks: [Subtrack]

    public init(id: String, name: String, subtracks: [Subtrack]) {
        self.id = id
        self.name = name
        self.subtracks = subtracks
    }
}

/// The rules of one VIP instance.
public struct VIPRules: Sendable, Hashable {
    public var eligibleTiers: Set<Tier>
    public var csatRequired: Int
    public var knowledgeDeadline: KnowledgeDeadline
    public var tracks: [Track] { didSet { subtrackPaths = Self.paths(tracks) } }
    /// Every subtrack in document order with its path `track/subtrack`: kept with the tracks, since every
    /// partner page and every explanation asks for it.
    public private(set) var subtrackPaths: [SubtrackPath]
    /// `full_credit_enrollment_until` (formats.md §5.3): an enrolment dated after it counts only the lines from
    /// its `enrolled_on` on. `nil`: every enrolment counts every line of the period (v1).
    public var fullCreditEnrollmentUntil: Day?

    public init(
        eligibleTiers: Set<Tier> = Set(Tier.allCases), csatRequired: Int = 0, knowledgeDeadline: KnowledgeDeadline = .periodEnd, tracks: [Track],
        fullCreditEnrollmentUntil: Day? = nil
    ) {
        self.eligibleTiers = eligibleTiers
        self.csatRequired = csatRequired
        self.knowledgeDeadline = knowledgeDeadline
        self.tracks = tracks
        self.subtrackPaths = Self.paths(tracks)
        self.fullCreditEnrollmentUntil = fullCreditEnrollmentUntil
    }

    /// Whether any rule of formats.md §5.2-5.4 is used: dated product entries, late enrolment, or a rate that is
    /// not a plain `rebate_percent` of the whole volume. Such a program's rows carry how their amount is made
    /// (`ResultRow.rebate`) and the lines those rules left out.
    public var usesV2Rules: Bool {
        fullCreditEnrollmentUntil != nil || tracks.contains { $0.subtracks.contains { !$0.paysLikeV1 || $0.hasDatedProducts } }
    }

    // Equal and hashed by the rules alone: `subtrackPaths` follows from `tracks`.
    public static func == (a: VIPRules, b: VIPRules) -> Bool {
        a.eligibleTiers == b.eligibleTiers && a.csatRequired == b.csatRequired && a.knowledgeDeadline == b.knowledgeDeadline
            && a.tracks == b.tracks && a.fullCreditEnrollmentUntil == b.fullCreditEnrollmentUntil
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(eligibleTiers)
        hasher.combine(csatRequired)
        hasher.combine(knowledgeDeadline)
        hasher.combine(tracks)
        hasher.combine(fullCreditEnrollmentUntil)
    }

    static func paths(_ tracks: [Track]) -> [SubtrackPath] {
        tracks.flatMap { track in track.subtracks.map { SubtrackPath(path: "\(track.id)/\($0.id)", subtrack: $0) } }
    }
}

/// A subtrack with its path `track/subtrack`.
public struct SubtrackPath: Sendable, Hashable {
    public var path: String
    public var subtrack: Subtrack
}

/// Which intended uses count from a date on.
public struct IntendedUseRule: Sendable, Hashable {
    /// `nil`: from the beginning of time.
    public var from: Day?
    /// `nil`: any intended use counts, untagged included.
    public var counts: Set<String>?

    public init(from: Day?, counts: Set<String>?) {
        self.from = from
        self.counts = counts
    }

    public func allows(_ intendedUse: String) -> Bool {
        guard let counts else { return true }
        return counts.contains { $0.isExactly(intendedUse) }
    }
}

/// What one MDF tier earns and needs.
public struct MDFTier: Sendable, Hashable {
    public var tier: Tier
    /// Scale 4.
    public var accrualPercent: ScaledDecimal
    public var minimumVolume: MinimumVolume
    public var requiresStrategicService: Bool

    public init(tier: Tier, accrualPercent: ScaledDecimal, minimumVolume: MinimumVolume = MinimumVolume(), requiresStrategicService: Bool = false) {
        self.tier = tier
        self.accrualPercent = accrualPercent
        self.minimumVolume = minimumVolume
        self.requiresStrategicService = requiresStrategicService
    }
}

/// The rules of one MDF program.
public struct MDFRules: Sendable, Hashable {
    /// Sorted by `from` (rules without `from` first).
    public var intendedUseRules: [IntendedUseRule]
    public var tiers: [Tier: MDFTier]
    /// How many months an approved allocation of funds stays usable (`funds_valid_months`, ledger.md): from the
    /// approval date through the day before the same calendar date that many months later.
    public var fundsValidMonths: Int
    /// How many days after an activity's end its claim may be submitted (`claim_within_days`, ledger.md).
    public var claimWithinDays: Int

    public static let defaultFundsValidMonths = 12
    public static let defaultClaimWithinDays = 28

    public init(
        intendedUseRules: [IntendedUseRule], tiers: [Tier: MDFTier], fundsValidMonths: Int = MDFRules.defaultFundsValidMonths,
        claimWithinDays: Int = MDFRules.defaultClaimWithinDays
    ) {
        self.intendedUseRules = intendedUseRules.sorted { ($0.from?.daysSinceEpoch ?? Int32.min) < ($1.from?.daysSinceEpoch ?? Int32.min) }
        self.tiers = tiers
        self.fundsValidMonths = fundsValidMonths
        self.claimWithinDays = claimWithinDays
    }

    /// The rule with the latest `from` on or before `day`, if any.
    public func rule(on day: Day) -> IntendedUseRule? {
        intendedUseRules.last { ($0.from ?? day) <= day }
    }

    /// The intended uses some rule asks a line to be tagged with (`managed_services` in the Partner Provider
    /// program), sorted by their bytes, each once: what "tagged" means for this program.
    public var tags: [String] {
        var tags: [String] = []
        for rule in intendedUseRules {
            for tag in rule.counts ?? [] where !tags.contains(where: { $0.isExactly(tag) }) { tags.append(tag) }
        }
        return tags.sorted { String.byteOrder($0, $1) }
    }

    /// Whether `intendedUse` is one of `tags`.
    public func isTag(_ intendedUse: String) -> Bool {
        !intendedUse.isEmpty && intendedUseRules.contains { $0.counts?.contains { $0.isExactly(intendedUse) } ?? false }
    }
}

public enum ProgramKind: String, Sendable, Hashable {
    case vip, mdf
}

/// One program instance, loaded from a YAML file.
public struct Program: Sendable, Hashable {
    public enum Rules: Sendable, Hashable {
        case vip(VIPRules)
        case mdf(MDFRules)
    }

    public var id: String
    public var name: String
    /// ISO 4217, upper case.
    public var currency: String
    public var period: DayRange
    /// The fiscal name the period was given by (`FY15-H2`, formats.md §5.1); `nil` for `{start, end}`.
    public var periodName: String?
    public var countBookingsBy: CountingDate
    /// Scale 4.
    public var maxRebatePercent: ScaledDecimal
    public var rules: Rules
    /// The file it was loaded from, for messages.
    public var sourceFile: String
    /// Lines of the `id` and `currency` keys in `sourceFile`, for messages about several programs.
    public var idLine: Int?
    public var currencyLine: Int?

    public init(
        id: String, name: String, currency: String, period: DayRange, countBookingsBy: CountingDate = .bookedOn,
        maxRebatePercent: ScaledDecimal = ScaledDecimal(units: 200_000, scale: 4), rules: Rules, sourceFile: String = ""
    ) {
        self.id = id
        self.name = name
        self.currency = currency
        self.period = period
        self.countBookingsBy = countBookingsBy
        self.maxRebatePercent = maxRebatePercent
        self.rules = rules
        self.sourceFile = sourceFile
    }

    /// `FY15-H2 (2015-01-25 .. 2015-07-25)`, or the dates alone for a period given by dates.
    public var periodLabel: String { period.label(name: periodName) }

    /// Whether the rules of formats.md §5.2-5.4 apply (`VIPRules.usesV2Rules`); never for MDF.
    public var usesV2Rules: Bool {
        if case .vip(let rules) = rules { return rules.usesV2Rules }
        return false
    }

    public var kind: ProgramKind {
        switch rules {
        case .vip: return .vip
        case .mdf: return .mdf
        }
    }
}
