import IncentiveEngine
import Testing

/// The MDF wallet's program keys (issue 17, ledger.md "MDF funds"): `funds_valid_months` (1 to 120, default 12)
/// and `claim_within_days` (0 to 3660, default 28).
@Suite struct FundsKeysTests {
    /// Scenario.mdf with `extra` lines appended at the top level.
    static func yaml(_ extra: String = "") -> String { Scenario.mdf + (extra.isEmpty ? "" : "\n" + extra) }

    static func parse(_ text: String) -> (program: Program?, errors: [String]) {
        var collector = DiagnosticCollector()
        let program = ProgramLoader.parse(yaml: text, file: "mdf.yaml", collector: &collector)
        let errors = collector.lines(severity: .error)
        return (errors.isEmpty ? program : nil, errors)
    }

    static func rules(_ program: Program?) throws -> MDFRules {
        guard case .mdf(let rules) = try #require(program).rules else {
            Issue.record("not an mdf program")
            throw CancellationError()
        }
        return rules
    }

    @Test func defaultsWhenAbsent() throws {
        let parsed = Self.parse(Self.yaml())
        #expect(parsed.errors == [])
        let rules = try Self.rules(parsed.program)
        #expect(rules.fundsValidMonths == 12)
        #expect(rules.claimWithinDays == 28)
    }

    @Test(arguments: [
        ("funds_valid_months: 6\nclaim_within_days: 14", 6, 14), ("funds_valid_months: 1\nclaim_within_days: 0", 1, 0),
        ("funds_valid_months: 120\nclaim_within_days: 3660", 120, 3660),
    ])
    func valuesRead(keys: String, months: Int, days: Int) throws {
        let parsed = Self.parse(Self.yaml(keys))
        #expect(parsed.errors == [])
        let rules = try Self.rules(parsed.program)
        #expect(rules.fundsValidMonths == months)
        #expect(rules.claimWithinDays == days)
    }

    /// Out of range or not a whole number: the error names the file, the line, the key and the value. The key's line is
    /// the one after Scenario.mdf's 11 lines.
    @Test(arguments: [
        ("funds_valid_months: 0", "mdf.yaml:12: funds_valid_months \"0\": expected a number of months from 1 to 120"),
        ("funds_valid_months: 121", "mdf.yaml:12: funds_valid_months \"121\": expected a number of months from 1 to 120"),
        ("funds_valid_months: -3", "mdf.yaml:12: funds_valid_months \"-3\": expected a whole number, 0 or more"),
        ("funds_valid_months: twelve", "mdf.yaml:12: funds_valid_months \"twelve\": expected a whole number, 0 or more"),
        ("claim_within_days: 3661", "mdf.yaml:12: claim_within_days \"3661\": expected a number of days from 0 to 3660"),
        ("claim_within_days: -1", "mdf.yaml:12: claim_within_days \"-1\": expected a whole number, 0 or more"),
        ("claim_within_days: 2.5", "mdf.yaml:12: claim_within_days \"2.5\": expected a whole number, 0 or more"),
    ])
    func outOfRangeNamesKeyAndValue(keys: String, expected: String) {
        let parsed = Self.parse(Self.yaml(keys))
        #expect(parsed.program == nil)
        #expect(parsed.errors == [expected])
    }

    /// A VIP program does not know the keys: they are refused as unknown, not silently ignored.
    @Test func vipProgramRefusesTheKeys() {
        let parsed = Self.parse(Scenario.vip() + "\nfunds_valid_months: 6")
        #expect(parsed.program == nil)
        #expect(parsed.errors.count == 1)
        #expect(parsed.errors.first?.contains("funds_valid_months") == true)
    }

    @Test func changesListed() throws {
        let before = try #require(Self.parse(Self.yaml()).program)
        let after = try #require(Self.parse(Self.yaml("funds_valid_months: 6\nclaim_within_days: 30")).program)
        #expect(ProgramChanges.between(before, after) == ["funds_valid_months: 12 -> 6", "claim_within_days: 28 -> 30"])
        #expect(ProgramChanges.between(after, after) == [])
        let onlyDays = try #require(Self.parse(Self.yaml("claim_within_days: 28")).program)
        #expect(ProgramChanges.between(before, onlyDays) == [])
    }
}
