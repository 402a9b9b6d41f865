import Foundation
import IncentiveAdvisor
import IncentiveEngine
import Testing

@testable import IncentiveServer

/// The partner page's advice lines, worded by `AdviceOutput.summary` from the advisor's `AdviceWords` with
/// the page's own number and date formatting (as `Pages.adviceLines` does), are the lines the page showed
/// before the wording moved there: golden lines written by that code for the bundled example, recorded again when
/// the forecast came in (issue 15; the figures are worked out by hand in IncentiveAdvisorTests/AdvisorTests).
@Suite struct AdviceLinesTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("examples")

    static func lines(_ partner: String, asOf text: String, language: Language) throws -> [String] {
        let day = try #require(Day(iso: text))
        let input = try Engine.load(
            dataDirectory: examples.appendingPathComponent("data").path, programsDirectory: examples.appendingPathComponent("programs").path,
            tracePartner: partner, bookingView: Advisor.bookings(asOf: day))
        let advice = try #require(Advisor.advise(partnerID: partner, input: input, asOf: day))
        let format = AdviceFormat(
            money: { language.money($0) }, date: { language.date($0) }, check: { language.check($0) },
            decimalSeparator: language == .nl ? "," : ".")
        let lines = AdviceOutput.summary(
            advice, words: language == .nl ? .dutch : .english, format: format, forecastWords: language == .nl ? .dutch : .english)
        // `ADVICE_LINES_RECORD=1` prints the lines, to record the golden ones again after a deliberate change.
        if ProcessInfo.processInfo.environment["ADVICE_LINES_RECORD"] == "1" { print("DUMP\t\(partner)\t\(text)\t\(language)\t\(lines)") }
        return lines
    }

    @Test(arguments: Self.golden.indices)
    func theLinesOfBefore(_ index: Int) throws {
        let (partner, day, language, expected) = Self.golden[index]
        #expect(try Self.lines(partner, asOf: day, language: language) == expected)
    }

    static let golden: [(String, String, Language, [String])] = [
        (
            "NL1001", "2015-04-30", .en,
            [
                "VIP25-3M data-center/ucs: 18,000.00 of the 28,750.00 USD minimum; at this pace 55,625.00 by the period end (low 50,250.00, high 61,000.00), minimum reached on May 25, 2015; missing: only 0 of 10 CSAT reports submitted 2015-04-26..2015-07-25: 10 more needed; missed 1,080.00 USD can still be had this period: put right CSAT reports, volume (the minimum)",
                "VIP25-3M collaboration/voice: 0.00 of the 12,500.00 USD minimum; at this pace 0.00 by the period end (low 0.00, high 18,812.50); one-off order, not projected: 21,000.00; not enrolled: enrolling would bring 0.00; missing: only 0 of 10 CSAT reports submitted 2015-04-26..2015-07-25: 10 more needed",
                "VIP25-6M data-center/ucs: 42,000.00 of the 57,500.00 USD minimum; at this pace 79,625.00 by the period end (low 74,250.00, high 85,000.00), minimum reached on Jun 5, 2015; missing: only 5 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 5 more needed; missed 2,520.00 USD can still be had this period: put right CSAT reports, volume (the minimum)",
                "VIP25-6M collaboration/voice: 21,000.00 of the 25,000.00 USD minimum; at this pace 21,000.00 by the period end (low 21,000.00, high 39,812.50); one-off order, not projected: 21,000.00; missing: only 5 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 5 more needed; missed 3,360.00 USD is lost: volume (the minimum)",
                "VIP25-6M collaboration/video: 0.00 of the 15,000.00 USD minimum; at this pace 0.00 by the period end; not enrolled: enrolling would bring 0.00; missing: only 5 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 5 more needed; requires ATP-TELEPRESENCE at the period end 2015-07-25: ATP-TELEPRESENCE not held",
            ]
        ),
        (
            "NL1001", "2015-04-30", .nl,
            [
                "VIP25-3M data-center/ucs: 18.000,00 van minimaal 28.750,00 USD; in dit tempo 55.625,00 aan het eind van de periode (laag 50.250,00, hoog 61.000,00), minimum bereikt op 25 mei 2015; ontbreekt: slechts 0 van 10 CSAT-rapporten ingediend van 26 apr 2015 t/m 25 jul 2015: nog 10 nodig; gemist 1.080,00 USD is deze periode nog te halen: regel CSAT-rapporten, volume (het minimum)",
                "VIP25-3M collaboration/voice: 0,00 van minimaal 12.500,00 USD; in dit tempo 0,00 aan het eind van de periode (laag 0,00, hoog 18.812,50); eenmalige order, niet doorgetrokken: 21.000,00; niet ingeschreven, inschrijven levert 0,00 op; ontbreekt: slechts 0 van 10 CSAT-rapporten ingediend van 26 apr 2015 t/m 25 jul 2015: nog 10 nodig",
                "VIP25-6M data-center/ucs: 42.000,00 van minimaal 57.500,00 USD; in dit tempo 79.625,00 aan het eind van de periode (laag 74.250,00, hoog 85.000,00), minimum bereikt op 5 jun 2015; ontbreekt: slechts 5 van 10 CSAT-rapporten ingediend van 25 jan 2015 t/m 25 jul 2015: nog 5 nodig; gemist 2.520,00 USD is deze periode nog te halen: regel CSAT-rapporten, volume (het minimum)",
                "VIP25-6M collaboration/voice: 21.000,00 van minimaal 25.000,00 USD; in dit tempo 21.000,00 aan het eind van de periode (laag 21.000,00, hoog 39.812,50); eenmalige order, niet doorgetrokken: 21.000,00; ontbreekt: slechts 5 van 10 CSAT-rapporten ingediend van 25 jan 2015 t/m 25 jul 2015: nog 5 nodig; gemist 3.360,00 USD is verloren: volume (het minimum)",
                "VIP25-6M collaboration/video: 0,00 van minimaal 15.000,00 USD; in dit tempo 0,00 aan het eind van de periode; niet ingeschreven, inschrijven levert 0,00 op; ontbreekt: slechts 5 van 10 CSAT-rapporten ingediend van 25 jan 2015 t/m 25 jul 2015: nog 5 nodig; vereist ATP-TELEPRESENCE aan het eind van de periode, 25 jul 2015: ATP-TELEPRESENCE niet in bezit",
            ]
        ),
        (
            "NL1002", "2015-05-10", .en,
            [
                "VIP25-3M data-center/ucs: 0.00 of the 28,750.00 USD minimum; at this pace 0.00 by the period end (low 0.00, high 22,405.66); one-off order, not projected: 31,250.00; not enrolled: enrolling would bring 0.00; missing: only 1 of 10 CSAT reports submitted 2015-04-26..2015-07-25: 9 more needed",
                "VIP25-3M collaboration/voice: 0.00 of the 12,500.00 USD minimum; at this pace 0.00 by the period end; not enrolled: enrolling would bring 0.00; missing: only 1 of 10 CSAT reports submitted 2015-04-26..2015-07-25: 9 more needed; requires ADV-COLLAB or MASTER-COLLAB on the enrolment date 2015-05-10: ADV-COLLAB not held; MASTER-COLLAB not held",
                "VIP25-6M data-center/ucs: 31,250.00 of the 57,500.00 USD minimum; at this pace 31,250.00 by the period end (low 31,250.00, high 53,655.66); one-off order, not projected: 31,250.00; missing: only 6 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 4 more needed; missed 1,875.00 USD is lost: volume (the minimum)",
                "VIP25-6M collaboration/voice: 0.00 of the 25,000.00 USD minimum; at this pace 0.00 by the period end; not enrolled: enrolling would bring 0.00; missing: only 6 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 4 more needed; requires ADV-COLLAB or MASTER-COLLAB at the period end 2015-07-25: ADV-COLLAB not held; MASTER-COLLAB not held",
                "VIP25-6M collaboration/video: 0.00 of the 15,000.00 USD minimum; at this pace 0.00 by the period end; not enrolled: enrolling would bring 0.00; missing: only 6 of 10 CSAT reports submitted 2015-01-25..2015-07-25: 4 more needed; requires ATP-TELEPRESENCE at the period end 2015-07-25: ATP-TELEPRESENCE not held; requires ADV-COLLAB or MASTER-COLLAB at the period end 2015-07-25: ADV-COLLAB not held; MASTER-COLLAB not held",
            ]
        ),
        (
            "NL1002", "2015-05-10", .nl,
            [
                "VIP25-3M data-center/ucs: 0,00 van minimaal 28.750,00 USD; in dit tempo 0,00 aan het eind van de periode (laag 0,00, hoog 22.405,66); eenmalige order, niet doorgetrokken: 31.250,00; niet ingeschreven, inschrijven levert 0,00 op; ontbreekt: slechts 1 van 10 CSAT-rapporten ingediend van 26 apr 2015 t/m 25 jul 2015: nog 9 nodig",
                "VIP25-3M collaboration/voice: 0,00 van minimaal 12.500,00 USD; in dit tempo 0,00 aan het eind van de periode; niet ingeschreven, inschrijven levert 0,00 op; ontbreekt: slechts 1 van 10 CSAT-rapporten ingediend van 26 apr 2015 t/m 25 jul 2015: nog 9 nodig; vereist ADV-COLLAB of MASTER-COLLAB op de inschrijfdatum 10 mei 2015: ADV-COLLAB niet in bezit; MASTER-COLLAB niet in bezit",
                "VIP25-6M data-center/ucs: 31.250,00 van minimaal 57.500,00 USD; in dit tempo 31.250,00 aan het eind van de periode (laag 31.250,00, hoog 53.655,66); eenmalige order, niet doorgetrokken: 31.250,00; ontbreekt: slechts 6 van 10 CSAT-rapporten ingediend van 25 jan 2015 t/m 25 jul 2015: nog 4 nodig; gemist 1.875,00 USD is verloren: volume (het minimum)",
                "VIP25-6M collaboration/voice: 0,00 van minimaal 25.000,00 USD; in dit tempo 0,00 aan het eind van de periode; niet ingeschreven, inschrijven levert 0,00 op; ontbreekt: slechts 6 van 10 CSAT-rapporten ingediend van 25 jan 2015 t/m 25 jul 2015: nog 4 nodig; vereist ADV-COLLAB of MASTER-COLLAB aan het eind van de periode, 25 jul 2015: ADV-COLLAB niet in bezit; MASTER-COLLAB niet in bezit",
                "VIP25-6M collaboration/video: 0,00 van minimaal 15.000,00 USD; in dit tempo 0,00 aan het eind van de periode; niet ingeschreven, inschrijven levert 0,00 op; ontbreekt: slechts 6 van 10 CSAT-rapporten ingediend van 25 jan 2015 t/m 25 jul 2015: nog 4 nodig; vereist ATP-TELEPRESENCE aan het eind van de periode, 25 jul 2015: ATP-TELEPRESENCE niet in bezit; vereist ADV-COLLAB of MASTER-COLLAB aan het eind van de periode, 25 jul 2015: ADV-COLLAB niet in bezit; MASTER-COLLAB niet in bezit",
            ]
        ),
        (
            "NL1005", "2023-05-15", .en,
            [
                "PROVIDER-MDF-FY23-H2: 51.8% tagged managed services; untagged 18,000.00 USD cost 360.00 MDF; re-tag: SO23-1404/1 C8300-1N1S-6T 18,000.00; missed 360.00 USD can still be had this period: put right tags on untagged orders"
            ]
        ),
        (
            "NL1005", "2023-05-15", .nl,
            [
                "PROVIDER-MDF-FY23-H2: 51,8% gelabeld als managed services; niet gelabeld 18.000,00 USD, dat kostte 360,00 MDF; opnieuw labelen: SO23-1404/1 C8300-1N1S-6T 18.000,00; gemist 360,00 USD is deze periode nog te halen: regel labels op niet gelabelde orders"
            ]
        ),
    ]
}
