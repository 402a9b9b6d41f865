import IncentiveEngine

/// How amounts, dates and check findings are written for the reader. The caller supplies it: the terminal
/// writes `57,500.00`, ISO dates and the engine's English explanations (`plain`); the server's pages write
/// them the local way for each language.
public struct AdviceFormat: Sendable {
    public var money: @Sendable (Money) -> String
    public var date: @Sendable (Day) -> String
    /// What a check found, in the reader's language.
    public var check: @Sendable (Check) -> String
    /// Between the units and the tenths of a share: `.` or `,`.
    public var decimalSeparator: String

    public init(
        money: @escaping @Sendable (Money) -> String, date: @escaping @Sendable (Day) -> String,
        check: @escaping @Sendable (Check) -> String, decimalSeparator: String
    ) {
        self.money = money
        self.date = date
        self.check = check
        self.decimalSeparator = decimalSeparator
    }

    /// The terminal's and the JSON document's: grouped money, ISO dates, the engine's explanations.
    public static let plain = AdviceFormat(
        money: { $0.groupedText }, date: { $0.description }, check: { $0.explanation }, decimalSeparator: ".")

    /// A share given in per mille, as a percent with one decimal: `54.4%`.
    public func share(perMille: Int) -> String { "\(perMille / 10)\(decimalSeparator)\(perMille % 10)%" }
}

/// The words of the advice, one table per language. The terminal table (English) and the partner page
/// (English or Dutch) take the phrases they share from here, and the page its whole summary lines.
public struct AdviceWords: Sendable {
    /// "at this pace": a projection of the volume so far to the period end follows.
    public var atThisPace: String
    public var byThePeriodEnd: String
    /// A date follows.
    public var minimumReachedOn: String
    public var minimumNotReached: String
    public var notEnrolled: String
    public var enrollingWouldBring: String
    /// Before the failing checks.
    public var missing: String
    public var tagged: String
    public var untagged: String
    public var reTag: String
    /// Between alternatives: `a or b`.
    public var or: String
    /// In place of the tags when the program asks for none.
    public var noTagRequired: String

    // Sentences whose word order differs between the languages.

    /// The volume so far against the minimum: `57,500.00 of the 75,000.00 USD minimum`.
    public var standing: @Sendable (_ volume: String, _ minimum: String, _ currency: String) -> String
    /// A subtrack not enrolled in, and what enrolling would bring.
    public var notEnrolledBrings: @Sendable (_ amount: String) -> String
    /// The share of the in-period volume tagged: `54.4% tagged managed services`.
    public var taggedShare: @Sendable (_ share: String, _ tags: String) -> String
    /// The untagged volume and the MDF it cost.
    public var untaggedCost: @Sendable (_ volume: String, _ currency: String, _ lost: String) -> String
    /// How the lines to re-tag are chosen.
    public var heuristic: @Sendable (_ tags: String) -> String

    public static let english: AdviceWords = {
        let notEnrolled = "not enrolled", enrollingWouldBring = "enrolling would bring", tagged = "tagged", untagged = "untagged"
        return AdviceWords(
            atThisPace: "at this pace", byThePeriodEnd: "by the period end", minimumReachedOn: "minimum reached on",
            minimumNotReached: "minimum not reached in the period", notEnrolled: notEnrolled, enrollingWouldBring: enrollingWouldBring,
            missing: "missing", tagged: tagged, untagged: untagged, reTag: "re-tag", or: "or", noTagRequired: "(no tag required)",
            standing: { volume, minimum, currency in "\(volume) of the \(minimum) \(currency) minimum" },
            notEnrolledBrings: { "\(notEnrolled): \(enrollingWouldBring) \($0)" },
            taggedShare: { share, tags in "\(share) \(tagged) \(tags)" },
            untaggedCost: { volume, currency, lost in "\(untagged) \(volume) \(currency) cost \(lost) MDF" },
            heuristic: {
                "an untagged line in the period is a candidate when the same partner \(tagged) \($0) another line with the same SKU or in the same order"
            })
    }()

    public static let dutch: AdviceWords = {
        let notEnrolled = "niet ingeschreven", tagged = "gelabeld", untagged = "niet gelabeld"
        return AdviceWords(
            atThisPace: "in dit tempo", byThePeriodEnd: "aan het eind van de periode", minimumReachedOn: "minimum bereikt op",
            minimumNotReached: "minimum niet bereikt in de periode", notEnrolled: notEnrolled, enrollingWouldBring: "inschrijven zou opleveren",
            missing: "ontbreekt", tagged: tagged, untagged: untagged, reTag: "opnieuw labelen", or: "of", noTagRequired: "(geen label vereist)",
            standing: { volume, minimum, currency in "\(volume) van minimaal \(minimum) \(currency)" },
            notEnrolledBrings: { "\(notEnrolled), inschrijven levert \($0) op" },
            taggedShare: { share, tags in "\(share) \(tagged) als \(tags)" },
            untaggedCost: { volume, currency, lost in "\(untagged) \(volume) \(currency), dat kostte \(lost) MDF" },
            heuristic: {
                "een niet gelabelde regel in de periode komt in aanmerking als dezelfde partner een andere regel met dezelfde SKU of in dezelfde order als \($0) \(tagged) heeft"
            })
    }()

    /// The tags a program asks for: as they are written in the data (`managed_services`), or readable
    /// (`managed services`).
    public func tags(_ tags: [String], readable: Bool = false) -> String {
        guard !tags.isEmpty else { return noTagRequired }
        return tags.map { readable ? String($0.map { $0 == "_" ? " " : $0 }) : $0 }.joined(separator: " \(or) ")
    }
}
