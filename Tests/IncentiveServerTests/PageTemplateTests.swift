import Foundation
import Testing

@testable import IncentiveServer

/// The templates embedded in the binary, and the language tables they read.
@Suite struct PageTemplateTests {
    @Test func everyTemplateParses() throws {
        _ = try Templates.shared.library.get()
        for template in PageTemplate.allCases {
            // Each is there, under its name (an empty model shows the bare markup).
            #expect(try !Templates.shared.render(template, [String: String]()).isEmpty, "\(template.fileName)")
        }
    }

    /// A template that does not parse is an error naming its file, not a crash; so is every page rendered with it.
    @Test func aBrokenTemplateIsAnError() throws {
        let broken = Templates([("header.mustache", "<h1>{{title}}</h1>"), ("runs.mustache", "{{#runs}}<p>{{id}}</p>")])
        guard case .failure(let error) = broken.library else {
            Issue.record("a section without its end parsed")
            return
        }
        #expect(error.fileName == "runs.mustache")
        #expect(throws: TemplateError.self) { try broken.render(.header, ["title": "x"]) }
        // A template the library does not have.
        let partial = Templates([("header.mustache", "<h1>{{title}}</h1>")])
        #expect(try partial.render(.header, ["title": "a & b"]) == "<h1>a &amp; b</h1>")
        #expect(throws: TemplateError.self) { try partial.render(.footer, [:] as [String: String]) }
    }

    /// Header and footer are rendered once per frame and reused: a frame that differs in anything it
    /// shows (title, user, CSRF token, language) gets its own.
    @Test func framesAreReusedOnlyForTheSameFrame() throws {
        let templates = Templates([
            ("header.mustache", "<h1 lang={{lang}}>{{title}}</h1>{{#user}}{{name}} {{csrf}}{{/user}}|"), ("footer.mustache", "|{{t.footer}}"),
        ])
        func frame(_ lang: String, _ title: String, _ csrf: String?) -> PageFrame {
            PageFrame(
                lang: lang, otherLang: lang == "en" ? "nl" : "en", t: ["footer": lang], title: title,
                user: csrf.map { PageFrame.SignedIn(name: "ada", admin: true, csrf: $0, partnerLink: nil) })
        }
        #expect(try templates.framed("a", in: frame("en", "NL1001", "c1")) == "<h1 lang=en>NL1001</h1>ada c1|a|en")
        #expect(try templates.framed("b", in: frame("en", "NL1001", "c1")) == "<h1 lang=en>NL1001</h1>ada c1|b|en")
        #expect(try templates.framed("b", in: frame("en", "NL1001", "c2")) == "<h1 lang=en>NL1001</h1>ada c2|b|en")
        #expect(try templates.framed("b", in: frame("en", "NL1002", "c2")) == "<h1 lang=en>NL1002</h1>ada c2|b|en")
        #expect(try templates.framed("b", in: frame("nl", "NL1002", "c2")) == "<h1 lang=nl>NL1002</h1>ada c2|b|nl")
        #expect(try templates.framed("b", in: frame("nl", "NL1002", nil)) == "<h1 lang=nl>NL1002</h1>|b|nl")
    }

    /// Every `{{t.key}}` of every template is a key of the language tables.
    @Test func everyTextATemplateUsesIsInTheTables() throws {
        let pattern = try Regex(#"\{\{[#^/]?t\.([A-Za-z_.]+)\}\}"#)
        var used: Set<String> = []
        for template in PageTemplate.allCases {
            let text = String(decoding: template.source, as: UTF8.self)
            for match in text.matches(of: pattern) {
                let key = String(text[match.output[1].range!])
                used.insert(key)
                #expect(PageText(rawValue: key) != nil, "\(template.fileName): t.\(key)")
            }
        }
        #expect(used.contains("overview") && used.contains("signIn") && used.contains("tokens"))
    }

    /// Both languages have words for every text, and the templates' tables are exactly the keys.
    @Test func bothLanguagesHaveEveryText() {
        for key in PageText.allCases {
            #expect(!key.words.en.isEmpty && !key.words.nl.isEmpty, "\(key)")
        }
        #expect(Language.en.texts.count == PageText.allCases.count)
        #expect(Language.nl.texts["overview"] == "Overzicht")
        #expect(Language.en.text(.noStoredRun) == "No run is stored yet: nothing has been paid.")
    }
}
