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

    /// A percent (or points) as exact as it is, with this format's decimal separator: `3.5`, `3,5`.
    public func percent(_ value: ScaledDecimal) -> String {
        decimalSeparator == "." ? value.text : String(value.text.map { $0 == "." ? Character(decimalSeparator) : $0 })
    }
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

    // Rules v2 (formats.md §5.3-5.4). Amounts and percents come formatted; `currency` follows each amount.

    /// The next rebate tier: its `from` on the base and percent, whether it applies to the whole base
    /// (retroactive) or the slice above it, the volume still needed and what reaching it adds.
    public var nextTier:
        @Sendable (_ from: String, _ percent: String, _ retroactive: Bool, _ needed: String, _ adds: String, _ currency: String) -> String
    /// The next attach band: its rate and points, the attach volume still needed and what it adds.
    public var nextAttachBand: @Sendable (_ from: String, _ points: String, _ needed: String, _ adds: String, _ currency: String) -> String
    /// The last day to enrol with full credit (`full_credit_enrollment_until`), still ahead.
    public var enrollForFullCredit: @Sendable (_ day: String) -> String
    /// What enrolling on `day`, after the cut-off `until`, leaves out: lines and volume, attach lines and volume
    /// (empty when none), and the rebate they would have carried so far and at the projected volume.
    public var lateEnrollmentForfeit:
        @Sendable (
            _ day: String, _ until: String, _ lines: Int, _ volume: String, _ attachLines: Int, _ attachVolume: String?, _ rebate: String,
            _ rebateAtProjection: String, _ currency: String
        ) -> String
    /// The growth baseline: scaled, its sum in the baseline period, and that period.
    public var growthBaseline: @Sendable (_ baseline: String, _ sum: String, _ period: String, _ currency: String) -> String
    /// Growth still needed over the baseline before any rebate is paid.
    public var growthNeeded: @Sendable (_ needed: String, _ currency: String) -> String
    /// The cap reached: more volume adds nothing (`from`: the volume at which it is reached, when known).
    public var capReached: @Sendable (_ cap: String, _ from: String?, _ currency: String) -> String

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
            },
            nextTier: { from, percent, retroactive, needed, adds, currency in
                "next tier from \(from) \(currency) of base, \(percent)% on \(retroactive ? "the whole base" : "the part above it"): \(needed) \(currency) more volume adds \(adds) \(currency)"
            },
            nextAttachBand: { from, points, needed, adds, currency in
                "attach bonus from \(from)% (+\(points) points): \(needed) \(currency) more attach volume adds \(adds) \(currency)"
            },
            enrollForFullCredit: { "enrol by \($0) for full credit; an enrolment after it counts only lines from the enrolment day on" },
            lateEnrollmentForfeit: { day, until, lines, volume, attachLines, attachVolume, rebate, rebateAtProjection, currency in
                "enrolling on \(day), after the full-credit date \(until), leaves out \(lines) line(s) counted before it, \(volume) \(currency)"
                    + (attachVolume.map { " and \(attachLines) attach line(s), \($0) \(currency)" } ?? "")
                    + ": \(rebate) \(currency) less rebate so far, \(rebateAtProjection) \(currency) less at the projected volume"
            },
            growthBaseline: { baseline, sum, period, currency in
                "growth baseline \(baseline) \(currency) (\(sum) \(currency) in \(period), scaled to the period)"
            },
            growthNeeded: { needed, currency in "\(needed) \(currency) of growth still needed before any rebate" },
            capReached: { cap, from, currency in
                "the cap of \(cap) \(currency) is reached" + (from.map { " from \($0) \(currency) of volume" } ?? "") + ": more volume adds nothing"
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
            },
            nextTier: { from, percent, retroactive, needed, adds, currency in
                "volgende schijf vanaf \(from) \(currency) grondslag, \(percent)% over \(retroactive ? "de hele grondslag" : "het deel daarboven"): \(needed) \(currency) meer volume levert \(adds) \(currency) extra op"
            },
            nextAttachBand: { from, points, needed, adds, currency in
                "attachbonus vanaf \(from)% (+\(points) procentpunt): \(needed) \(currency) meer attachvolume levert \(adds) \(currency) extra op"
            },
            enrollForFullCredit: {
                "schrijf uiterlijk \($0) in voor volledige telling; na die dag tellen alleen regels vanaf de inschrijfdatum"
            },
            lateEnrollmentForfeit: { day, until, lines, volume, attachLines, attachVolume, rebate, rebateAtProjection, currency in
                "inschrijven op \(day), na de datum voor volledige telling \(until), laat \(lines) eerder getelde regel(s) weg, \(volume) \(currency)"
                    + (attachVolume.map { " en \(attachLines) attachregel(s), \($0) \(currency)" } ?? "")
                    + ": \(rebate) \(currency) minder rebate tot nu toe, \(rebateAtProjection) \(currency) minder bij het verwachte volume"
            },
            growthBaseline: { baseline, sum, period, currency in
                "groeibasis \(baseline) \(currency) (\(sum) \(currency) in \(period), herschaald naar de periode)"
            },
            growthNeeded: { needed, currency in "nog \(needed) \(currency) groei nodig voordat er rebate is" },
            capReached: { cap, from, currency in
                "het plafond van \(cap) \(currency) is bereikt" + (from.map { " vanaf \($0) \(currency) volume" } ?? "")
                    + ": meer volume levert niets extra op"
            })
    }()

    /// The tags a program asks for: as they are written in the data (`managed_services`), or readable
    /// (`managed services`).
    public func tags(_ tags: [String], readable: Bool = false) -> String {
        guard !tags.isEmpty else { return noTagRequired }
        return tags.map { readable ? String($0.map { $0 == "_" ? " " : $0 }) : $0 }.joined(separator: " \(or) ")
    }
}

/// The words of the deadline calendar (docs/advice.md, "Dated actions"), one table per language: a line per dated
/// step, and the sentence that replaces the engine's "expired <day>" for a credential that is still valid today but
/// not on the day its check looks at.
public struct CalendarWords: Sendable {
    public var heading: String
    /// One step: its day, what to do and for what, what it costs and what is at stake. Money and dates come formatted
    /// by `format`; `currency` follows each amount.
    public var line: @Sendable (_ action: DatedAction, _ format: AdviceFormat, _ currency: String) -> String
    /// A held credential `id` whose last valid day `expiry` falls before `deadline`, the day its check looks at.
    public var renewBeforeExpiry: @Sendable (_ id: String, _ expiry: String, _ deadline: String) -> String

    public static let english = CalendarWords(
        heading: "Deadline calendar",
        line: { action, format, currency in
            let targets = action.targets.map(\.text).joined(separator: ", ")
            let stake =
                (action.rebateSoFar.map { "pays \(format.money($0)) \(currency) on the volume so far, " } ?? "")
                + "\(format.money(action.atStake)) \(currency) at stake"
            let cost = action.cost.map { ", costs \(format.money($0)) \(currency)" } ?? ""
            let until = action.until.map(format.date) ?? ""
            let credential = action.credential ?? ""
            let date = format.date(action.date)
            switch action.kind {
            case .enrollBy: return "by \(date): enrol in \(targets) (\(stake))"
            case .enrollOnOrAfter:
                return
                    "on or after \(date), by \(until): enrol in \(targets), not earlier: the credentials are tested on the enrolment day (\(stake))"
            case .reEnrollOnOrAfter:
                return
                    "on or after \(date), by \(until): re-enrol in \(targets) (unenrol and enrol again: the credentials are tested on the new enrolment day) (\(stake))"
            case .acquire:
                return "\(date): \(credential) ready if started now, needed by \(until)\(cost); for \(targets) (\(stake))"
            case .renewBefore:
                return "before \(date): renew \(credential), valid until \(date) but needed on \(until)\(cost); for \(targets) (\(stake))"
            case .renew: return "\(date): \(credential) renewed if started now (it has lapsed), needed by \(until)\(cost); for \(targets) (\(stake))"
            case .submitCSATBy:
                return "by \(date): submit \(action.count ?? 0) more CSAT report(s) for \(targets) (\(stake))"
            case .tagBy:
                return
                    "by \(date): tag the \(action.count ?? 0) line(s) to re-tag in \(targets) (\(format.money(action.atStake)) \(currency) MDF at stake)"
            }
        },
        renewBeforeExpiry: { id, expiry, deadline in
            "\(id) is valid until \(expiry), not on \(deadline), the day its check looks at: renew before \(expiry)"
        })

    public static let dutch = CalendarWords(
        heading: "Agenda",
        line: { action, format, currency in
            let targets = action.targets.map(\.text).joined(separator: ", ")
            let stake =
                (action.rebateSoFar.map { "levert \(format.money($0)) \(currency) op over het volume tot nu toe, " } ?? "")
                + "\(format.money(action.atStake)) \(currency) op het spel"
            let cost = action.cost.map { ", kost \(format.money($0)) \(currency)" } ?? ""
            let until = action.until.map(format.date) ?? ""
            let credential = action.credential ?? ""
            let date = format.date(action.date)
            switch action.kind {
            case .enrollBy: return "uiterlijk \(date): inschrijven in \(targets) (\(stake))"
            case .enrollOnOrAfter:
                return
                    "op of na \(date), uiterlijk \(until): inschrijven in \(targets), niet eerder: de certificeringen worden getoetst op de inschrijfdatum (\(stake))"
            case .reEnrollOnOrAfter:
                return
                    "op of na \(date), uiterlijk \(until): opnieuw inschrijven in \(targets) (uitschrijven en weer inschrijven: de certificeringen worden getoetst op de nieuwe inschrijfdatum) (\(stake))"
            case .acquire:
                return "\(date): \(credential) klaar als u nu begint, nodig uiterlijk \(until)\(cost); voor \(targets) (\(stake))"
            case .renewBefore:
                return "vóór \(date): \(credential) verlengen, geldig tot \(date) maar nodig op \(until)\(cost); voor \(targets) (\(stake))"
            case .renew:
                return "\(date): \(credential) verlengd als u nu begint (verlopen), nodig uiterlijk \(until)\(cost); voor \(targets) (\(stake))"
            case .submitCSATBy:
                return "uiterlijk \(date): nog \(action.count ?? 0) CSAT-rapport(en) indienen voor \(targets) (\(stake))"
            case .tagBy:
                return
                    "uiterlijk \(date): de \(action.count ?? 0) opnieuw te labelen regel(s) in \(targets) labelen (\(format.money(action.atStake)) \(currency) MDF op het spel)"
            }
        },
        renewBeforeExpiry: { id, expiry, deadline in
            "\(id) is geldig tot \(expiry), niet op \(deadline), de dag waarop getoetst wordt: verleng vóór \(expiry)"
        })
}
