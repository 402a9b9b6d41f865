import Mustache
import Testing

@testable import IncentiveServer

/// The templates escape values with `ByteHTML`: the same bytes as Mustache's own HTML escaping, found a byte at a
/// time, on every kind of text the pages show.
@Suite struct TemplateEscapingTests {
    static let texts = [
        "", "plain", "A&B <NL1001> \"quoted\" 'single'", "&&&<<<>>>\"\"\"'''", "é ü ß — 3.450,04 € · 日本語 🇳🇱 👩🏽‍💼",
        "<script>alert('x')</script>", "a\u{0}b\nc\td", "&amp; already escaped", String(repeating: "x<", count: 500),
    ]

    /// Mustache's HTML escaping, without the pragma, and `ByteHTML`'s, through the same template.
    @Test func byteEscapingWritesWhatMustacheWrites() throws {
        let template = "<p title=\"{{text}}\">{{text}}</p>{{{text}}}{{#list}}[{{.}}]{{/list}}"
        let mustache = MustacheLibrary(templates: ["page": try MustacheTemplate(string: template)])
        let ours = Templates([("page.mustache", template)])
        for text in Self.texts {
            let model: [String: Any] = ["text": text, "list": [text, "<b>"]]
            let expected = try #require(mustache.render(model, withTemplate: "page"))
            let library = try ours.library.get()
            #expect(library.render(model, withTemplate: "page") == expected, "\(text)")
        }
        #expect(Templates.escape("A&B <x> \"q\" 'y'") == "A&amp;B &lt;x&gt; &quot;q&quot; &#39;y&#39;")
        #expect(Templates.escape("nothing to do") == "nothing to do")
    }

    /// Where they differ: a quote followed by a combining mark is one `Character`, which Mustache's escaping let
    /// through unescaped (and could end an attribute); `ByteHTML` escapes the quote.
    @Test func aQuoteBeforeACombiningMarkIsEscaped() throws {
        let text = "x\"\u{301} onmouseover=y"
        let mustache = MustacheLibrary(templates: ["page": try MustacheTemplate(string: "<a title=\"{{text}}\">")])
        #expect(mustache.render(["text": text], withTemplate: "page") == "<a title=\"x\"\u{301} onmouseover=y\">")
        let ours = try Templates([("page.mustache", "<a title=\"{{text}}\">")]).library.get()
        #expect(ours.render(["text": text], withTemplate: "page") == "<a title=\"x&quot;\u{301} onmouseover=y\">")
    }
}
