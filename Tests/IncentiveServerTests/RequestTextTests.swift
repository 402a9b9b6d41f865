import Foundation
import HTTPTypes
import Hummingbird
import Testing

@testable import IncentiveServer

/// The partner page's own small text helpers against the library calls they replace (on every page, so they
/// were made cheaper): `URLText.encode` against Foundation's percent-encoding, `Request.cookie` against
/// Hummingbird's `cookies[name]`.
@Suite struct RequestTextTests {
    @Test func encodingMatchesFoundationsPercentEncoding() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("AZaz09-._~ /?&=%#+é€\"'<>;:,\u{1F600}\u{0}\t")
        var texts = ["", "P000001", "a b", "é", "100%", "x/y?z=1&w=2", "~-._", "\u{1F600}"]
        for _ in 0..<2_000 {
            texts.append(String((0..<Int.random(in: 0...12, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! }))
        }
        for text in texts {
            #expect(URLText.encode(text) == text.addingPercentEncoding(withAllowedCharacters: URLText.unreserved), "\(text.debugDescription)")
        }
        #expect(URLText.encode("a b/é") == "a%20b%2F%C3%A9")
        #expect(URLText.link("/partners", [("q", "a&b"), ("page", "2")]) == "/partners?q=a%26b&page=2")
    }

    @Test func aTokenIsTrimmedAsFoundationTrimsIt() {
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array(" \t\n\u{0B}\u{A0}\u{2003}ab_09é")
        var texts: [Substring] = ["", " ", "inc_abc", "  inc_abc\t ", "\tx y\t", "\u{A0}inc\u{2003}", "\n inc \n"]
        for _ in 0..<2_000 {
            texts.append(Substring(String((0..<Int.random(in: 0...8, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })))
        }
        for text in texts {
            #expect(Authenticator.trimmed(text) == String(text).trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
    }

    @Test func aCookieIsFoundAsHummingbirdFindsIt() {
        let headers: [[String]] = [
            [], ["incentives_session=abc"], ["lang=nl; incentives_session=abc"], ["a=1;incentives_session=x=y;lang=en"],
            ["  lang=nl ;  incentives_session= spaced"], ["incentives_session"], ["incentives_session=; lang="],
            ["lang=nl", "incentives_session=second"],
            ["incentives_session=first; incentives_session=second"], ["xincentives_session=no; incentives_sessionx=no"], [";;; lang=en;;"],
            ["\tlang=en;\u{0B}a=\u{0C}"], ["\u{A0}lang=nl; a=é"], ["naïve=1; lang=x"], ["lang=nl", "\u{2003}incentives_session=wide"],
        ]
        for values in headers {
            var fields = HTTPFields()
            for value in values { fields.append(HTTPField(name: .cookie, value: value)) }
            let request = Request(
                head: HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: "/", headerFields: fields), body: .init(buffer: .init())
            )
            for name in ["incentives_session", "lang", "a", "missing"] {
                #expect(request.cookie(name).map(String.init) == request.cookies[name]?.value, "\(values) \(name)")
            }
        }
    }
}
