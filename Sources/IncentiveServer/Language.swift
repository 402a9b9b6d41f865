import Foundation
import HTTPTypes
import Hummingbird
import IncentiveEngine
import IncentiveStore

/// The languages of the pages: English and Dutch, with numbers and dates written the local way
/// (57,500.00 and Jul 25, 2015 in English; 57.500,00 and 25 jul 2015 in Dutch).
enum Language: String, CaseIterable, Sendable {
    case en, nl

    static let cookie = "lang"

    /// `?lang=` first, then the cookie set by the switch, then Accept-Language; English otherwise.
    static func of(_ request: Request) -> Language {
        if let value = request.uri.queryParameters["lang"], let language = Language(rawValue: String(value)) { return language }
        if let value = request.cookie(cookie), let language = Language(rawValue: String(value)) { return language }
        if let header = request.headers[.acceptLanguage] {
            for part in header.split(separator: ",") {
                // `;q=0.5` alone (no tag) splits into nothing before the `;`.
                let tag = part.prefix { $0 != ";" }.trimmingCharacters(in: .whitespaces).lowercased()
                if tag.hasPrefix("nl") { return .nl }
                if tag.hasPrefix("en") { return .en }
            }
        }
        return .en
    }

    /// Money with grouping and two decimals, from exact cents.
    func money(_ amount: Money) -> String {
        let grouped = amount.groupedText  // "-57,500.00", the engine's grouping
        guard self == .nl else { return grouped }
        return String(
            decoding: grouped.utf8.map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ".") : $0 == UInt8(ascii: ".") ? UInt8(ascii: ",") : $0 },
            as: UTF8.self)
    }

    func date(_ day: Day) -> String {
        let (year, month, dayOfMonth) = day.components
        switch self {
        case .en: return "\(Self.englishMonths[month - 1]) \(dayOfMonth), \(year)"
        case .nl: return "\(dayOfMonth) \(Self.dutchMonths[month - 1]) \(year)"
        }
    }

    static let englishMonths = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let dutchMonths = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]

    /// A percent from its exact decimal text (`12.5` -> `12,5%` in Dutch).
    func percent(_ value: ScaledDecimal) -> String {
        (self == .nl ? value.text.replacingOccurrences(of: ".", with: ",") : value.text) + "%"
    }

    func status(_ status: PartnerStatus) -> String {
        switch (self, status) {
        case (.en, .eligible): return "eligible"
        case (.en, .partiallyEligible): return "partially eligible"
        case (.en, .ineligible): return "ineligible"
        case (.en, .notEnrolled): return "not enrolled"
        case (.en, .notTakingPart): return "not taking part"
        case (.nl, .eligible): return "komt in aanmerking"
        case (.nl, .partiallyEligible): return "deels in aanmerking"
        case (.nl, .ineligible): return "komt niet in aanmerking"
        case (.nl, .notEnrolled): return "niet ingeschreven"
        case (.nl, .notTakingPart): return "doet niet mee"
        }
    }

    /// A stored timestamp (ISO 8601 in UTC, `2026-11-23T07:17:00.123Z`) to the minute, written the local
    /// way: `Nov 23, 2026 07:17 UTC`, `23 nov 2026 07:17 UTC`. Text that is not such a timestamp is shown as is.
    func timestamp(_ iso: String) -> String {
        let bytes = Array(iso.utf8)
        func digits(_ range: ClosedRange<Int>) -> Bool { bytes[range].allSatisfy { $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") } }
        guard bytes.count >= 16, bytes[10] == UInt8(ascii: "T"), bytes[13] == UInt8(ascii: ":"),
            let day = Day(iso: String(decoding: bytes[0..<10], as: UTF8.self)), digits(11...12), digits(14...15)
        else { return iso }
        return "\(date(day)) \(String(decoding: bytes[11..<16], as: UTF8.self)) UTC"
    }

    /// A date range, both ends included: `Jan 25, 2015 – Jul 25, 2015`.
    func range(_ period: DayRange) -> String { "\(date(period.start)) – \(date(period.end))" }

    /// A program's period with its fiscal name when it was given one (formats.md §5.1):
    /// `FY18-H1 (Jul 30, 2017 – Jan 27, 2018)`; the dates alone (`range`) otherwise.
    func period(_ period: DayRange, name: String?) -> String {
        name.map { "\($0) (\(range(period)))" } ?? range(period)
    }

    /// The dates a product entry is in force (formats.md §5.2, both ends included): `until Oct 31, 2017`,
    /// `from Nov 1, 2017`, `from Nov 1, 2017 until Jan 27, 2018`; `t/m 31 okt 2017` and so on in Dutch.
    /// Nil for an entry in force on every date.
    func dates(from: Day?, until: Day?) -> String? {
        switch (from, until, self) {
        case (nil, nil, _): nil
        case (let from?, nil, .en): "from \(date(from))"
        case (let from?, nil, .nl): "vanaf \(date(from))"
        case (nil, let until?, .en): "until \(date(until))"
        case (nil, let until?, .nl): "t/m \(date(until))"
        case (let from?, let until?, .en): "from \(date(from)) until \(date(until))"
        case (let from?, let until?, .nl): "van \(date(from)) t/m \(date(until))"
        }
    }

    /// An exact decimal without a percent sign (`1.5`, `1,5` in Dutch).
    func decimal(_ value: ScaledDecimal) -> String {
        self == .nl ? value.text.replacingOccurrences(of: ".", with: ",") : value.text
    }

    /// What a check found, in this language, worded from its facts. English is the engine's own
    /// explanation; a check read back from a run stored before runs kept facts (`v21-check-facts`) has only those
    /// (English) words.
    func check(_ check: Check) -> String {
        guard self == .nl else { return check.explanation }
        switch check.facts {
        case .text(let text): return text
        case .tier(let tier, let eligibleTiers):
            let allowed = eligibleTiers.sorted().map(\.rawValue).joined(separator: ", ")
            return eligibleTiers.contains(tier)
                ? "niveau \(tier.rawValue) komt in aanmerking (niveaus die in aanmerking komen: \(allowed))"
                : "niveau \(tier.rawValue) komt niet in aanmerking (niveaus die in aanmerking komen: \(allowed))"
        case .csat(let found, let required, let period):
            if required == 0 { return "geen CSAT-rapporten vereist (\(found) ingediend in de periode)" }
            if found >= required { return "\(found) CSAT-rapporten ingediend \(span(period)), \(required) vereist" }
            return "slechts \(found) van \(required) CSAT-rapporten ingediend \(span(period)): nog \(required - found) nodig"
        case .noCredentialsRequired: return "geen certificeringen vereist"
        case .credential(let id, let held, let deadline, let rule):
            let when = deadlineText(deadline, rule: rule)
            return Check.Facts.holds(id, in: held, on: deadline)
                ? "heeft \(id) \(when)" : "vereist \(id) \(when): \(credentialStanding(id, held: held, deadline: deadline))"
        case .anyCredential(let ids, let held, let deadline, let rule):
            let when = deadlineText(deadline, rule: rule)
            let valid = ids.filter { Check.Facts.holds($0, in: held, on: deadline) }
            return !valid.isEmpty
                ? "heeft \(valid.joined(separator: " en ")) \(when) (vereist: \(ids.joined(separator: " of ")))"
                : "vereist \(ids.joined(separator: " of ")) \(when): \(ids.map { credentialStanding($0, held: held, deadline: deadline) }.joined(separator: "; "))"
        case .volume(let volume, let minimum, let country, let currency, let byCountry):
            let which = byCountry ? "minimale omzet \(country)" : "minimale omzet"
            let stated = "\(which) \(money(minimum)) \(currency), kwalificerend \(money(volume)) \(currency)"
            if volume >= minimum { return stated + ": gehaald" }
            let (short, overflow) = minimum.cents.subtractingReportingOverflow(volume.cents)
            return overflow ? stated + ": niet gehaald" : stated + ", tekort \(money(Money(cents: short)))"
        case .strategicService(let services, let period, let tier):
            let strategic = services.filter { $0.strategic && $0.overlaps(period) }
            return !strategic.isEmpty
                ? "levert strategische Cisco Powered Service \(strategic.map(\.service).joined(separator: ", ")) in de periode"
                : "\(tier.rawValue)-providers moeten \(span(period)) ten minste één strategische Cisco Powered Service leveren; geen gevonden"
        }
    }

    /// A period in a Dutch sentence: `van 26 apr 2015 t/m 25 jul 2015`.
    private func span(_ period: DayRange) -> String { "van \(date(period.start)) t/m \(date(period.end))" }

    /// The day a credential must be valid on, in Dutch.
    private func deadlineText(_ deadline: Day, rule: KnowledgeDeadline) -> String {
        rule == .enrollment ? "op de inschrijfdatum \(date(deadline))" : "aan het eind van de periode, \(date(deadline))"
    }

    /// What the partner holds of credential `id`, record by record, in Dutch.
    private func credentialStanding(_ id: String, held: [Credential], deadline: Day) -> String {
        let records = Check.Facts.records(of: id, in: held, on: deadline)
        if records.isEmpty { return "\(id) niet in bezit" }
        return records.map { record in
            switch record {
            case .valid: return "\(id) geldig"
            case .achievedAfterDeadline(let day): return "\(id) behaald op \(date(day)), na de uiterste datum"
            case .expired(let day): return "\(id) verlopen op \(date(day))"
            }
        }.joined(separator: "; ")
    }

    /// The language the switch in a page's header leads to.
    var other: Language { self == .en ? .nl : .en }

    /// A text of the pages in this language.
    func text(_ key: PageText) -> String { self == .en ? key.words.en : key.words.nl }

    /// The page texts, keyed as the templates use them (`{{t.overview}}`).
    var texts: [String: String] { self == .en ? Self.english : Self.dutch }

    static let english = Dictionary(uniqueKeysWithValues: PageText.allCases.map { ($0.rawValue, $0.words.en) })
    static let dutch = Dictionary(uniqueKeysWithValues: PageText.allCases.map { ($0.rawValue, $0.words.nl) })

    /// Which date of a booking line a program counts it by.
    func counting(_ date: CountingDate) -> String {
        switch date {
        case .bookedOn: text(.countByBookedOn)
        case .shippedOn: text(.countByShippedOn)
        }
    }

    /// The day credentials must be valid on.
    func deadline(_ rule: KnowledgeDeadline) -> String {
        switch rule {
        case .periodEnd: text(.deadlinePeriodEnd)
        case .enrollment: text(.deadlineEnrollment)
        }
    }

    func status(_ status: User.Status) -> String {
        switch status {
        case .active: text(.userStatusActive)
        case .disabled: text(.userStatusDisabled)
        case .deleted: text(.userStatusDeleted)
        }
    }

    func status(_ status: TokenRecord.Status) -> String {
        switch status {
        case .active: text(.tokenStatusActive)
        case .expired: text(.tokenStatusExpired)
        case .revoked: text(.tokenStatusRevoked)
        }
    }

    /// A stored timestamp as `timestamp` writes it; `—` for none.
    func moment(_ timestamp: String?) -> String { timestamp.map(self.timestamp) ?? "—" }
}

extension Request {
    /// The value of the first cookie named `name` in the request's `Cookie` headers, as `cookies[name]?.value` finds
    /// it (`name=value` pairs split at `;`, leading white space dropped, the value everything after the first `=`,
    /// none when empty), without parsing every cookie into a `Cookie`: two are looked up on every page. The bytes
    /// are compared as they are (ASCII, as cookie names are); a header with other bytes is read as Hummingbird reads
    /// it, by characters.
    func cookie(_ name: String) -> Substring? {
        for field in headers where field.name == .cookie {
            let text = field.value
            guard text.utf8.allSatisfy({ $0 < 0x80 }) else {
                for pair in text.split(separator: ";", omittingEmptySubsequences: false) {
                    let pair = pair.drop { $0.isWhitespace }
                    guard let equals = pair.firstIndex(of: "="), pair[..<equals] == name else { continue }
                    let value = pair[pair.index(after: equals)...]
                    return value.isEmpty ? nil : value
                }
                continue
            }
            let bytes = text.utf8
            var start = bytes.startIndex
            while start < bytes.endIndex {
                let end = bytes[start...].firstIndex(of: UInt8(ascii: ";")) ?? bytes.endIndex
                // ASCII white space, as `Character.isWhitespace` has it: tab, line feed, vertical tab, form feed,
                // carriage return and space.
                let pair = bytes[start..<end].drop { $0 == 0x20 || (0x09...0x0D).contains($0) }
                if let equals = pair.firstIndex(of: UInt8(ascii: "=")), pair[..<equals].elementsEqual(name.utf8) {
                    let value = text[bytes.index(after: equals)..<end]
                    return value.isEmpty ? nil : value
                }
                start = end == bytes.endIndex ? end : bytes.index(after: end)
            }
        }
        return nil
    }
}
