import Mustache
import Testing

@testable import IncentiveServer

/// `FieldLookup` answers each name as Mustache's `Mirror` lookup would, and a page rendered through it is the
/// page rendered by reflection.
@Suite struct FieldLookupTests {
    /// A model of every kind of property the pages have, twice: once answering from the field table, once
    /// left to Mustache's reflection.
    struct Looked: FieldLookup {
        struct Inner: FieldLookup { var name: String; var count: Int }
        var id: Int
        var text: String
        var flag: Bool
        var missing: String?
        var present: String?
        var inner: Inner
        var optionalInner: Inner?
        var rows: [Inner]
        var texts: [String: String]
    }

    struct Reflected {
        struct Inner { var name: String; var count: Int }
        var id: Int
        var text: String
        var flag: Bool
        var missing: String?
        var present: String?
        var inner: Inner
        var optionalInner: Inner?
        var rows: [Inner]
        var texts: [String: String]
    }

    static let looked = Looked(
        id: 7, text: "A&B <x>", flag: true, missing: nil, present: "here", inner: .init(name: "in", count: 2),
        optionalInner: .init(name: "opt", count: 3), rows: [.init(name: "r1", count: 1), .init(name: "r2", count: 0)],
        texts: ["greeting": "hello"])
    static let reflected = Reflected(
        id: 7, text: "A&B <x>", flag: true, missing: nil, present: "here", inner: .init(name: "in", count: 2),
        optionalInner: .init(name: "opt", count: 3), rows: [.init(name: "r1", count: 1), .init(name: "r2", count: 0)],
        texts: ["greeting": "hello"])

    @Test func everyPropertyIsFoundAsByReflection() {
        PageLookupTests.agrees(Self.looked)
        PageLookupTests.agrees(Self.looked.inner)
        #expect(Self.looked.child(named: "missing") == nil)
        #expect(Self.looked.child(named: "present") as? String == "here")
        #expect((Self.looked.child(named: "optionalInner") as? Looked.Inner)?.name == "opt")
        // The pages' own models, with nil and non-nil optionals.
        PageLookupTests.agrees(LedgerPages.QueuesPage.Request(id: 4, partner: "P1", program: "MDF", activity: "fair", dates: "d", planned: "1.00"))
        PageLookupTests.agrees(LedgerPages.QueuesPage.Proof(name: "a.pdf", link: "/x"))
        PageLookupTests.agrees(MessagePage(heading: "h", text: "t"))
        PageLookupTests.agrees(LoginPage(t: ["a": "b"], loginCSRF: "c", failed: false, refusal: nil))
        PageLookupTests.agrees(LoginPage(t: [:], loginCSRF: "c", failed: true, refusal: "busy"))
        PageLookupTests.agrees(
            PageFrame(lang: "en", otherLang: "nl", t: [:], title: "T", user: .init(name: "n", admin: true, csrf: "c", partnerLink: nil)))
        PageLookupTests.agrees(PageFrame.SignedIn(name: "n", admin: false, csrf: "c", partnerLink: "/partners/P1"))
    }

    /// The same template over the same values renders the same bytes, whichever way names are found.
    @Test func aPageRendersAsByReflection() throws {
        let template = """
            {{id}} {{text}} {{{text}}} {{#flag}}yes {{id}}{{/flag}}{{^missing}}none{{/missing}}{{#present}}[{{.}}]{{/present}}
            {{#inner}}{{name}}={{count}} {{id}}{{/inner}}{{#optionalInner}}<{{name}}>{{/optionalInner}}
            {{#rows}}{{name}}:{{count}}{{#count}}+{{/count}}{{^count}}-{{/count}} {{text}};{{/rows}}{{texts.greeting}} {{#texts}}{{greeting}}{{/texts}}
            {{noSuchName}}|{{inner.name}}|{{optionalInner.count}}
            """
        let library = MustacheLibrary(templates: ["page": try MustacheTemplate(string: template)])
        let looked = try #require(library.render(Self.looked, withTemplate: "page"))
        let reflected = try #require(library.render(Self.reflected, withTemplate: "page"))
        #expect(looked == reflected)
        #expect(looked.contains("7 A&amp;B &lt;x&gt; A&B <x> yes 7none[here]"))
        #expect(looked.contains("in=2 7<opt>"))
        #expect(looked.contains("r1:1+ A&amp;B &lt;x&gt;;r2:0+ A&amp;B &lt;x&gt;;hello hello"))
        #expect(looked.hasSuffix("|in|3"))
    }
}
