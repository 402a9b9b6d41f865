import Foundation
import HTTPTypes
import Hummingbird
import IncentiveEngine

/// The languages of the pages: English and Dutch, with numbers and dates written the local way
/// (57,500.00 and Jul 25, 2015 in English; 57.500,00 and 25 jul 2015 in Dutch).
enum Language: String, CaseIterable, Sendable {
    case en, nl

    static let cookie = "lang"

    /// `?lang=` first, then the cookie set by the switch, then Accept-Language; English otherwise.
    static func of(_ request: Request) -> Language {
        if let value = request.uri.queryParameters["lang"], let language = Language(rawValue: String(value)) { return language }
        if let value = request.cookies[cookie]?.value, let language = Language(rawValue: value) { return language }
        if let header = request.headers[.acceptLanguage] {
            for part in header.split(separator: ",") {
                let tag = part.split(separator: ";")[0].trimmingCharacters(in: .whitespaces).lowercased()
                if tag.hasPrefix("nl") { return .nl }
                if tag.hasPrefix("en") { return .en }
            }
        }
        return .en
    }

    /// Money with grouping and two decimals, from exact cents.
    func money(_ amount: Money) -> String {
        let plain = amount.plainText  // "-57500.00"
        let negative = plain.hasPrefix("-")
        let digits = negative ? String(plain.dropFirst()) : plain
        let parts = digits.split(separator: ".")
        let whole = String(parts[0]), fraction = parts.count > 1 ? String(parts[1]) : "00"
        var grouped = ""
        for (index, character) in whole.enumerated() {
            if index > 0 && (whole.count - index) % 3 == 0 { grouped.append(self == .nl ? "." : ",") }
            grouped.append(character)
        }
        return (negative ? "-" : "") + grouped + (self == .nl ? "," : ".") + fraction
    }

    func date(_ day: Day) -> String {
        let (year, month, dayOfMonth) = day.components
        switch self {
        case .en:
            let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
            return "\(names[month - 1]) \(dayOfMonth), \(year)"
        case .nl:
            let names = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
            return "\(dayOfMonth) \(names[month - 1]) \(year)"
        }
    }

    /// A percent from its exact decimal text (`12.5` -> `12,5%` in Dutch).
    func percent(_ value: ScaledDecimal) -> String {
        (self == .nl ? value.text.replacingOccurrences(of: ".", with: ",") : value.text) + "%"
    }

    func status(_ status: PartnerStatus) -> String {
        switch (self, status) {
        case (.en, _): return status.rawValue.replacingOccurrences(of: "_", with: " ")
        case (.nl, .eligible): return "komt in aanmerking"
        case (.nl, .partiallyEligible): return "deels in aanmerking"
        case (.nl, .ineligible): return "komt niet in aanmerking"
        case (.nl, .notEnrolled): return "niet ingeschreven"
        case (.nl, .notTakingPart): return "doet niet mee"
        }
    }

    /// The page texts, keyed as the templates use them (`{{t.overview}}`).
    var texts: [String: String] {
        switch self {
        case .en: return Self.english
        case .nl: return Self.dutch
        }
    }

    static let english: [String: String] = [
        "overview": "Overview", "programs": "Programs", "partners": "Partners", "runs": "Runs", "imports": "Imports", "signOut": "Sign out",
        "signIn": "Sign in", "name": "Name", "password": "Password", "wrongLogin": "Wrong name or password.",
        "takingPart": "Taking part", "eligible": "Eligible", "paid": "Paid", "missed": "Missed", "program": "Program", "partner": "Partner",
        "status": "Status", "item": "Item", "volume": "Qualifying volume", "minimum": "Minimum", "amount": "Amount", "checks": "Checks",
        "pass": "pass", "fail": "fail", "noRun": "No run yet.", "latestRun": "Latest run", "period": "Period", "currency": "Currency",
        "tracks": "Tracks and subtracks", "rebate": "Rebate", "products": "Products", "requiresAll": "Requires all", "requiresAny": "Requires one of",
        "thresholds": "Minimum volume by country", "rules": "Intended-use rules", "from": "From", "counts": "Counts", "tiers": "Tiers",
        "accrual": "Accrual", "strategic": "Strategic service needed", "linesCounted": "Lines that counted", "order": "Order", "sku": "SKU",
        "booked": "Booked", "tagged": "Tagged (qualifying)", "untagged": "Untagged", "upload": "Upload", "kind": "Kind", "file": "File",
        "importDone": "Imported", "importRejected": "Nothing was imported; fix these lines and upload again.", "line": "Line",
        "column": "Column", "value": "Value", "problem": "Problem", "compare": "Compare", "added": "added", "changed": "changed",
        "unchanged": "unchanged", "rows": "rows", "started": "Started", "lines": "Booking lines", "version": "Version",
        "asOfNow": "Computed now from the data in the workspace.", "language": "Nederlands", "yes": "yes", "no": "no",
        "enrolled": "Enrolled", "credentials": "Credentials", "noAccess": "Not found.", "advice": "Advice",
    ]

    static let dutch: [String: String] = [
        "overview": "Overzicht", "programs": "Programma's", "partners": "Partners", "runs": "Berekeningen", "imports": "Imports",
        "signOut": "Afmelden", "signIn": "Aanmelden", "name": "Naam", "password": "Wachtwoord", "wrongLogin": "Verkeerde naam of wachtwoord.",
        "takingPart": "Doen mee", "eligible": "Komen in aanmerking", "paid": "Uitbetaald", "missed": "Misgelopen", "program": "Programma",
        "partner": "Partner", "status": "Status", "item": "Onderdeel", "volume": "Kwalificerende omzet", "minimum": "Minimum", "amount": "Bedrag",
        "checks": "Controles", "pass": "voldaan", "fail": "niet voldaan", "noRun": "Nog geen berekening.", "latestRun": "Laatste berekening",
        "period": "Periode", "currency": "Valuta", "tracks": "Tracks en subtracks", "rebate": "Korting", "products": "Producten",
        "requiresAll": "Vereist alle", "requiresAny": "Vereist een van", "thresholds": "Minimale omzet per land",
        "rules": "Regels voor beoogd gebruik",
        "from": "Vanaf", "counts": "Telt", "tiers": "Niveaus", "accrual": "Opbouw", "strategic": "Strategische dienst vereist",
        "linesCounted": "Orderregels die meetelden", "order": "Order", "sku": "SKU", "booked": "Geboekt", "tagged": "Gelabeld (kwalificerend)",
        "untagged": "Niet gelabeld", "upload": "Uploaden", "kind": "Soort", "file": "Bestand", "importDone": "Geïmporteerd",
        "importRejected": "Er is niets geïmporteerd; verbeter deze regels en upload opnieuw.", "line": "Regel", "column": "Kolom",
        "value": "Waarde", "problem": "Probleem", "compare": "Vergelijken", "added": "toegevoegd", "changed": "gewijzigd",
        "unchanged": "ongewijzigd", "rows": "rijen", "started": "Gestart", "lines": "Orderregels", "version": "Versie",
        "asOfNow": "Nu berekend uit de gegevens in de werkruimte.", "language": "English", "yes": "ja", "no": "nee",
        "enrolled": "Ingeschreven", "credentials": "Certificeringen", "noAccess": "Niet gevonden.", "advice": "Advies",
    ]
}
