import Mustache
import Testing

@testable import IncentiveServer

/// The hand-written `child(named:)` of the partner page's models answers what Mustache's `Mirror` lookup
/// would, for every stored property, with optionals set and unset.
@Suite struct PageLookupTests {
    /// What Mustache finds by reflection: the property's value, an optional unwrapped, nil when absent.
    static func reflected(_ value: Any, _ name: String) -> Any? {
        guard let child = Mirror(reflecting: value).children.first(where: { $0.label == name })?.value else { return nil }
        let mirror = Mirror(reflecting: child)
        guard mirror.displayStyle == .optional else { return child }
        return mirror.children.first?.value
    }

    static func agrees(_ value: some MustacheParent) {
        let labels = Mirror(reflecting: value).children.compactMap(\.label)
        #expect(!labels.isEmpty)
        for label in labels {
            let mine = value.child(named: label), theirs = reflected(value, label)
            #expect((mine == nil) == (theirs == nil), "\(type(of: value)).\(label)")
            #expect(String(describing: mine.map { $0 }) == String(describing: theirs.map { $0 }), "\(type(of: value)).\(label)")
        }
        #expect(value.child(named: "noSuchName") == nil)
    }

    @Test func everyPropertyIsFoundAsByReflection() {
        let check = PartnerPage.Program.Row.Check(passed: true, explanation: "CSAT 10 of 10")
        let row = PartnerPage.Program.Row(
            item: "data-center/ucs", eligible: false, bar: "<svg/>", volume: "1,000.00", threshold: "2,000.00", amount: "0.00", missed: "60.00",
            checks: [check])
        let line = PartnerPage.Program.Line(order: "SO1/1", sku: "UCS", booked: "2015-03-01", item: "data-center/ucs", amount: "1,000.00")
        let paid = PartnerPage.Program.Paid(id: 2, time: "2015-04-30 12:00", amount: "1.00", missed: "2.00", statusText: "eligible")
        let label = RunLabel(id: 3, time: "2015-05-01 09:00")
        for (paid, notInRun) in [(paid, nil), (nil, label)] as [(PartnerPage.Program.Paid?, RunLabel?)] {
            var program = PartnerPage.Program(
                id: "VIP", currency: "USD", status: "ineligible", statusText: "not eligible", amount: "0.00", missed: "60.00", rows: [row],
                lines: [line], hasLines: true)
            program.paid = paid
            program.notInRun = notInRun
            Self.agrees(program)
            for provider in ["Partner Provider", nil] {
                Self.agrees(
                    PartnerPage(
                        t: ["a": "b"], partnerID: "NL1", partnerName: "N", country: "NL", tier: "gold", provider: provider, storedRun: notInRun,
                        programs: [program], advice: ["x"], hasAdvice: true))
            }
        }
        Self.agrees(row)
        Self.agrees(check)
        Self.agrees(line)
        Self.agrees(paid)
        Self.agrees(label)
    }

    /// A page's title goes into a header rendered once per frame, escaped as Mustache escapes it.
    @Test func theTitleIsEscapedAsMustacheDoes() throws {
        let title = "A&B <NL1001> \"q\" 'x' é \u{1}"
        let template = Templates([("header.mustache", "<title>{{title}} · x</title>"), ("footer.mustache", "</html>")])
        #expect(try template.render(.header, ["title": title]) == "<title>\(Templates.escape(title)) · x</title>")
        let frame = PageFrame(lang: "en", otherLang: "nl", t: [:], title: title, user: nil)
        #expect(
            try template.framed("<p>body</p>", in: frame)
                == "<title>A&amp;B &lt;NL1001&gt; &quot;q&quot; &#39;x&#39; é \u{1} · x</title><p>body</p></html>")
        // The next title reuses the rendered frame.
        var other = frame
        other.title = "P000002"
        #expect(try template.framed("", in: other) == "<title>P000002 · x</title></html>")
        #expect(template.frames.count == 1)
    }
}
