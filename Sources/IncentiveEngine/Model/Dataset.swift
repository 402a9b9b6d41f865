/// Everything of a dataset except the booking lines, indexed by partner.
///
/// Partners are numbered in the order they were added; `partnerIDs` maps an id's bytes to that
/// number without allocating, which the booking pass uses for every line.
public struct Dataset: Sendable {
    public var partners: [Partner] = []
    public var partnerIDs = ByteInterner()
    /// Ids of `partners.csv` rows that were rejected: other files naming them are not reported again.
    public var rejectedPartnerIDs: Set<ExactText> = []
    /// `partners.csv` was missing, lacked a column or had rows that could not be read: ids not found
    /// may well be in it, so other files do not report them as unknown.
    public var partnersIncomplete = false
    /// Where partners come from, for "unknown partner (not in ...)" messages.
    public var partnersSource = "partners.csv"

    /// Whether an id not found among the partners should be reported as unknown.
    public func reportsUnknownPartner(_ id: String) -> Bool {
        !partnersIncomplete && (rejectedPartnerIDs.isEmpty || !rejectedPartnerIDs.contains(ExactText(id)))
    }
    /// Per partner index.
    public var credentials: [[Credential]] = []
    /// Per partner index: the `submitted_on` dates of its CSAT reports, sorted.
    public var csatDates: [[Day]] = []
    /// Per partner index.
    public var services: [[PoweredService]] = []
    public var enrollments: [Enrollment] = []
    /// SKUs of `products.csv`; `nil` when the dataset has no catalogue.
    public var products: ByteInterner?
    /// Per upper-case currency code, sorted by `validFrom`.
    public var fxRates: [String: [FXRate]] = [:]
    /// Per partner index: its `tiers.csv` rows (formats.md §5.5), sorted by `validFrom` once `finish()`ed.
    public var tierChanges: [[TierChange]] = []

    public init() {}

    /// The index of partner `id`, if it exists.
    public func partnerIndex(_ id: String) -> Int? {
        if let found = id.utf8.withContiguousStorageIfAvailable({ partnerIDs.lookup($0) }) { return found.map(Int.init) }
        return partnerIDs.lookup(id).map(Int.init)
    }

    /// Number of CSAT reports of partner `index` submitted within `range`.
    public func csatCount(partner index: Int, in range: DayRange) -> Int {
        csatDates[index].reduce(0) { $0 + (range.contains($1) ? 1 : 0) }
    }

    /// Adds a partner, or replaces the one with the same id; returns its index.
    @discardableResult
    public mutating func add(_ partner: Partner) -> Int {
        let known = partnerIDs.count
        let id = partner.id.utf8.withContiguousStorageIfAvailable({ partnerIDs.intern($0) }) ?? partnerIDs.intern(partner.id)
        if Int(id) < known {
            partners[Int(id)] = partner
            return Int(id)
        }
        partners.append(partner)
        credentials.append([])
        csatDates.append([])
        services.append([])
        tierChanges.append([])
        return partners.count - 1
    }

    /// Adds the rows that belong to a partner (its id must have been added); false when the partner is unknown.
    @discardableResult
    public mutating func add(_ credential: Credential) -> Bool {
        guard let index = partnerIndex(credential.partnerID) else { return false }
        credentials[index].append(credential)
        return true
    }

    @discardableResult
    public mutating func add(_ report: CSATReport) -> Bool {
        guard let index = partnerIndex(report.partnerID) else { return false }
        csatDates[index].append(report.submittedOn)
        return true
    }

    /// `add(_: CSATReport)` with the partner id as UTF-8 bytes, no `String` made (a workspace reads a million reports).
    @discardableResult
    public mutating func addCSAT(partnerID bytes: UnsafeBufferPointer<UInt8>, submittedOn day: Day) -> Bool {
        guard let index = partnerIDs.lookup(bytes) else { return false }
        csatDates[Int(index)].append(day)
        return true
    }

    @discardableResult
    public mutating func add(_ service: PoweredService) -> Bool {
        guard let index = partnerIndex(service.partnerID) else { return false }
        services[index].append(service)
        return true
    }

    /// Adds a row of the partner's tier history; false when the partner is unknown.
    @discardableResult
    public mutating func add(_ change: TierChange) -> Bool {
        guard let index = partnerIndex(change.partnerID) else { return false }
        tierChanges[index].append(change)
        return true
    }

    /// The tier of partner `index` on `day`: that of its `tiers.csv` row with the latest `valid_from` on or before
    /// `day`, else (before its first row, or without rows) that of `partners.csv`.
    @inline(__always)
    public func tier(partner index: Int, on day: Day) -> TierOnDay {
        var found = TierOnDay(tier: partners[index].tier, day: day, validFrom: nil)
        guard index < tierChanges.count else { return found }
        for change in tierChanges[index] where change.validFrom <= day {
            found.tier = change.tier
            found.validFrom = change.validFrom
        }
        return found
    }

    /// Whether partner `index` has rows in `tiers.csv`.
    @inline(__always)
    public func hasTierHistory(partner index: Int) -> Bool { index < tierChanges.count && !tierChanges[index].isEmpty }

    public mutating func add(_ rate: FXRate) {
        fxRates[rate.currency, default: []].append(rate)
    }

    public mutating func add(_ product: Product) {
        if products == nil { products = ByteInterner() }
        _ = products!.intern(product.sku)
    }

    /// Sorts what the rules expect sorted (CSAT dates, fx rates); call once after adding rows.
    public mutating func finish() {
        for index in csatDates.indices { csatDates[index].sort() }
        for key in fxRates.keys { fxRates[key]!.sort { $0.validFrom < $1.validFrom } }
        for index in tierChanges.indices where tierChanges[index].count > 1 { tierChanges[index].sort { $0.validFrom < $1.validFrom } }
    }
}
