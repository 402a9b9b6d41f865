import IncentiveEngine

/// The words of forecasts and credit notes (docs/advice.md "Forecast"), one table per language like `AdviceWords`.
public struct ForecastWords: Sendable {
    /// The ends of the range around the expected volume ("at this pace"): `low 40,000.00, high 60,000.00`.
    public var range: @Sendable (_ low: String, _ high: String) -> String
    /// How the pace was measured: recurring lines and volume over the window.
    public var pace: @Sendable (_ lines: Int, _ recurring: String, _ days: Int, _ from: String, _ program: String, _ currency: String) -> String
    /// Before a one-off order and a credit note: neither is projected.
    public var oneOff: String
    public var creditNote: String
    /// The same orders count in the other programs named, with one pace for all.
    public var shared: @Sendable (_ programs: String) -> String
    /// CSAT reports at their own pace: found, required, expected by the day.
    public var csat: @Sendable (_ found: Int, _ required: Int, _ expected: Int, _ by: String) -> String
    /// MDF: in-period credit notes apart, and the untagged part of them.
    public var credits: @Sendable (_ lines: Int, _ volume: String, _ untagged: String, _ currency: String) -> String
    /// What was missed that can still be had this period, and what to put right; what is lost, and why.
    public var missedFixable: @Sendable (_ amount: String, _ toFix: String, _ currency: String) -> String
    public var missedLost: @Sendable (_ amount: String, _ because: String, _ currency: String) -> String
    /// The words of each obstacle.
    public var obstacle: @Sendable (MissedSplit.Obstacle) -> String

    /// `missedFixable` and `missedLost` of a split, in that order (each only when not zero).
    public func missed(_ split: MissedSplit?, format: AdviceFormat, currency: String) -> [String] {
        guard let split else { return [] }
        var lines: [String] = []
        if split.fixable.cents != 0 {
            lines.append(missedFixable(format.money(split.fixable), split.toFix.map(obstacle).joined(separator: ", "), currency))
        }
        if split.lost.cents != 0 {
            lines.append(missedLost(format.money(split.lost), split.lostBecause.map(obstacle).joined(separator: ", "), currency))
        }
        return lines
    }

    public static let english = ForecastWords(
        range: { low, high in "low \(low), high \(high)" },
        pace: { lines, recurring, days, from, program, currency in
            "pace of \(lines) recurring line(s), \(recurring) \(currency), over \(days) day(s) from \(from) (\(program))"
        },
        oneOff: "one-off order, not projected", creditNote: "credit note, not projected",
        shared: { "the same orders count in \($0): one pace for all" },
        csat: { found, required, expected, by in
            "CSAT: \(found) of \(required) so far; at this pace \(expected) by \(by)"
                + (expected >= required ? "" : ", \(required - expected) more to collect beyond the pace")
        },
        credits: { lines, volume, untagged, currency in
            "credit notes in the period (apart from the shares): \(lines) line(s), \(volume) \(currency), of which untagged \(untagged) \(currency)"
        },
        missedFixable: { amount, toFix, currency in "missed \(amount) \(currency) can still be had this period: put right \(toFix)" },
        missedLost: { amount, because, currency in "missed \(amount) \(currency) is lost: \(because)" },
        obstacle: {
            switch $0 {
            case .tier: "the tier is not eligible"
            case .csat: "CSAT reports"
            case .credential: "credentials"
            case .volume: "volume (the minimum)"
            case .strategicService: "a strategic service"
            case .untagged: "tags on untagged orders"
            case .periodOver: "the period is over"
            }
        })

    public static let dutch = ForecastWords(
        range: { low, high in "laag \(low), hoog \(high)" },
        pace: { lines, recurring, days, from, program, currency in
            "tempo van \(lines) terugkerende regel(s), \(recurring) \(currency), over \(days) dag(en) vanaf \(from) (\(program))"
        },
        oneOff: "eenmalige order, niet doorgetrokken", creditNote: "creditnota, niet doorgetrokken",
        shared: { "dezelfde orders tellen in \($0): één tempo voor alle" },
        csat: { found, required, expected, by in
            "CSAT: \(found) van \(required) tot nu toe; in dit tempo \(expected) op \(by)"
                + (expected >= required ? "" : ", nog \(required - expected) meer nodig dan het tempo oplevert")
        },
        credits: { lines, volume, untagged, currency in
            "creditnota's in de periode (buiten de aandelen): \(lines) regel(s), \(volume) \(currency), waarvan niet gelabeld \(untagged) \(currency)"
        },
        missedFixable: { amount, toFix, currency in "gemist \(amount) \(currency) is deze periode nog te halen: regel \(toFix)" },
        missedLost: { amount, because, currency in "gemist \(amount) \(currency) is verloren: \(because)" },
        obstacle: {
            switch $0 {
            case .tier: "het niveau komt niet in aanmerking"
            case .csat: "CSAT-rapporten"
            case .credential: "certificeringen"
            case .volume: "volume (het minimum)"
            case .strategicService: "een strategische dienst"
            case .untagged: "labels op niet gelabelde orders"
            case .periodOver: "de periode is voorbij"
            }
        })
}

extension AdviceOutput {
    /// The lines of a forecast for the terminal table (indented by the caller): the range, the pace, each one-off
    /// order and credit note, and the programs sharing the pace. Nothing once the period has ended.
    static func forecastLines(_ forecast: Forecast?, words: ForecastWords, format: AdviceFormat, currency: String, running: Bool) -> [String] {
        guard running, let forecast else { return [] }
        var lines = [
            "forecast: " + words.range(format.money(forecast.low), format.money(forecast.high)) + " \(currency); "
                + words.pace(
                    forecast.recurringLines, format.money(forecast.recurring), forecast.paceDays, format.date(forecast.paceFrom),
                    forecast.paceProgram, currency)
        ]
        for line in forecast.oneOffs {
            lines.append(
                "  \(words.oneOff): \(line.orderID)/\(line.lineID) \(line.sku) \(format.date(line.countedOn)) \(format.money(line.amount)) \(currency)"
            )
        }
        for line in forecast.credits {
            lines.append(
                "  \(words.creditNote): \(line.orderID)/\(line.lineID) \(line.sku) \(format.date(line.countedOn)) \(format.money(line.amount)) \(currency)"
            )
        }
        if !forecast.sharedWith.isEmpty { lines.append("  " + words.shared(forecast.sharedWith.joined(separator: ", "))) }
        return lines
    }

    /// The summary's few words about a forecast, after the expected volume: the range in brackets (none when it is a
    /// single figure), then the one-offs and credit notes left out of the pace.
    static func forecastSummary(_ forecast: Forecast?, words: ForecastWords, format: AdviceFormat, running: Bool) -> (range: String, apart: String)? {
        guard running, let forecast else { return nil }
        var apart = ""
        if !forecast.oneOffs.isEmpty { apart += "; \(words.oneOff): \(forecast.oneOffs.map { format.money($0.amount) }.joined(separator: ", "))" }
        if !forecast.credits.isEmpty { apart += "; \(words.creditNote): \(forecast.credits.map { format.money($0.amount) }.joined(separator: ", "))" }
        let range = forecast.low == forecast.high ? "" : " (" + words.range(format.money(forecast.low), format.money(forecast.high)) + ")"
        return (range, apart)
    }

    struct ForecastDocument: Encodable {
        struct Line: Encodable {
            var orderID, lineID, sku, countedOn, amount: String
            enum CodingKeys: String, CodingKey {
                case sku, amount
                case orderID = "order_id", lineID = "line", countedOn = "counted_on"
            }
            init(_ line: ForecastLine) {
                (orderID, lineID, sku, countedOn, amount) = (line.orderID, line.lineID, line.sku, line.countedOn.description, line.amount.plainText)
            }
        }
        var booked, recurring, low, expected, high, paceFrom, paceProgram: String
        var recurringLines, paceDays, remainingDays: Int
        var oneOffs, credits: [Line]
        var sharedWith: [String]
        enum CodingKeys: String, CodingKey {
            case booked, recurring, low, expected, high, credits
            case paceFrom = "pace_from", paceProgram = "pace_program", recurringLines = "recurring_lines", paceDays = "pace_days"
            case remainingDays = "remaining_days", oneOffs = "one_offs", sharedWith = "shared_with"
        }
        init(_ forecast: Forecast) {
            booked = forecast.booked.plainText
            recurring = forecast.recurring.plainText
            low = forecast.low.plainText
            expected = forecast.expected.plainText
            high = forecast.high.plainText
            paceFrom = forecast.paceFrom.description
            paceProgram = forecast.paceProgram
            recurringLines = forecast.recurringLines
            paceDays = forecast.paceDays
            remainingDays = forecast.remainingDays
            oneOffs = forecast.oneOffs.map(Line.init)
            credits = forecast.credits.map(Line.init)
            sharedWith = forecast.sharedWith
        }
    }

    struct MissedDocument: Encodable {
        var fixable, lost: String
        var toFix, lostBecause: [String]
        enum CodingKeys: String, CodingKey {
            case fixable, lost
            case toFix = "to_fix", lostBecause = "lost_because"
        }
        init(_ split: MissedSplit) {
            (fixable, lost) = (split.fixable.plainText, split.lost.plainText)
            (toFix, lostBecause) = (split.toFix.map(\.rawValue), split.lostBecause.map(\.rawValue))
        }
    }

    struct CSATDocument: Encodable {
        var found, required, expected: Int
        var by: String
        init(_ csat: CSATForecast) { (found, required, expected, by) = (csat.found, csat.required, csat.expected, csat.by.description) }
    }
}
