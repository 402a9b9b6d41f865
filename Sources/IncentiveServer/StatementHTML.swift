/// The statement page's body written straight from its model: `Templates/statement.mustache` compiled by hand, as
/// `PartnerHTML` is for the partner page. Mustache finds each name by reflection and escapes text a character at a
/// time: a quarter of a statement page's CPU at 1,000,000 ledger entries. The template stays the readable form of
/// the page and the reference: `StatementHTMLTests` renders statements through both, in both languages, and
/// requires the same bytes. Change the two together.
enum StatementHTML {
    /// The template's print stylesheet, as it is.
    static let style = """
        <style>
        @page { size: A4; margin: 15mm; }
        @media print {
          header, .noprint { display: none; }
          body { background: #fff; font-size: 11pt; }
          main { max-width: none; padding: 0; }
          section.program + section.program { break-before: page; page-break-before: always; }
          table { page-break-inside: auto; } tr { page-break-inside: avoid; }
        }
        </style>

        """

    static func render(_ page: LedgerPages.StatementPage) -> String {
        let html = TextBuffer(capacity: 8192)
        let w = page.w
        html.raw(style)
        html.raw("<h1>").html(w["statement"]).raw(" ").html(page.partner).raw("</h1>\n")
        html.raw("<p class=\"muted\">").html(w["asOf"]).raw(" ").html(page.asOf).raw(" · <span class=\"noprint\">").html(w["print"])
        html.raw(" · <a href=\"").html(page.fundsLink).raw("\">").html(w["fundsLink"]).raw("</a></span></p>\n")
        if page.isEmpty { html.raw("<p class=\"muted\">").html(w["noStatement"]).raw("</p>") }
        html.raw("\n")
        for program in page.programs {
            html.raw("<section class=\"program\">\n<h2>").html(program.heading).raw("</h2>\n<h3>").html(w["approvals"]).raw("</h3>\n")
            if program.approvals.isEmpty { html.raw("<p class=\"muted\">").html(w["none"]).raw("</p>") }
            html.raw("\n")
            for approval in program.approvals {
                html.raw("<table>\n<tr><th colspan=\"3\">").html(approval.heading).raw("</th></tr>\n")
                html.raw("<tr><th>").html(w["item"]).raw("</th><th class=\"num\">").html(w["entitlement"]).raw("</th><th class=\"num\">")
                html.html(w["delta"]).raw("</th></tr>\n")
                for item in approval.items {
                    html.raw("<tr><td>").html(item.item).raw("</td><td class=\"num\">").html(item.entitlement).raw("</td><td class=\"num\">")
                    html.html(item.delta).raw("</td></tr>\n")
                }
                html.raw("<tr><th>").html(w["total"]).raw("</th><th class=\"num\">").html(approval.entitlement).raw("</th><th class=\"num\">")
                html.html(approval.delta).raw("</th></tr>\n</table>\n")
            }
            if program.showPayments {
                html.raw("<h3>").html(w["payments"]).raw("</h3>\n")
                if program.noPayments { html.raw("<p class=\"muted\">").html(w["none"]).raw("</p>") }
                html.raw("\n")
                if !program.noPayments {
                    html.raw("<table><tr><th>").html(w["date"]).raw("</th><th>").html(w["reference"]).raw("</th><th class=\"num\">")
                    html.html(w["amount"]).raw("</th></tr>\n")
                    for payment in program.payments {
                        html.raw("<tr><td>").html(payment.date).raw("</td><td>").html(payment.reference).raw("</td><td class=\"num\">")
                        html.html(payment.amount).raw("</td></tr>\n")
                    }
                    html.raw("</table>")
                }
                html.raw("\n")
            }
            if program.hasOthers { html.raw("<h3>").html(w["otherEntries"]).raw("</h3>") }
            html.raw("\n")
            for entry in program.others {
                html.raw("<table><tr><td>").html(entry.date).raw("</td><td>").html(entry.kind).raw("</td><td class=\"num\">").html(entry.amount)
                html.raw("</td></tr></table>\n")
            }
            html.raw("<table class=\"totals\">\n<tr><th>").html(w["entitled"]).raw("</th><td class=\"num\">").html(program.entitled)
            html.raw("</td></tr>\n")
            if program.isCash { html.raw("<tr><th>").html(w["paid"]).raw("</th><td class=\"num\">").html(program.paid).raw("</td></tr>") }
            html.raw("\n<tr><th>").html(program.balanceName).raw("</th><td class=\"num\"><strong>").html(program.balance)
            html.raw("</strong></td></tr>\n</table>\n</section>\n")
        }
        return html.result
    }
}
