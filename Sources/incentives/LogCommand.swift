import ArgumentParser
import Foundation
import IncentiveEngine
import IncentiveStore

/// `incentives log`: the workspace's audit log, newest first (docs/workspace.md "Audit log").
struct Log: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the audit log: who imported, added a program version, enrolled, ran or changed an account, and when.",
        discussion: """
            Newest first. The actor is the server account that made the change (account) or the operating-system \
            user that ran the command (os_user). An operation that changed nothing (an identical program, an \
            enrolment already so) writes no entry. Actions: \(AuditAction.allCases.map(\.rawValue).joined(separator: ", ")).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, csv, json }

    @Option(help: ArgumentHelp("Show at most this many entries, the newest.", valueName: "N"))
    var limit = 50

    @Option(
        help: ArgumentHelp(
            "Only entries at or after this moment: YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS[.fff]], in UTC unless it ends with Z or ±HH:MM.",
            valueName: "date-time"))
    var since: String?

    @Option(help: ArgumentHelp("Only entries of this actor (an account or operating-system user name, exactly).", valueName: "name"))
    var actor: String?

    @Option(help: ArgumentHelp("Only entries of this action (import, program_add, enroll, unenroll, run, user_add, ...).", valueName: "action"))
    var action: String?

    @Option(help: "Output format: text, csv or json.")
    var format: Format = .text

    @OptionGroup var workspace: WorkspaceOption

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit \(limit): give the number of entries to show, 1 or more") }
        if let since, AuditLog.timestamp(from: since) == nil {
            throw ValidationError(
                "--since \"\(Diagnostic.escaped(since))\": expected a date YYYY-MM-DD or a date and time YYYY-MM-DDTHH:MM[:SS[.fff]] (UTC unless it ends with Z or ±HH:MM)"
            )
        }
        if let action, AuditAction(rawValue: action) == nil {
            throw ValidationError(
                "--action \"\(Diagnostic.escaped(action))\": expected one of \(AuditAction.allCases.map(\.rawValue).joined(separator: ", "))")
        }
    }

    func run() throws {
        let filter = AuditFilter(since: since.flatMap(AuditLog.timestamp(from:)), actor: actor, action: action)
        let page = try workspace.attempt { try $0.auditLog(filter, offset: 0, limit: limit) }
        switch format {
        case .text:
            let filtered = filter != AuditFilter()
            Output.standardOutput(Output.forPeople(LogText.table(page.items, total: page.total, filtered: filtered)))
        case .csv: Output.standardOutput(LogText.csv(page.items))
        case .json: Output.standardOutput(try LogText.json(page.items, total: page.total))
        }
    }
}

/// The audit log as `incentives log` writes it.
enum LogText {
    static let header = ["id", "at", "actor", "action", "subject", "detail"]

    /// Columns lined up, the detail last (not padded); a last line when more entries than shown match.
    static func table(_ entries: [AuditEntry], total: Int, filtered: Bool) -> String {
        if entries.isEmpty { return filtered ? "no audit entries match\n" : "the audit log has no entries yet\n" }
        let rows = entries.map { entry in
            [String(entry.id), entry.at, entry.actor.description, entry.action, entry.subject ?? "", entry.detail ?? ""]
        }
        var widths = header.map(\.count)
        for row in rows {
            for index in 0..<(header.count - 1) { widths[index] = max(widths[index], row[index].count) }
        }
        func line(_ cells: [String]) -> String {
            let padded = cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
            }
            return padded.joined(separator: "  ").replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) + "\n"
        }
        var text = line(header) + rows.map(line).joined()
        if total > entries.count { text += "(\(entries.count) of \(total) entries shown, newest first; see --limit)\n" }
        return text
    }

    /// `id,at,actor_kind,actor,action,subject,detail`, one line per entry, RFC 4180.
    static func csv(_ entries: [AuditEntry]) -> String {
        var text = "id,at,actor_kind,actor,action,subject,detail\n"
        for entry in entries {
            let fields = [
                String(entry.id), entry.at, entry.actor.kind.rawValue, entry.actor.name, entry.action, entry.subject ?? "", entry.detail ?? "",
            ]
            text += fields.map(ResultsCSV.field).joined(separator: ",") + "\n"
        }
        return text
    }

    struct Document: Encodable {
        struct Entry: Encodable {
            var id: Int
            var at, actorKind, actor, action: String
            var subject, detail: String?
            enum CodingKeys: String, CodingKey {
                case id, at, actor, action, subject, detail
                case actorKind = "actor_kind"
            }

            // Absent subject and detail are written as null, so every entry has the same keys.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(id, forKey: .id)
                try container.encode(at, forKey: .at)
                try container.encode(actorKind, forKey: .actorKind)
                try container.encode(actor, forKey: .actor)
                try container.encode(action, forKey: .action)
                try container.encode(subject, forKey: .subject)
                try container.encode(detail, forKey: .detail)
            }
        }
        var entries: [Entry]
        var total: Int
    }

    /// `{"entries": [...], "total": N}`: `total` counts every entry the filters let through.
    static func json(_ entries: [AuditEntry], total: Int) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let document = Document(
            entries: entries.map {
                Document.Entry(
                    id: $0.id, at: $0.at, actorKind: $0.actor.kind.rawValue, actor: $0.actor.name, action: $0.action, subject: $0.subject,
                    detail: $0.detail)
            }, total: total)
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }
}
