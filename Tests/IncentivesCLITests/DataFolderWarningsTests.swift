import Foundation
import Testing

/// Warnings for data that would otherwise count wrongly without a word (issue 16, point 5): a file in the data folder
/// that no command reads, and an exchange rate far from the one before it (an inverted rate).
@Suite struct DataFolderWarningsTests {
    /// A copy of the bundled example's data folder with `extra` files written into it.
    static func folder(_ extra: [String: String]) throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-warnings-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: CLI.packageRoot.appendingPathComponent("examples/data"), to: root)
        for (name, text) in extra { try text.write(to: root.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return root
    }

    /// `bookings-march.csv` is read by no command: `check`, `compute` and `import --dir` name it (and still succeed); a
    /// hidden file is passed over.
    @Test func aFileNoCommandReadsIsNamed() throws {
        let data = try Self.folder(["bookings-march.csv": "order_id,line\n", ".DS_Store": "x"])
        defer { try? FileManager.default.removeItem(at: data) }
        let expected = "bookings-march.csv: warning: no command reads this file, so its rows count nowhere"
        for command in [["check"], ["compute", "--format", "csv"]] {
            let run = try CLI.run(command + ["--data", data.path, "--programs", "examples/programs"])
            #expect(run.status == 0, "\(command): \(run.stderr)")
            #expect(run.stderr.contains(expected), "\(command): \(run.stderr)")
            #expect(!run.stderr.contains(".DS_Store"))
        }
        let workspace = data.deletingLastPathComponent().appendingPathComponent("ws-\(UUID().uuidString).sqlite")
        defer { try? FileManager.default.removeItem(at: workspace) }
        #expect(try CLI.run(["init", "--workspace", workspace.path]).status == 0)
        let programs = ["vip25-3m.yaml", "vip25-6m.yaml", "provider-mdf-fy23h2.yaml"].map { "examples/programs/\($0)" }
        #expect(try CLI.run(["programs", "add"] + programs + ["--workspace", workspace.path]).status == 0)
        let imported = try CLI.run(["import", "--dir", data.path, "--workspace", workspace.path])
        #expect(imported.status == 0, "\(imported.stderr)")
        #expect(imported.stderr.contains(expected), "\(imported.stderr)")
    }

    /// EUR 1.082375 from 2023-01-01 followed by 0.923894 (its inverse, 1 / 1.082375) from 2023-06-01: 14.6% lower, no
    /// warning; then 1.355 from 2023-07-01: (1.355 − 0.923894) / 0.923894 = 46.7% higher: named. 1.128650 -> 1.076543
    /// (2015, 4.6%) and 1.076543 -> 1.082375 (2023) are not.
    @Test func anExchangeRateFarFromTheOneBeforeIsNamed() throws {
        let fx =
            "currency,valid_from,rate\nEUR,2015-01-01,1.128650\nEUR,2015-04-01,1.076543\nEUR,2023-01-01,1.082375\n"
            + "EUR,2023-06-01,0.923894\nEUR,2023-07-01,1.355\n"
        let data = try Self.folder(["fx.csv": fx])
        defer { try? FileManager.default.removeItem(at: data) }
        let run = try CLI.run(["check", "--data", data.path, "--programs", "examples/programs"])
        #expect(run.status == 0, "\(run.stderr)")
        let warnings = run.stderr.split(separator: "\n").filter { $0.contains("more than 25% away") }
        #expect(warnings.count == 1, "\(run.stderr)")
        #expect(
            warnings.first?.contains(
                "fx.csv:6: warning: rate \"1.355\": more than 25% away from the EUR rate in force before it, 0.923894 from 2023-06-01 (line 5): check that it is not inverted"
            )
                == true, "\(run.stderr)")
    }
}
