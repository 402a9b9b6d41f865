/// A partner's level in the vendor's partner program.
public enum Tier: String, Sendable, Hashable, CaseIterable, Comparable {
    case gold, premier, select, registered

    public static func < (lhs: Tier, rhs: Tier) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}

/// A partner company (one row of `partners.csv`).
public struct Partner: Sendable, Hashable {
    public var id: String
    public var name: String
    /// ISO 3166-1 alpha-2, upper case.
    public var country: String
    public var tier: Tier
    /// Member of the Partner Provider (managed services) program.
    public var provider: Bool
    /// Physical line in `partners.csv`.
    public var line: Int

    public init(id: String, name: String, country: String, tier: Tier, provider: Bool, line: Int = 0) {
        self.id = id
        self.name = name
        self.country = country
        self.tier = tier
        self.provider = provider
        self.line = line
    }
}

/// A specialization or certification held by a partner (one row of `credentials.csv`).
public struct Credential: Sendable, Hashable {
    public var partnerID: String
    public var credential: String
    public var achievedOn: Day
    /// Last valid day; `nil` when it does not expire.
    public var expiresOn: Day?

    public init(partnerID: String, credential: String, achievedOn: Day, expiresOn: Day?) {
        self.partnerID = partnerID
        self.credential = credential
        self.achievedOn = achievedOn
        self.expiresOn = expiresOn
    }

    /// Valid on every day from `achievedOn` through `expiresOn`, both included.
    public func isValid(on day: Day) -> Bool {
        achievedOn <= day && (expiresOn.map { day <= $0 } ?? true)
    }
}

/// One customer-satisfaction report (one row of `csat.csv`).
public struct CSATReport: Sendable, Hashable {
    public var partnerID: String
    public var surveyID: String
    public var submittedOn: Day

    public init(partnerID: String, surveyID: String, submittedOn: Day) {
        self.partnerID = partnerID
        self.surveyID = surveyID
        self.submittedOn = submittedOn
    }
}

/// A Cisco Powered Service the partner delivers (one row of `services.csv`).
public struct PoweredService: Sendable, Hashable {
    public var partnerID: String
    public var service: String
    public var strategic: Bool
    public var activeFrom: Day
    /// Last active day; `nil` when open-ended.
    public var activeUntil: Day?

    public init(partnerID: String, service: String, strategic: Bool, activeFrom: Day, activeUntil: Day?) {
        self.partnerID = partnerID
        self.service = service
        self.strategic = strategic
        self.activeFrom = activeFrom
        self.activeUntil = activeUntil
    }

    /// Whether the active span shares at least one day with `range`.
    public func overlaps(_ range: DayRange) -> Bool {
        activeFrom <= range.end && (activeUntil.map { $0 >= range.start } ?? true)
    }
}

/// Enrolment of a partner in one subtrack of one VIP instance (one row of `enrollments.csv`).
public struct Enrollment: Sendable, Hashable {
    public var partnerID: String
    public var program: String
    /// `track-id/subtrack-id`.
    public var subtrack: String
    public var enrolledOn: Day
    public var line: Int

    public init(partnerID: String, program: String, subtrack: String, enrolledOn: Day, line: Int = 0) {
        self.partnerID = partnerID
        self.program = program
        self.subtrack = subtrack
        self.enrolledOn = enrolledOn
        self.line = line
    }
}

/// A catalogue entry (one row of `products.csv`).
public struct Product: Sendable, Hashable {
    public var sku: String
    public var description: String?
    public var family: String?

    public init(sku: String, description: String?, family: String?) {
        self.sku = sku
        self.description = description
        self.family = family
    }
}

/// One fx rate (one row of `fx.csv`): program-currency units per one unit of `currency`.
public struct FXRate: Sendable, Hashable {
    public var currency: String
    public var validFrom: Day
    /// Scale 6.
    public var rate: ScaledDecimal

    public init(currency: String, validFrom: Day, rate: ScaledDecimal) {
        self.currency = currency
        self.validFrom = validFrom
        self.rate = rate
    }
}

/// A change of a partner's tier (one row of `tiers.csv`, formats.md §5.5): `tier` from `validFrom` on.
public struct TierChange: Sendable, Hashable {
    public var partnerID: String
    public var tier: Tier
    public var validFrom: Day

    public init(partnerID: String, tier: Tier, validFrom: Day) {
        self.partnerID = partnerID
        self.tier = tier
        self.validFrom = validFrom
    }
}
