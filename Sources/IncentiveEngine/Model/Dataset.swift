/// Everything of a dataset except the booking lines, indexed by partner.
///
/// Partners are numbered in file order; `partnerIDs` maps an id's bytes to that number
/// without allocating, which the booking pass uses for every line.
public struct Dataset: Sendable {
    public var partners: [Partner] = []
    public var partnerIDs = ByteInterner()
    /// Ids of `partners.csv` rows that were rejected: other files naming them are not reported again.
    public var rejectedPartnerIDs: Set<ExactText> = []
    /// `partners.csv` was missing, lacked a column or had rows that could not be read: ids not found
    /// may well be in it, so other files do not report them as unknown.
    public var partnersIncomplete = false

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

    public init() {}

    /// The index of partner `id`, if it exists.
    public func partnerIndex(_ id: String) -> Int? { partnerIDs.lookup(id).map(Int.init) }

    /// Number of CSAT reports of partner `index` submitted within `range`.
    public func csatCount(partner index: Int, in range: DayRange) -> Int {
        csatDates[index].reduce(0) { $0 + (range.contains($1) ? 1 : 0) }
    }
}
