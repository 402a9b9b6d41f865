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

    /// A stored timestamp (ISO 8601 in UTC, `2026-11-23T07:17:00.123Z`) to the minute, written the local
    /// way: `Nov 23, 2026 07:17 UTC`, `23 nov 2026 07:17 UTC`. Text that is not such a timestamp is shown as is.
    func timestamp(_ iso: String) -> String {
        let characters = Array(iso)
        guard characters.count >= 16, characters[10] == "T", characters[13] == ":",
            let day = Day(iso: String(characters[0..<10])),
            characters[11...12].allSatisfy(\.isASCII) && characters[11...12].allSatisfy(\.isNumber),
            characters[14...15].allSatisfy(\.isASCII) && characters[14...15].allSatisfy(\.isNumber)
        else { return iso }
        return "\(date(day)) \(String(characters[11..<16])) UTC"
    }

    /// A date range, both ends included: `Jan 25, 2015 – Jul 25, 2015`.
    func range(_ period: DayRange) -> String { "\(date(period.start)) – \(date(period.end))" }

    /// What a check found, in this language, worded from its facts. English is the engine's own
    /// explanation; a check read back from a stored run has only those (English) words.
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
        // What a figure is: a projection from the data as it stands, or what a stored run paid.
        "projection":
            "Projection: computed now from the data as it stands. These amounts would be paid on the data as it stands; only a stored run pays.",
        "wouldBePaid": "Would be paid", "wouldBeMissed": "would be missed", "storedRun": "Stored run", "notInRun": "Not part of stored run",
        "noStoredRun": "No run is stored yet: nothing has been paid.", "moreProblems": "more problems not shown",
        "eligibleTiers": "Eligible tiers", "csatRequired": "CSAT reports required", "credentialsValid": "Credentials must be valid",
        "deadline_period_end": "at the period end", "deadline_enrollment": "on the enrolment date", "countBy_booked_on": "counted by booking date",
        "countBy_shipped_on": "counted by shipping date", "any": "any", "defaultCountry": "default",
        "volumeAgainstMinimum": "qualifying volume against the minimum",
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
        // Accounts
        "users": "Users", "created": "Created", "expires": "Expires", "tokens": "API tokens", "tokenID": "Token id",
        "noTokens": "No API tokens.",
        "usersHelp":
            "Changes take effect at once: a disabled or deleted user's sessions end and its tokens are refused from the next request on. "
            + "Users and tokens are added with the incentives command.",
        "user.active": "active", "user.disabled": "disabled", "user.deleted": "deleted",
        "token.active": "valid", "token.expired": "expired", "token.revoked": "revoked",
        "newPassword": "New password", "repeatPassword": "Repeat it", "setPassword": "Set password", "disable": "Disable", "enable": "Enable",
        "delete": "Delete", "confirmDelete": "Type the name to delete for good", "revoke": "Revoke",
        "userDisabled": "{name} is disabled: their sessions have ended and their tokens are refused.",
        "userAlreadyDisabled": "{name} was already disabled.", "userEnabled": "{name} can sign in again.",
        "userAlreadyEnabled": "{name} was not disabled.",
        "userDeleted": "{name} is deleted: their sessions have ended and their tokens are revoked; the name stays taken.",
        "userAlreadyDeleted": "{name} was already deleted.", "passwordSet": "New password set for {name}; their sessions have ended.",
        "tokenRevoked": "Token {id} of {name} is revoked.", "tokenAlreadyRevoked": "Token {id} of {name} was already revoked.",
        "notYourself": "You cannot disable or delete your own account.",
        "confirmDeleteMismatch": "Nothing was deleted: type the name {name} exactly to confirm.",
        "passwordsDiffer": "The two passwords differ; nothing was changed.",
        "passwordTooShort": "A password needs at least {minimum} characters (this one has {count}).",
        "passwordWhiteSpace": "A password cannot be white space only.", "passwordIsName": "A password cannot be the user name.",
        "passwordTooLong": "A password can have at most {maximum} bytes (this one has {count}): bcrypt would ignore the rest.",
        "passwordNUL": "A password cannot contain a NUL character.",
        "tooManyAttempts": "Too many sign-in attempts. Try again in {wait}.", "second": "second", "seconds": "seconds",
        "minute": "minute", "minutes": "minutes",
        "signInBusy": "The server is busy checking other sign-ins. Try again in a moment.",
    ]

    static let dutch: [String: String] = [
        "overview": "Overzicht", "programs": "Programma's", "partners": "Partners", "runs": "Berekeningen", "imports": "Imports",
        "signOut": "Afmelden", "signIn": "Aanmelden", "name": "Naam", "password": "Wachtwoord", "wrongLogin": "Verkeerde naam of wachtwoord.",
        // What a figure is: a projection from the data as it stands, or what a stored run paid.
        "projection":
            "Prognose: nu berekend uit de gegevens zoals ze er nu staan. Deze bedragen zouden op deze gegevens worden uitbetaald; alleen een vastgelegde berekening betaalt uit.",
        "wouldBePaid": "Zou worden uitbetaald", "wouldBeMissed": "zou worden misgelopen", "storedRun": "Vastgelegde berekening",
        "notInRun": "Geen deel van vastgelegde berekening", "noStoredRun": "Er is nog geen berekening vastgelegd: er is niets uitbetaald.",
        "moreProblems": "problemen meer, niet getoond", "eligibleTiers": "Niveaus die in aanmerking komen",
        "csatRequired": "Vereiste CSAT-rapporten", "credentialsValid": "Certificeringen moeten geldig zijn",
        "deadline_period_end": "aan het eind van de periode", "deadline_enrollment": "op de inschrijfdatum",
        "countBy_booked_on": "geteld op boekingsdatum", "countBy_shipped_on": "geteld op verzenddatum", "any": "alle",
        "defaultCountry": "overige landen", "volumeAgainstMinimum": "kwalificerende omzet tegenover het minimum",
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
        // Accounts
        "users": "Gebruikers", "created": "Aangemaakt", "expires": "Verloopt", "tokens": "API-tokens", "tokenID": "Token-id",
        "noTokens": "Geen API-tokens.",
        "usersHelp":
            "Wijzigingen gelden direct: de sessies van een geblokkeerde of verwijderde gebruiker worden beëindigd en zijn tokens worden "
            + "vanaf het volgende verzoek geweigerd. Gebruikers en tokens voegt u toe met het commando incentives.",
        "user.active": "actief", "user.disabled": "geblokkeerd", "user.deleted": "verwijderd",
        "token.active": "geldig", "token.expired": "verlopen", "token.revoked": "ingetrokken",
        "newPassword": "Nieuw wachtwoord", "repeatPassword": "Herhaal het", "setPassword": "Wachtwoord instellen", "disable": "Blokkeren",
        "enable": "Deblokkeren", "delete": "Verwijderen", "confirmDelete": "Typ de naam om definitief te verwijderen", "revoke": "Intrekken",
        "userDisabled": "{name} is geblokkeerd: de sessies zijn beëindigd en de tokens worden geweigerd.",
        "userAlreadyDisabled": "{name} was al geblokkeerd.", "userEnabled": "{name} kan weer aanmelden.",
        "userAlreadyEnabled": "{name} was niet geblokkeerd.",
        "userDeleted": "{name} is verwijderd: de sessies zijn beëindigd en de tokens ingetrokken; de naam blijft bezet.",
        "userAlreadyDeleted": "{name} was al verwijderd.", "passwordSet": "Nieuw wachtwoord ingesteld voor {name}; de sessies zijn beëindigd.",
        "tokenRevoked": "Token {id} van {name} is ingetrokken.", "tokenAlreadyRevoked": "Token {id} van {name} was al ingetrokken.",
        "notYourself": "U kunt uw eigen account niet blokkeren of verwijderen.",
        "confirmDeleteMismatch": "Er is niets verwijderd: typ de naam {name} precies over ter bevestiging.",
        "passwordsDiffer": "De twee wachtwoorden verschillen; er is niets gewijzigd.",
        "passwordTooShort": "Een wachtwoord heeft minstens {minimum} tekens nodig (dit heeft er {count}).",
        "passwordWhiteSpace": "Een wachtwoord kan niet alleen uit spaties bestaan.",
        "passwordIsName": "Een wachtwoord kan niet de gebruikersnaam zijn.",
        "passwordTooLong": "Een wachtwoord mag hoogstens {maximum} bytes lang zijn (dit is {count} bytes): bcrypt negeert de rest.",
        "passwordNUL": "Een wachtwoord kan geen NUL-teken bevatten.",
        "tooManyAttempts": "Te veel aanmeldpogingen. Probeer het over {wait} opnieuw.", "second": "seconde", "seconds": "seconden",
        "minute": "minuut", "minutes": "minuten",
        "signInBusy": "De server controleert op dit moment andere aanmeldingen. Probeer het zo opnieuw.",
    ]
}
