import Mustache
import Testing

@testable import IncentiveServer

/// The hand-written `child(named:)` of the pages' shared models answers what Mustache's `Mirror` lookup
/// would, for every stored property.
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
        Self.agrees(RunLabel(id: 3, time: "2015-05-01 09:00"))
        #expect(true.child(named: "id") == nil && "text".child(named: "count") == nil)
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
