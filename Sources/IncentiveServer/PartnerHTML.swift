/// The partner page's body written straight from its model: `Templates/partner.mustache` compiled by
/// hand. Every partner opens this page, and at 100,000 partners none is in a cache; Mustache finds each
/// name by a chain of dynamic casts up its stack of values and escapes text a character at a time, which
/// cost seven tenths of the page. The template stays the readable form of the page and the reference:
/// `PartnerHTMLTests` renders the partners of a generated workspace and the example's, in both
/// languages, through both and requires the same bytes. Change the two together.
enum PartnerHTML {
    static func render(_ page: PartnerPage) -> String {
        let html = TextBuffer(capacity: 16_384)
        let t = page.t
        html.raw("<h1>").html(page.partnerID).raw(" <span class=\"muted\">").html(page.partnerName).raw("</span></h1>\n")
        html.raw("<p class=\"muted\">").html(page.country).raw(" · ").html(page.tier)
        if let provider = page.provider { html.raw(" · ").html(provider) }
        html.raw("</p>\n<p class=\"muted\">").html(t["projection"]).raw("</p>\n")
        if let run = page.storedRun {
            html.raw("<p class=\"downloads\">⤓ ").html(t["storedRun"]).raw(" ").html(String(run.id)).raw(": ")
            for download in page.downloads { html.raw("<a href=\"").html(download.href).raw("\" download>").html(download.label).raw("</a> ") }
            html.raw("</p>")
        } else {
            html.raw("<p class=\"muted\">").html(t["noStoredRun"]).raw("</p>")
        }
        html.raw("\n")
        if page.hasAdvice {
            html.raw("<div class=\"card\"><h2>").html(t["advice"]).raw("</h2><ul>")
            for line in page.advice { html.raw("<li>").html(line).raw("</li>") }
            html.raw("</ul>")
            if page.hasCalendar {
                html.raw("<h3>").html(t["deadlineCalendar"]).raw("</h3><ul>")
                for line in page.calendar { html.raw("<li>").html(line).raw("</li>") }
                html.raw("</ul>")
            }
            html.raw("</div>")
        }
        html.raw("\n<div class=\"card\"><h2>").html(t["estimateDeal"]).raw("</h2><form method=\"get\" action=\"/partners/").html(page.partnerID)
        html.raw("/estimate\"><p class=\"muted\">").html(t["estimateHelp"]).raw(
            "</p><textarea name=\"quote\" rows=\"4\" cols=\"60\">sku,amount,currency\n")
        html.raw("</textarea><p><label>").html(t["estimateAsOf"]).raw(" <input type=\"date\" name=\"as_of\"></label> <button type=\"submit\">")
        html.html(t["estimateButton"]).raw("</button></p></form></div>\n")
        for program in page.programs {
            html.raw("<div class=\"card\">\n<h2><a href=\"/programs/").html(program.id).raw("\">").html(program.id)
            html.raw("</a> <span class=\"status ").html(program.status).raw("\">").html(program.statusText).raw("</span></h2>\n")
            html.raw("<p>").html(t["wouldBePaid"]).raw(" <strong>").html(program.amount).raw(" ").html(program.currency)
            html.raw("</strong> · ").html(t["wouldBeMissed"]).raw(" ").html(program.missed).raw(" ").html(program.currency).raw("</p>\n")
            if let paid = program.paid {
                html.raw("<p class=\"muted\">").html(t["storedRun"]).raw(" ").html(String(paid.id)).raw(" (").html(paid.time).raw("): ")
                html.html(paid.statusText).raw(" · ").html(t["paid"]).raw(" ").html(paid.amount).raw(" ").html(program.currency)
                html.raw(" · ").html(t["missed"]).raw(" ").html(paid.missed).raw(" ").html(program.currency).raw("</p>")
            }
            html.raw("\n")
            if let run = program.notInRun {
                html.raw("<p class=\"muted\">").html(t["notInRun"]).raw(" ").html(String(run.id)).raw(" (").html(run.time).raw(").</p>")
            }
            html.raw("\n")
            for row in program.rows {
                html.raw("<h3>").html(row.item).raw(" ")
                html.raw(row.eligible ? "<span class=\"pass\">✓</span>" : "<span class=\"fail\">✗</span>").raw("</h3>\n")
                html.raw(row.bar).raw("\n<ul class=\"checks\">\n")
                for check in row.checks {
                    html.raw("<li>")
                    if check.passed {
                        html.raw("<span class=\"pass\">✓ ").html(t["pass"]).raw("</span>")
                    } else {
                        html.raw("<span class=\"fail\">✗ ").html(t["fail"]).raw("</span>")
                    }
                    html.raw(" ").html(check.explanation).raw("</li>")
                }
                html.raw("\n</ul>\n<p>").html(t["volume"]).raw(" ").html(row.volume).raw(" · ").html(t["minimum"]).raw(" ").html(row.threshold)
                html.raw(" · ").html(t["wouldBePaid"]).raw(" <strong>").html(row.amount).raw("</strong> · ").html(t["wouldBeMissed"]).raw(" ")
                html.html(row.missed).raw("</p>\n")
            }
            if program.hasLines {
                html.raw("<h3>").html(t["linesCounted"]).raw("</h3>\n<table><tr><th>").html(t["order"]).raw("</th><th>").html(t["sku"])
                html.raw("</th><th>").html(t["booked"]).raw("</th><th>").html(t["item"]).raw("</th><th class=\"num\">").html(t["amount"])
                html.raw("</th></tr>\n")
                for line in program.lines {
                    html.raw("<tr><td>").html(line.order).raw("</td><td>").html(line.sku).raw("</td><td>").html(line.booked)
                    html.raw("</td><td>").html(line.item).raw("</td><td class=\"num\">").html(line.amount).raw("</td></tr>")
                }
                html.raw("\n</table>\n")
                if let more = program.moreLines { html.raw("<p class=\"muted\">").html(more).raw("</p>\n") }
            }
            html.raw("</div>\n")
        }
        return html.result
    }
}
