/// Every text of the pages, in English and in Dutch, side by side. The raw value is the key the
/// templates use (`{{t.overview}}`); `{name}`-style fields are filled in by the page.
enum PageText: String, CaseIterable, Sendable {
    case overview, programs, partners, runs, imports, signOut, signIn, name, password, wrongLogin, projection, wouldBePaid, wouldBeMissed
    case storedRun, notInRun, noStoredRun, moreProblems, eligibleTiers, csatRequired, credentialsValid, deadlinePeriodEnd = "deadline_period_end"
    case deadlineEnrollment = "deadline_enrollment", countByBookedOn = "countBy_booked_on", countByShippedOn = "countBy_shipped_on"
    case anyUse = "any", defaultCountry, volumeAgainstMinimum, takingPart, eligible, paid, missed, program, partner, status, item, volume, minimum
    case amount, checks, pass, fail, noRun, latestRun, period, currency, tracks, rebate, products, requiresAll, requiresAny, thresholds, rules
    case from, counts, tiers, accrual, strategic, linesCounted, order, sku, booked, tagged, untagged, upload, kind, file, importDone
    case importRejected, line, column, value, problem, compare, added, changed, unchanged, rows, started, lines, version, asOfNow, language, yes
    case no, enrolled, credentials, noAccess, advice, users, created, expires, tokens, tokenID, noTokens, usersHelp, userStatusActive = "user.active"
    case userStatusDisabled = "user.disabled", userStatusDeleted = "user.deleted", tokenStatusActive = "token.active", tokenStatusExpired =
        "token.expired"
    case tokenStatusRevoked = "token.revoked", newPassword, repeatPassword, setPassword, disable, enable, delete, confirmDelete, revoke, userDisabled
    case userAlreadyDisabled, userEnabled, userAlreadyEnabled, userDeleted, userAlreadyDeleted, passwordSet, tokenRevoked, tokenAlreadyRevoked
    case notYourself, confirmDeleteMismatch, passwordsDiffer, passwordTooShort, passwordWhiteSpace, passwordIsName, passwordTooLong, passwordNUL
    case tooManyAttempts, second, seconds, minute, minutes, signInBusy
    case sortBy, searchPrefix, find, previous, next, pageOf, nothingHere, partnersInRun, noRunHasProgram, allPartners, largestPaid
    case largestMissed, paidPerPartner, missedPerPartner, runHeading, finished, diffHeading, changedPairs, dataSame, dataChanged
    case importsBetween, noImportsBetween, sameVersion, onlyInRun, formOnly, before, after, paidChange, missedChange, fullDiff, allChanges
    case moreLines
    case changedLinesSummary, changedLinesHeading, changeColumn, importColumn, oldToNew
    case fullCredit, otherTiers, retroactive, marginal, baseFrom, baseAll, baseAboveMin, baseGrowth, attachOn, bandFrom, bonus, points, capPerPartner
    case estimateDeal, estimateHelp, estimateAsOf, estimateButton, estimateFor, estimateWords
    case deadlineCalendar
    case auditLog, auditLogHelp, when, since, actor, action, subject, detail, actorAccount = "actor.account", actorOSUser = "actor.os_user"
    case preview, previewHeading, previewWords, importThis, retired, warnings, previewGone, moreRows, key

    /// The words in English and in Dutch.
    var words: (en: String, nl: String) {
        switch self {
        case .overview: ("Overview", "Overzicht")
        case .programs: ("Programs", "Programma's")
        case .partners: ("Partners", "Partners")
        case .runs: ("Runs", "Berekeningen")
        case .imports: ("Imports", "Imports")
        case .signOut: ("Sign out", "Afmelden")
        case .signIn: ("Sign in", "Aanmelden")
        case .name: ("Name", "Naam")
        case .password: ("Password", "Wachtwoord")
        case .wrongLogin: ("Wrong name or password.", "Verkeerde naam of wachtwoord.")
        case .projection:
            (
                "Projection: computed now from the data as it stands. These amounts would be paid on the data as it stands; only a stored run pays.",
                "Prognose: nu berekend uit de gegevens zoals ze er nu staan. Deze bedragen zouden op deze gegevens worden uitbetaald; "
                    + "alleen een vastgelegde berekening betaalt uit."
            )
        case .wouldBePaid: ("Would be paid", "Zou worden uitbetaald")
        case .wouldBeMissed: ("would be missed", "zou worden misgelopen")
        case .storedRun: ("Stored run", "Vastgelegde berekening")
        case .notInRun: ("Not part of stored run", "Geen deel van vastgelegde berekening")
        case .noStoredRun: ("No run is stored yet: nothing has been paid.", "Er is nog geen berekening vastgelegd: er is niets uitbetaald.")
        case .moreProblems: ("more problems not shown", "problemen meer, niet getoond")
        case .eligibleTiers: ("Eligible tiers", "Niveaus die in aanmerking komen")
        case .csatRequired: ("CSAT reports required", "Vereiste CSAT-rapporten")
        case .credentialsValid: ("Credentials must be valid", "Certificeringen moeten geldig zijn")
        case .deadlinePeriodEnd: ("at the period end", "aan het eind van de periode")
        case .deadlineEnrollment: ("on the enrolment date", "op de inschrijfdatum")
        case .countByBookedOn: ("counted by booking date", "geteld op boekingsdatum")
        case .countByShippedOn: ("counted by shipping date", "geteld op verzenddatum")
        case .anyUse: ("any", "alle")
        case .defaultCountry: ("default", "overige landen")
        case .volumeAgainstMinimum: ("qualifying volume against the minimum", "kwalificerende omzet tegenover het minimum")
        case .takingPart: ("Taking part", "Doen mee")
        case .eligible: ("Eligible", "Komen in aanmerking")
        case .paid: ("Paid", "Uitbetaald")
        case .missed: ("Missed", "Misgelopen")
        case .program: ("Program", "Programma")
        case .partner: ("Partner", "Partner")
        case .status: ("Status", "Status")
        case .item: ("Item", "Onderdeel")
        case .volume: ("Qualifying volume", "Kwalificerende omzet")
        case .minimum: ("Minimum", "Minimum")
        case .amount: ("Amount", "Bedrag")
        case .checks: ("Checks", "Controles")
        case .pass: ("pass", "voldaan")
        case .fail: ("fail", "niet voldaan")
        case .noRun: ("No run yet.", "Nog geen berekening.")
        case .latestRun: ("Latest run", "Laatste berekening")
        case .period: ("Period", "Periode")
        case .currency: ("Currency", "Valuta")
        case .tracks: ("Tracks and subtracks", "Tracks en subtracks")
        case .rebate: ("Rebate", "Korting")
        case .products: ("Products", "Producten")
        case .requiresAll: ("Requires all", "Vereist alle")
        case .requiresAny: ("Requires one of", "Vereist een van")
        case .thresholds: ("Minimum volume by country", "Minimale omzet per land")
        case .rules: ("Intended-use rules", "Regels voor beoogd gebruik")
        case .from: ("From", "Vanaf")
        case .counts: ("Counts", "Telt")
        case .tiers: ("Tiers", "Niveaus")
        case .accrual: ("Accrual", "Opbouw")
        case .strategic: ("Strategic service needed", "Strategische dienst vereist")
        case .linesCounted: ("Lines that counted", "Orderregels die meetelden")
        case .order: ("Order", "Order")
        case .sku: ("SKU", "SKU")
        case .booked: ("Booked", "Geboekt")
        case .tagged: ("Tagged (qualifying)", "Gelabeld (kwalificerend)")
        case .untagged: ("Untagged", "Niet gelabeld")
        case .upload: ("Upload", "Uploaden")
        case .kind: ("Kind", "Soort")
        case .file: ("File", "Bestand")
        case .importDone: ("Imported", "Geïmporteerd")
        case .importRejected:
            (
                "Nothing was imported; fix these lines and upload again.",
                "Er is niets geïmporteerd; verbeter deze regels en upload opnieuw."
            )
        case .line: ("Line", "Regel")
        case .column: ("Column", "Kolom")
        case .value: ("Value", "Waarde")
        case .problem: ("Problem", "Probleem")
        case .compare: ("Compare", "Vergelijken")
        case .added: ("added", "toegevoegd")
        case .changed: ("changed", "gewijzigd")
        case .unchanged: ("unchanged", "ongewijzigd")
        case .rows: ("rows", "rijen")
        case .started: ("Started", "Gestart")
        case .lines: ("Booking lines", "Orderregels")
        case .version: ("Version", "Versie")
        case .asOfNow: ("Computed now from the data in the workspace.", "Nu berekend uit de gegevens in de werkruimte.")
        case .language: ("Nederlands", "English")
        case .yes: ("yes", "ja")
        case .no: ("no", "nee")
        case .enrolled: ("Enrolled", "Ingeschreven")
        case .credentials: ("Credentials", "Certificeringen")
        case .noAccess: ("Not found.", "Niet gevonden.")
        case .advice: ("Advice", "Advies")
        case .deadlineCalendar: ("Deadline calendar", "Agenda")
        case .auditLog: ("Audit log", "Auditlog")
        case .auditLogHelp:
            (
                "Who changed what and when, newest first: imports, program versions, enrolments, runs, accounts and sign-ins.",
                "Wie wat wanneer veranderde, nieuwste eerst: imports, programmaversies, inschrijvingen, berekeningen, accounts en aanmeldingen."
            )
        case .when: ("When", "Wanneer")
        case .since: ("Since (UTC)", "Sinds (UTC)")
        case .actor: ("Who", "Wie")
        case .action: ("Action", "Actie")
        case .subject: ("Subject", "Onderwerp")
        case .detail: ("Detail", "Details")
        case .actorAccount: ("account", "account")
        case .actorOSUser: ("OS user", "systeemgebruiker")
        case .users: ("Users", "Gebruikers")
        case .created: ("Created", "Aangemaakt")
        case .expires: ("Expires", "Verloopt")
        case .tokens: ("API tokens", "API-tokens")
        case .tokenID: ("Token id", "Token-id")
        case .noTokens: ("No API tokens.", "Geen API-tokens.")
        case .usersHelp:
            (
                "Changes take effect at once: a disabled or deleted user's sessions end and its tokens are refused from the next request "
                    + "on. Users and tokens are added with the incentives command.",
                "Wijzigingen gelden direct: de sessies van een geblokkeerde of verwijderde gebruiker worden beëindigd en zijn tokens "
                    + "worden vanaf het volgende verzoek geweigerd. Gebruikers en tokens voegt u toe met het commando incentives."
            )
        case .userStatusActive: ("active", "actief")
        case .userStatusDisabled: ("disabled", "geblokkeerd")
        case .userStatusDeleted: ("deleted", "verwijderd")
        case .tokenStatusActive: ("valid", "geldig")
        case .tokenStatusExpired: ("expired", "verlopen")
        case .tokenStatusRevoked: ("revoked", "ingetrokken")
        case .newPassword: ("New password", "Nieuw wachtwoord")
        case .repeatPassword: ("Repeat it", "Herhaal het")
        case .setPassword: ("Set password", "Wachtwoord instellen")
        case .disable: ("Disable", "Blokkeren")
        case .enable: ("Enable", "Deblokkeren")
        case .delete: ("Delete", "Verwijderen")
        case .confirmDelete: ("Type the name to delete for good", "Typ de naam om definitief te verwijderen")
        case .revoke: ("Revoke", "Intrekken")
        case .userDisabled:
            (
                "{name} is disabled: their sessions have ended and their tokens are refused.",
                "{name} is geblokkeerd: de sessies zijn beëindigd en de tokens worden geweigerd."
            )
        case .userAlreadyDisabled: ("{name} was already disabled.", "{name} was al geblokkeerd.")
        case .userEnabled: ("{name} can sign in again.", "{name} kan weer aanmelden.")
        case .userAlreadyEnabled: ("{name} was not disabled.", "{name} was niet geblokkeerd.")
        case .userDeleted:
            (
                "{name} is deleted: their sessions have ended and their tokens are revoked; the name stays taken.",
                "{name} is verwijderd: de sessies zijn beëindigd en de tokens ingetrokken; de naam blijft bezet."
            )
        case .userAlreadyDeleted: ("{name} was already deleted.", "{name} was al verwijderd.")
        case .passwordSet:
            (
                "New password set for {name}; their sessions have ended.",
                "Nieuw wachtwoord ingesteld voor {name}; de sessies zijn beëindigd."
            )
        case .tokenRevoked: ("Token {id} of {name} is revoked.", "Token {id} van {name} is ingetrokken.")
        case .tokenAlreadyRevoked: ("Token {id} of {name} was already revoked.", "Token {id} van {name} was al ingetrokken.")
        case .notYourself: ("You cannot disable or delete your own account.", "U kunt uw eigen account niet blokkeren of verwijderen.")
        case .confirmDeleteMismatch:
            (
                "Nothing was deleted: type the name {name} exactly to confirm.",
                "Er is niets verwijderd: typ de naam {name} precies over ter bevestiging."
            )
        case .passwordsDiffer: ("The two passwords differ; nothing was changed.", "De twee wachtwoorden verschillen; er is niets gewijzigd.")
        case .passwordTooShort:
            (
                "A password needs at least {minimum} characters (this one has {count}).",
                "Een wachtwoord heeft minstens {minimum} tekens nodig (dit heeft er {count})."
            )
        case .passwordWhiteSpace: ("A password cannot be white space only.", "Een wachtwoord kan niet alleen uit spaties bestaan.")
        case .passwordIsName: ("A password cannot be the user name.", "Een wachtwoord kan niet de gebruikersnaam zijn.")
        case .passwordTooLong:
            (
                "A password can have at most {maximum} bytes (this one has {count}): bcrypt would ignore the rest.",
                "Een wachtwoord mag hoogstens {maximum} bytes lang zijn (dit is {count} bytes): bcrypt negeert de rest."
            )
        case .passwordNUL: ("A password cannot contain a NUL character.", "Een wachtwoord kan geen NUL-teken bevatten.")
        case .tooManyAttempts: ("Too many sign-in attempts. Try again in {wait}.", "Te veel aanmeldpogingen. Probeer het over {wait} opnieuw.")
        case .second: ("second", "seconde")
        case .seconds: ("seconds", "seconden")
        case .minute: ("minute", "minuut")
        case .minutes: ("minutes", "minuten")
        case .signInBusy:
            (
                "The server is busy checking other sign-ins. Try again in a moment.",
                "De server controleert op dit moment andere aanmeldingen. Probeer het zo opnieuw."
            )
        case .sortBy: ("Sort by", "Sorteren op")
        case .searchPrefix: ("Partner id or name begins with", "Partner-id of naam begint met")
        case .find: ("Search", "Zoeken")
        case .previous: ("Previous", "Vorige")
        case .next: ("Next", "Volgende")
        case .pageOf: ("Page {page} of {pages}", "Pagina {page} van {pages}")
        case .nothingHere: ("Nothing to show on this page.", "Niets te tonen op deze pagina.")
        case .partnersInRun: ("Partners in run {run} ({time})", "Partners in berekening {run} ({time})")
        case .noRunHasProgram: ("No stored run has this program yet.", "Nog geen vastgelegde berekening bevat dit programma.")
        case .allPartners: ("All {count} partners", "Alle {count} partners")
        case .largestPaid: ("Largest paid", "Hoogst uitbetaald")
        case .largestMissed: ("Largest missed", "Meest misgelopen")
        case .paidPerPartner: ("Partners by amount paid ({currency})", "Partners naar uitbetaald bedrag ({currency})")
        case .missedPerPartner: ("Partners by amount missed ({currency})", "Partners naar misgelopen bedrag ({currency})")
        case .runHeading: ("Run {run}", "Berekening {run}")
        case .finished: ("Finished", "Klaar")
        case .diffHeading: ("Run {a} ({timeA}) → run {b} ({timeB})", "Berekening {a} ({timeA}) → berekening {b} ({timeB})")
        case .changedPairs: ("{count} (program, partner) pairs changed", "{count} (programma, partner)-paren gewijzigd")
        case .dataSame: ("The data is the same in both runs.", "De gegevens zijn in beide berekeningen gelijk.")
        case .dataChanged: ("The data changed between the runs.", "De gegevens zijn tussen de berekeningen gewijzigd.")
        case .importsBetween: ("Imports between the runs", "Imports tussen de berekeningen")
        case .noImportsBetween:
            (
                "No import or enrolment was recorded between the runs.",
                "Er is tussen de berekeningen geen import of inschrijving vastgelegd."
            )
        case .sameVersion: ("same version", "zelfde versie")
        case .onlyInRun: ("only in run {run}", "alleen in berekening {run}")
        case .formOnly: ("the definitions differ only in form, not in any rule", "de definities verschillen alleen in vorm, niet in een regel")
        case .before: ("Before", "Voor")
        case .after: ("After", "Na")
        case .paidChange: ("Paid change", "Verschil uitbetaald")
        case .missedChange: ("Missed change", "Verschil misgelopen")
        case .fullDiff: ("Every difference of {partner}", "Alle verschillen van {partner}")
        case .allChanges: ("All changed partners", "Alle gewijzigde partners")
        case .changedLinesSummary:
            (
                "Booking lines changed between the runs' data: {changed} changed, {added} added, {retired} retired",
                "Boekingsregels gewijzigd tussen de gegevens van de berekeningen: {changed} gewijzigd, {added} toegevoegd, {retired} vervallen"
            )
        case .changedLinesHeading:
            (
                "Booking lines changed from run {a} (data as known at import {from}) to run {b} (at import {to})",
                "Boekingsregels gewijzigd van berekening {a} (gegevens zoals bekend na import {from}) tot berekening {b} (na import {to})"
            )
        case .changeColumn: ("Change", "Wijziging")
        case .importColumn: ("By import", "Door import")
        case .oldToNew: ("Values (before → after)", "Waarden (voor → na)")
        case .moreLines:
            (
                "The first {shown} of {count} lines are listed; `incentives explain` lists them all.",
                "De eerste {shown} van {count} orderregels staan hier; `incentives explain` toont ze allemaal."
            )
        case .fullCredit:
            (
                "Full credit for enrolments on or before {date}; a later enrolment counts only the lines from its enrolment date on",
                "Volledige telling bij inschrijving uiterlijk {date}; een latere inschrijving telt alleen de orderregels vanaf de inschrijfdatum"
            )
        case .otherTiers: ("other tiers", "overige niveaus")
        case .retroactive:
            (
                "tiered, retroactive: the percent of the highest tier reached applies to the whole base",
                "gestaffeld, met terugwerkende kracht: het percentage van de hoogste bereikte schijf geldt voor de hele grondslag"
            )
        case .marginal:
            (
                "tiered, marginal: each slice of the base earns the percent of its own tier",
                "gestaffeld per schijf: elk deel van de grondslag krijgt het percentage van zijn eigen schijf"
            )
        case .baseFrom: ("Base from", "Grondslag vanaf")
        case .baseAll: ("Rebate base: the whole qualifying volume", "Grondslag: de hele kwalificerende omzet")
        case .baseAboveMin: ("Rebate base: the qualifying volume above the minimum", "Grondslag: de kwalificerende omzet boven het minimum")
        case .baseGrowth:
            (
                "Rebate base: the growth of the qualifying volume over the baseline {baseline}, scaled to the length of the period",
                "Grondslag: de groei van de kwalificerende omzet boven de basisperiode {baseline}, omgerekend naar de lengte van de periode"
            )
        case .attachOn:
            (
                "Attach bonus, by the sales of these products as a percent of the qualifying volume:",
                "Attach-bonus, naar de verkoop van deze producten als percentage van de kwalificerende omzet:"
            )
        case .bandFrom: ("Attach rate from", "Attach-rate vanaf")
        case .bonus: ("Bonus", "Bonus")
        case .points: ("+{points} percentage points", "+{points} procentpunt")
        case .capPerPartner: ("Cap per partner: {amount} {currency}", "Maximum per partner: {amount} {currency}")
        case .estimateDeal: ("Estimate a deal", "Een deal schatten")
        case .estimateHelp:
            (
                "One quote line per row: sku,amount,currency and optionally intended_use,booked_on,shipped_on, under the header row.",
                "Eén offerteregel per rij: sku,amount,currency en eventueel intended_use,booked_on,shipped_on, onder de kopregel."
            )
        case .estimateAsOf: ("Position as of", "Stand per")
        case .estimateButton: ("Estimate", "Schatten")
        case .estimateFor: ("What the deal adds", "Wat de deal toevoegt")
        case .estimateWords: ("The estimate is worded in English.", "De schatting is in het Engels geformuleerd.")
        case .preview: ("Preview", "Voorbeeld")
        case .previewHeading: ("What importing {file} would do", "Wat het importeren van {file} zou doen")
        case .previewWords:
            (
                "Nothing has been written yet. Import imports exactly this file; values are shown as the file writes them.",
                "Er is nog niets opgeslagen. Importeren importeert precies dit bestand; waarden staan er zoals het bestand ze schrijft."
            )
        case .importThis: ("Import", "Importeren")
        case .retired: ("retired", "vervallen")
        case .warnings: ("Warnings", "Waarschuwingen")
        case .previewGone:
            (
                "This preview is gone (imported already, or older than an hour); upload the file again.",
                "Dit voorbeeld is er niet meer (al geïmporteerd, of ouder dan een uur); upload het bestand opnieuw."
            )
        case .moreRows: ("... and {count} more {what}", "... en nog {count} {what}")
        case .key: ("Key", "Sleutel")
        }
    }
}
