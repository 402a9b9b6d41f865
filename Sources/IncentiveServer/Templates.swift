import Foundation
import Mustache

/// The page templates: the `.mustache` files in `Templates/`, embedded in the binary when it is built
/// (`PackageResources`), so the server needs no files at run time. `{{ }}` escapes HTML, `{{{ }}}` does not.
/// A page is `header`, its own template, then `footer`; header and footer show the `PageFrame`.
enum PageTemplate: String, CaseIterable, Sendable {
    case header, footer, login, message, overview, programs, program, partner, runs, run, diff, imports, users, log
    case statement, funds, queues
    /// Partials: the pager of every list, and a page of a run's partners.
    case pager, partners

    /// The file's bytes (UTF-8).
    var source: [UInt8] {
        switch self {
        case .header: PackageResources.header_mustache
        case .footer: PackageResources.footer_mustache
        case .login: PackageResources.login_mustache
        case .message: PackageResources.message_mustache
        case .overview: PackageResources.overview_mustache
        case .programs: PackageResources.programs_mustache
        case .program: PackageResources.program_mustache
        case .partner: PackageResources.partner_mustache
        case .runs: PackageResources.runs_mustache
        case .run: PackageResources.run_mustache
        case .diff: PackageResources.diff_mustache
        case .pager: PackageResources.pager_mustache
        case .partners: PackageResources.partners_mustache
        case .imports: PackageResources.imports_mustache
        case .users: PackageResources.users_mustache
        case .log: PackageResources.log_mustache
        case .statement: PackageResources.statement_mustache
        case .funds: PackageResources.funds_mustache
        case .queues: PackageResources.queues_mustache
        }
    }

    var fileName: String { "\(rawValue).mustache" }
}

/// A template that does not parse, or one a page asked for that is not there.
struct TemplateError: Error, CustomStringConvertible {
    var fileName: String
    var problem: String
    var description: String { "template \(fileName): \(problem)" }
}

/// The templates, parsed once per process. A template that does not parse makes every page an error
/// (a 500 logged with the reason) rather than a crash; `PageTemplateTests` parses them all.
struct Templates: Sendable {
    static let shared = Templates(PageTemplate.allCases.map { ($0.fileName, String(decoding: $0.source, as: UTF8.self)) })

    /// The parsed templates by name (the file name without `.mustache`), or why they are not.
    let library: Result<MustacheLibrary, TemplateError>
    /// Header and footer as rendered for a frame: every page shows them, and rendering a value through
    /// Mustache's reflection costs more than the rest of a cached page.
    let frames = BoundedCache<FrameKey, FrameParts>()

    /// Parses `(file name, text)` pairs. Each template escapes its values with `ByteHTML`.
    init(_ sources: [(fileName: String, text: String)]) {
        ByteHTML.register
        var templates: [String: MustacheTemplate] = [:]
        for (fileName, text) in sources {
            do {
                let name = fileName.hasSuffix(".mustache") ? String(fileName.dropLast(".mustache".count)) : fileName
                templates[name] = try MustacheTemplate(string: ByteHTML.pragma + "\n" + text)
            } catch {
                library = .failure(TemplateError(fileName: fileName, problem: "\(error)"))
                return
            }
        }
        library = .success(MustacheLibrary(templates: templates))
    }

    /// `model` shown through `template`.
    func render(_ template: PageTemplate, _ model: Any) throws(TemplateError) -> String {
        guard let html = try library.get().render(model, withTemplate: template.rawValue) else {
            throw TemplateError(fileName: template.fileName, problem: "not among the templates")
        }
        return html
    }

    /// A whole page: the header and footer around `model` shown through `template`.
    func page(_ template: PageTemplate, _ model: Any, frame: PageFrame) throws(TemplateError) -> String {
        try framed(render(template, model), in: frame)
    }

    /// `body` between the header and the footer of `frame`. The title (a partner's id, say) is put into a
    /// header rendered once per language and user, so that 100,000 partner pages share one.
    func framed(_ body: String, in frame: PageFrame) throws(TemplateError) -> String {
        let key = FrameKey(frame)
        let parts: FrameParts
        if let kept = frames[key] {
            parts = kept
        } else {
            var marked = frame
            marked.title = Self.titleMark
            let header = try render(.header, marked)
            let pieces = header.components(separatedBy: Self.titleMark)
            guard pieces.count == 2 else {
                throw TemplateError(fileName: PageTemplate.header.fileName, problem: "the header must show {{title}} exactly once")
            }
            parts = FrameParts(beforeTitle: pieces[0], afterTitle: pieces[1], footer: try render(.footer, frame))
            frames.keep(parts, for: key)
        }
        // One allocation: `a + b + c + d + e` made a new string at every `+`, copying the page four times.
        let title = Self.escape(frame.title)
        var page = ""
        page.reserveCapacity(
            parts.beforeTitle.utf8.count + title.utf8.count + parts.afterTitle.utf8.count + body.utf8.count + parts.footer.utf8.count)
        for piece in [parts.beforeTitle, title, parts.afterTitle, body, parts.footer] { page += piece }
        return page
    }

    /// Stands for the title while the header is rendered: no title has it, and HTML escaping leaves it.
    static let titleMark = "\u{1}title\u{1}"

    /// Text escaped for HTML as Mustache escapes `{{value}}`: `&`, `<`, `>`, `"` and `'` as entities (the text itself
    /// when it has none of them).
    static func escape(_ text: String) -> String {
        let special = text.utf8.contains { byte in
            byte == UInt8(ascii: "&") || byte == UInt8(ascii: "<") || byte == UInt8(ascii: ">") || byte == UInt8(ascii: "\"")
                || byte == UInt8(ascii: "'")
        }
        return special ? TextBuffer(capacity: text.utf8.count + 16).html(text).result : text
    }
}

/// The HTML escaping of every template's `{{value}}`: the five characters Mustache's own escaping replaces, found a
/// byte at a time. Mustache's walks the text a `Character` at a time and looks each up in a dictionary, which was
/// about a fifth of a Mustache page's CPU (the admins' pages at 100,000 partners, perf). The output is the same
/// bytes (`TemplateEscapingTests`), except that a `"` (or `&`, `<`, `>`, `'`) followed by a combining mark is
/// escaped too: Mustache saw one `Character` there and let the quote through, which could end an attribute.
struct ByteHTML: MustacheContentType {
    func escapeText(_ text: String) -> String { Templates.escape(text) }

    /// The name templates give it (`{{% CONTENT_TYPE: BYTEHTML}}`).
    static let name = "BYTEHTML"
    /// What each template starts with, on a line of its own (which Mustache drops: a standalone tag), so that its
    /// values are escaped by `ByteHTML` and its first line stays standalone when it is a section tag.
    static let pragma = "{{% CONTENT_TYPE: \(name)}}"
    /// Makes the content type known to Mustache's parser (once per process).
    static let register: Void = MustacheContentTypes.register(ByteHTML(), named: name)
}

/// A frame's header (in two parts around the title) and footer, rendered.
struct FrameParts: Sendable {
    var beforeTitle, afterTitle, footer: String
}

/// Everything a rendered header and footer show but the title (their texts follow from the language): the key of
/// `Templates.frames`.
struct FrameKey: Hashable, Sendable {
    var lang, otherLang: String
    var name, csrf, partnerLink: String?
    var admin: Bool

    init(_ frame: PageFrame) {
        (lang, otherLang) = (frame.lang, frame.otherLang)
        (name, csrf, partnerLink, admin) = (frame.user?.name, frame.user?.csrf, frame.user?.partnerLink, frame.user?.admin ?? false)
    }
}
