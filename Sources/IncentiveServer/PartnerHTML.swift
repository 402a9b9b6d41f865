/// The partner page's body written straight from its model: `Templates/partner.mustache` compiled by
/// hand. Every partner opens this page, and at 100,000 partners none is in a cache; Mustache finds each
/// name by a chain of dynamic casts up its stack of values and escapes text a character at a time, which
/// cost seven tenths of the page. The template stays the readable form of the page and the reference:
/// `PartnerHTMLTests` renders the partners of a generated workspace and the example's, in both
/// languages, through both and requires the same bytes. Change the two together.
enum PartnerHTML {
    static func render(_ page: PartnerPage) -> String {
        let html = HTMLText()
        let t = page.t
        html.raw("<h1>").text(page.partnerID).raw(" <span class=\"muted\">").text(page.partnerName).raw("</span></h1>\n")
        html.raw("<p class=\"muted\">").text(page.country).raw(" · ").text(page.tier)
        if let provider = page.provider { html.raw(" · ").text(provider) }
        html.raw("</p>\n<p class=\"muted\">").text(t["projection"]).raw("</p>\n")
        if page.storedRun == nil { html.raw("<p class=\"muted\">").text(t["noStoredRun"]).raw("</p>") }
        html.raw("\n")
        if page.hasAdvice {
            html.raw("<div class=\"card\"><h2>").text(t["advice"]).raw("</h2><ul>")
            for line in page.advice { html.raw("<li>").text(line).raw("</li>") }
            html.raw("</ul></div>")
        }
        html.raw("\n")
        for program in page.programs {
            html.raw("<div class=\"card\">\n<h2><a href=\"/programs/").text(program.id).raw("\">").text(program.id)
            html.raw("</a> <span class=\"status ").text(program.status).raw("\">").text(program.statusText).raw("</span></h2>\n")
            html.raw("<p>").text(t["wouldBePaid"]).raw(" <strong>").text(program.amount).raw(" ").text(program.currency)
            html.raw("</strong> · ").text(t["wouldBeMissed"]).raw(" ").text(program.missed).raw(" ").text(program.currency).raw("</p>\n")
            if let paid = program.paid {
                html.raw("<p class=\"muted\">").text(t["storedRun"]).raw(" ").text(String(paid.id)).raw(" (").text(paid.time).raw("): ")
                html.text(paid.statusText).raw(" · ").text(t["paid"]).raw(" ").text(paid.amount).raw(" ").text(program.currency)
                html.raw(" · ").text(t["missed"]).raw(" ").text(paid.missed).raw(" ").text(program.currency).raw("</p>")
            }
            html.raw("\n")
            if let run = program.notInRun {
                html.raw("<p class=\"muted\">").text(t["notInRun"]).raw(" ").text(String(run.id)).raw(" (").text(run.time).raw(").</p>")
            }
            html.raw("\n")
            for row in program.rows {
                html.raw("<h3>").text(row.item).raw(" ")
                html.raw(row.eligible ? "<span class=\"pass\">✓</span>" : "<span class=\"fail\">✗</span>").raw("</h3>\n")
                html.raw(row.bar).raw("\n<ul class=\"checks\">\n")
                for check in row.checks {
                    html.raw("<li>")
                    if check.passed {
                        html.raw("<span class=\"pass\">✓ ").text(t["pass"]).raw("</span>")
                    } else {
                        html.raw("<span class=\"fail\">✗ ").text(t["fail"]).raw("</span>")
                    }
                    html.raw(" ").text(check.explanation).raw("</li>")
                }
                html.raw("\n</ul>\n<p>").text(t["volume"]).raw(" ").text(row.volume).raw(" · ").text(t["minimum"]).raw(" ").text(row.threshold)
                html.raw(" · ").text(t["wouldBePaid"]).raw(" <strong>").text(row.amount).raw("</strong> · ").text(t["wouldBeMissed"]).raw(" ")
                html.text(row.missed).raw("</p>\n")
            }
            if program.hasLines {
                html.raw("<h3>").text(t["linesCounted"]).raw("</h3>\n<table><tr><th>").text(t["order"]).raw("</th><th>").text(t["sku"])
                html.raw("</th><th>").text(t["booked"]).raw("</th><th>").text(t["item"]).raw("</th><th class=\"num\">").text(t["amount"])
                html.raw("</th></tr>\n")
                for line in program.lines {
                    html.raw("<tr><td>").text(line.order).raw("</td><td>").text(line.sku).raw("</td><td>").text(line.booked)
                    html.raw("</td><td>").text(line.item).raw("</td><td class=\"num\">").text(line.amount).raw("</td></tr>")
                }
                html.raw("\n</table>\n")
                if let more = program.moreLines { html.raw("<p class=\"muted\">").text(more).raw("</p>\n") }
            }
            html.raw("</div>\n")
        }
        return html.result
    }
}

/// HTML written into one byte buffer: markup as it is, text escaped as Mustache's `{{value}}` escapes it
/// (`&`, `<`, `>`, `"` and `'`). Each call returns the writer, so that a line of the page reads as one.
final class HTMLText {
    private var bytes: [UInt8] = []

    init() { bytes.reserveCapacity(16_384) }

    @discardableResult
    func raw(_ markup: String) -> HTMLText {
        bytes.append(contentsOf: markup.utf8)
        return self
    }

    @discardableResult
    func text(_ text: String?) -> HTMLText {
        guard let text else { return self }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): bytes.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): bytes.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): bytes.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\""): bytes.append(contentsOf: "&quot;".utf8)
            case UInt8(ascii: "'"): bytes.append(contentsOf: "&#39;".utf8)
            default: bytes.append(byte)
            }
        }
        return self
    }

    var result: String { String(decoding: bytes, as: UTF8.self) }
}
