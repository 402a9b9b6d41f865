import Foundation
import IncentiveEngine
import IncentiveStore
import IncentiveSynthetic
import Testing

@testable import IncentiveServer

/// The partner page written by `PartnerHTML` is, byte for byte, `partner.mustache` rendered by Mustache:
/// for every partner of a generated workspace (names with quotes, apostrophes and ampersands, partners
/// with and without advice, counted lines, stored results) and of the example, in both languages.
@Suite struct PartnerHTMLTests {
    static func compare(_ workspace: Workspace, ids: [String], stored: Bool) throws -> Int {
        let pages = Pages(workspace: workspace, options: ServerOptions(clock: .fixed(Day(year: 2015, month: 5, day: 20)!)), cache: ResponseCache())
        var compared = 0
        for id in ids {
            let input = try workspace.loadInput(tracePartner: id, onlyPartner: true).input
            let result = Engine.compute(input)
            let run = stored ? try workspace.partnerView(id)?.stored : nil
            for language in Language.allCases {
                let page = try #require(
                    pages.partnerPage(
                        id: id, view: PartnerView(input: input, stored: run, ledger: nil), result: result,
                        language: language))
                let expected = try Templates.shared.render(.partner, page)
                #expect(PartnerHTML.render(page) == expected, "\(id) \(language)")
                compared += 1
            }
        }
        return compared
    }

    /// A workspace of generated data (the generator's programs and files), not yet run.
    static func generated(in folder: URL, partners: Int, lines: Int, seed: UInt64) throws -> Workspace {
        try DatasetGenerator(partners: partners, lines: lines, seed: seed).write(to: folder.path)
        let workspace = try Workspace.create(at: folder.appendingPathComponent("w.sqlite").path)
        for name in try FileManager.default.contentsOfDirectory(atPath: folder.path + "/programs").sorted() {
            _ = try workspace.addProgram(file: folder.path + "/programs/" + name)
        }
        _ = try workspace.importFolder(folder.path + "/data")
        return workspace
    }

    @Test func everyGeneratedPartnerIsWrittenAsTheTemplateWritesIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-partner-html-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = try Self.generated(in: folder, partners: 400, lines: 6_000, seed: 21)
        let ids = try workspace.partners(offset: 0, limit: 1_000).items.map(\.id)
        // Without a stored run (the page says so), then with one.
        #expect(try Self.compare(workspace, ids: Array(ids.prefix(40)), stored: false) == 80)
        _ = try workspace.run()
        #expect(try Self.compare(workspace, ids: ids, stored: true) == 800)
    }

    @Test func everyExamplePartnerIsWrittenAsTheTemplateWritesIt() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-partner-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("examples")
        let workspace = try Workspace.create(at: folder.appendingPathComponent("w.sqlite").path)
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path + "/programs").sorted() where name.hasSuffix(".yaml") {
            _ = try workspace.addProgram(file: examples.path + "/programs/" + name)
        }
        _ = try workspace.importFolder(examples.path + "/data")
        _ = try workspace.run(programIDs: ["VIP25-6M"])
        let ids = try workspace.partners(offset: 0, limit: 100).items.map(\.id)
        #expect(ids.count == 13)
        #expect(try Self.compare(workspace, ids: ids, stored: true) == 26)
    }

    /// A partner with thousands of counted lines: 200 are listed per program, the page says how many
    /// there are, and it stays under 300 KB.
    @Test func aPartnerWithManyLinesListsTheFirst200() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-partner-html-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let workspace = try Self.generated(in: folder, partners: 4, lines: 12_000, seed: 5)
        _ = try workspace.run()
        let ids = try workspace.partners(offset: 0, limit: 10).items.map(\.id)
        #expect(try Self.compare(workspace, ids: ids, stored: true) == 8)
        let pages = Pages(workspace: workspace, options: ServerOptions(clock: .fixed(Day(year: 2015, month: 5, day: 20)!)), cache: ResponseCache())
        var listedMore = 0
        for id in ids {
            let input = try workspace.loadInput(tracePartner: id, onlyPartner: true).input
            let page = try #require(
                pages.partnerPage(
                    id: id, view: PartnerView(input: input, stored: nil, ledger: nil), result: Engine.compute(input), language: .en))
            for (index, program) in page.programs.enumerated() {
                // Counted here independently: the traced lines that counted in this program.
                let counted = input.totals.traced.filter {
                    switch $0.outcomes[index] {
                    case .counted, .qualifying: true
                    default: false
                    }
                }.count
                #expect(program.lines.count == min(counted, Pages.maxLines))
                if counted > Pages.maxLines {
                    listedMore += 1
                    #expect(program.moreLines == "The first 200 of \(counted) lines are listed; `incentives explain` lists them all.")
                } else {
                    #expect(program.moreLines == nil)
                }
            }
            #expect(PartnerHTML.render(page).utf8.count < 300_000)
        }
        #expect(listedMore >= 4)
    }
}
