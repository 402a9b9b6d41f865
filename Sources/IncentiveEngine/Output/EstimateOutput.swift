import Foundation

/// A `DealEstimate` as a table for people or as JSON (the CLI's `--format json` and the API's answer).
public enum EstimateOutput {
    public static func table(_ estimate: DealEstimate) -> String {
        let partner = estimate.partner
        var text =
            "Estimate for \(partner.id) \(partner.name) (\(partner.country), \(partner.tier.rawValue)): \(estimate.lines.count) quote line(s)\n"
        for total in estimate.totals {
            text +=
                "the deal adds \(total.added.groupedText) \(total.currency) (before \(total.before.groupedText), with the deal \(total.with.groupedText))\n"
        }
        for program in estimate.programs {
            let currency = program.currency
            text += "\n\(program.id)  \(program.name)  adds \(program.added.groupedText) \(currency)\n"
            if program.items.isEmpty { text += "  not taking part\n" }
            for item in program.items {
                text += "  \(item.item)"
                if item.enrolled {
                    text += "  volume \(item.volumeBefore.groupedText) -> \(item.volumeWith.groupedText); "
                    text += "paid \(item.before.groupedText) -> \(item.with.groupedText): adds \(item.added.groupedText) \(currency)\n"
                } else {
                    text += "\n"
                }
                for event in item.events { text += "    \(event.text(currency: currency))\n" }
                for missing in item.missing { text += "    missing: \(missing)\n" }
            }
        }
        text += "\nLine by line (each line added after the ones above it)\n"
        for line in estimate.lines {
            let quote = line.line
            text += "  line \(quote.line)  \(quote.sku)  \(quote.amount.groupedText) \(quote.currency)  booked \(quote.bookedOn)"
            if let shipped = quote.shippedOn { text += ", shipped \(shipped)" }
            if !quote.intendedUse.isEmpty { text += ", \(quote.intendedUse)" }
            text += "\n"
            for share in line.shares { text += "    adds \(share.added.groupedText) \(share.currency) to \(share.program) \(share.item)\n" }
            for note in line.notes { text += "    adds nothing to \(note)\n" }
        }
        return text
    }

    public static func json(_ estimate: DealEstimate) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: (try? encoder.encode(document(estimate))) ?? Data("{}".utf8), as: UTF8.self) + "\n"
    }

    public static func document(_ estimate: DealEstimate) -> Document {
        Document(
            partnerID: estimate.partner.id,
            totals: estimate.totals.map {
                Document.Total(currency: $0.currency, before: $0.before.plainText, with: $0.with.plainText, added: $0.added.plainText)
            },
            programs: estimate.programs.map { program in
                Document.Program(
                    id: program.id, kind: program.kind.rawValue, currency: program.currency, before: program.before.plainText,
                    with: program.with.plainText, added: program.added.plainText,
                    items: program.items.map { item in
                        Document.Item(
                            item: item.item, enrolled: item.enrolled, volumeBefore: item.volumeBefore.plainText,
                            volumeWith: item.volumeWith.plainText,
                            before: item.before.plainText, with: item.with.plainText, added: item.added.plainText,
                            eligibleBefore: item.eligibleBefore,
                            eligibleWith: item.eligibleWith,
                            events: item.events.map { Document.Event(code: $0.code, text: $0.text(currency: program.currency)) },
                            missing: item.missing)
                    })
            },
            lines: estimate.lines.map { line in
                let quote = line.line
                return Document.Line(
                    line: quote.line, sku: quote.sku, amount: quote.amount.plainText, currency: quote.currency, intendedUse: quote.intendedUse,
                    bookedOn: quote.bookedOn.description, shippedOn: quote.shippedOn?.description,
                    adds: line.shares.map { Document.Share(program: $0.program, item: $0.item, added: $0.added.plainText, currency: $0.currency) },
                    addsNothing: line.notes)
            })
    }

    /// The JSON document; amounts are plain decimal text (`1234.50`), never numbers with a binary fraction.
    public struct Document: Codable, Sendable {
        public struct Total: Codable, Sendable {
            var currency, before, with, added: String
        }
        public struct Event: Codable, Sendable {
            var code, text: String
        }
        public struct Item: Codable, Sendable {
            var item: String
            var enrolled: Bool
            var volumeBefore, volumeWith, before, with, added: String
            var eligibleBefore, eligibleWith: Bool
            var events: [Event]
            var missing: [String]
            enum CodingKeys: String, CodingKey {
                case item, enrolled, before, with, added, events, missing
                case volumeBefore = "volume_before", volumeWith = "volume_with", eligibleBefore = "eligible_before", eligibleWith = "eligible_with"
            }
        }
        public struct Program: Codable, Sendable {
            var id, kind, currency, before, with, added: String
            var items: [Item]
        }
        public struct Share: Codable, Sendable {
            var program, item, added, currency: String
        }
        public struct Line: Codable, Sendable {
            var line: Int
            var sku, amount, currency: String
            var intendedUse: String
            var bookedOn: String
            var shippedOn: String?
            var adds: [Share]
            var addsNothing: [String]
            enum CodingKeys: String, CodingKey {
                case line, sku, amount, currency, adds
                case intendedUse = "intended_use", bookedOn = "booked_on", shippedOn = "shipped_on", addsNothing = "adds_nothing"
            }
        }
        var partnerID: String
        var totals: [Total]
        var programs: [Program]
        var lines: [Line]
        enum CodingKeys: String, CodingKey {
            case totals, programs, lines
            case partnerID = "partner_id"
        }
    }
}
