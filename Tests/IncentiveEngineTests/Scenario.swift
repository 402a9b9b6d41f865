import Foundation
import IncentiveEngine

/// A small dataset and programs written to a fresh temporary folder, then loaded and computed
/// through the same path the CLI takes.
struct Scenario {
    var files: [String: String] = [:]
    var programs: [String: String] = [:]

    static let partnersHeader = "partner_id,name,country,tier,provider\n"
    static let bookingsHeader = "order_id,line,partner_id,booked_on,shipped_on,sku,quantity,amount,currency,intended_use\n"

    /// The UCS subtrack of formats.md, with `csat_required` and deadline configurable.
    static func vip(
        id: String = "VIP", csat: Int = 0, deadline: String = "period_end", counting: String = "booked_on",
        subtracks: String = """
              - id: ucs
                rebate_percent: 6
                products: ["UCS-*"]
                requires_any: [ADV-UCT]
                minimum_volume: {default: 75000, NL: 57500}
        """
    ) -> String {
        // Re-indent the subtracks under `subtracks:` whatever their indentation in the caller.
        let lines = subtracks.split(separator: "\n", omittingEmptySubsequences: true)
        let common = lines.map { $0.prefix { $0 == " " }.count }.min() ?? 0
        let indented = lines.map { "      " + $0.dropFirst(common) }.joined(separator: "\n")
        return """
            id: \(id)
            kind: vip
            currency: USD
            period: {start: 2015-01-25, end: 2015-07-25}
            count_bookings_by: \(counting)
            csat_required: \(csat)
            knowledge_deadline: \(deadline)
            eligible_tiers: [gold, premier, select]
            tracks:
              - id: dc
                subtracks:
            \(indented)
            """
    }

    static let mdf = """
        id: MDF
        kind: mdf
        currency: USD
        period: {start: 2023-01-29, end: 2023-07-29}
        intended_use_rules:
          - {counts: any}
          - {from: 2023-02-01, counts: [managed_services]}
        tiers:
          gold:    {accrual_percent: 2,   minimum_volume: 0,     requires_strategic_service: true}
          premier: {accrual_percent: 1.5, requires_strategic_service: true}
          select:  {accrual_percent: 1,   minimum_volume: 50000}
        """

    /// Writes the files and returns (data folder, programs folder).
    func write() throws -> (data: String, programs: String) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("incentives-\(UUID().uuidString)")
        let data = root.appendingPathComponent("data"), programsFolder = root.appendingPathComponent("programs")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: programsFolder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(to: data.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        for (name, text) in programs { try text.write(to: programsFolder.appendingPathComponent(name), atomically: true, encoding: .utf8) }
        return (data.path, programsFolder.path)
    }

    func load(trace: String? = nil) throws -> LoadedInput {
        let (data, programsFolder) = try write()
        defer { try? FileManager.default.removeItem(atPath: (data as NSString).deletingLastPathComponent) }
        return try Engine.load(dataDirectory: data, programsDirectory: programsFolder, tracePartner: trace)
    }

    func compute() throws -> ComputeResult { Engine.compute(try load()) }

    /// The results CSV lines without the header.
    func csvRows() throws -> [String] {
        ResultsCSV.render(try compute().rows).split(separator: "\n").dropFirst().map(String.init)
    }

    /// The problems, when loading fails.
    func problems() throws -> [String] {
        do {
            _ = try load()
            return []
        } catch let report as DiagnosticReport {
            return report.errorLines
        }
    }
}
