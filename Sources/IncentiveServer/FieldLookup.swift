import Mustache
@_spi(Reflection) import Swift
import Synchronization

/// Mustache's lookup of a name in a page model, answered from a table of the type's stored properties made
/// once per type, instead of by `Mirror` on every lookup.
///
/// Without it, Mustache reflects on the model with `Mirror` for each name a template asks for (and for each
/// model on its context stack while it looks): that was about 40% of the CPU of the queues, imports, programs
/// and funds pages at 100,000 partners (perf, issue 13). The partner and statement pages are written without
/// Mustache (`PartnerHTML`, `StatementHTML`); the list pages' row models answer by hand (`ListLookup.swift`).
///
/// `child(named:)` answers exactly what Mustache's `Mirror` lookup would: the stored property of that name,
/// an optional's wrapped value (nil when it is nil), and nil for a name the type has not, so that the lookup
/// goes on to the models around it. `FieldLookupTests` checks it against `Mirror`.
protocol FieldLookup: MustacheParent {}

extension FieldLookup {
    func child(named name: String) -> Any? {
        switch FieldTables.shared.table(for: Self.self) {
        case .fields(let paths):
            guard let path = paths[name], let value = self[keyPath: path] else { return nil }
            return FieldTables.unwrapped(value)
        case .reflect:
            // A type the runtime could not list (none of the pages' models): as Mustache does it.
            guard let value = Mirror(reflecting: self).children.first(where: { $0.label == name })?.value else { return nil }
            return FieldTables.unwrapped(value)
        }
    }
}

/// Each model type's stored properties by name, as key paths: listed once per type, then kept.
final class FieldTables: Sendable {
    static let shared = FieldTables()

    enum Table: @unchecked Sendable {
        /// Key paths are immutable values; the dictionary is never changed once made.
        case fields([String: AnyKeyPath])
        case reflect
    }

    private let tables = Mutex<[ObjectIdentifier: Table]>([:])

    func table<T>(for type: T.Type) -> Table {
        let id = ObjectIdentifier(type)
        if let kept = tables.withLock({ $0[id] }) { return kept }
        var paths: [String: AnyKeyPath] = [:]
        let listed = _forEachFieldWithKeyPath(of: type) { name, path in
            paths[String(cString: name)] = path
            return true
        }
        let table: Table = listed ? .fields(paths) : .reflect
        tables.withLock { $0[id] = table }
        return table
    }

    /// An optional's wrapped value (nil for nil), anything else as it is: what Mustache's `unwrapOptional` does.
    static func unwrapped(_ value: Any) -> Any? {
        guard let optional = value as? any OptionalValue else { return value }
        return optional.wrappedAny
    }
}

/// An `Optional` seen through `Any`.
private protocol OptionalValue {
    var wrappedAny: Any? { get }
}

extension Optional: OptionalValue {
    fileprivate var wrappedAny: Any? { self.map { $0 } }
}

// The pages' models (those not answering by hand already).
extension PageFrame: FieldLookup {}
extension PageFrame.SignedIn: FieldLookup {}
extension LoginPage: FieldLookup {}
extension MessagePage: FieldLookup {}
extension OverviewPage: FieldLookup {}
extension OverviewPage.Program: FieldLookup {}
extension OverviewPage.Program.StatusCount: FieldLookup {}
extension OverviewPage.Standing: FieldLookup {}
extension ProgramsPage: FieldLookup {}
extension ProgramsPage.Program: FieldLookup {}
extension ProgramPage: FieldLookup {}
extension ProgramPage.Threshold: FieldLookup {}
extension ProgramPage.VIP: FieldLookup {}
extension ProgramPage.VIP.Subtrack: FieldLookup {}
extension ProgramPage.VIP.Subtrack.Entry: FieldLookup {}
extension ProgramPage.VIP.Subtrack.RateTiers: FieldLookup {}
extension ProgramPage.VIP.Subtrack.RateTiers.Step: FieldLookup {}
extension ProgramPage.VIP.Subtrack.Attach: FieldLookup {}
extension ProgramPage.VIP.Subtrack.Attach.Band: FieldLookup {}
extension ProgramPage.MDF: FieldLookup {}
extension ProgramPage.MDF.Rule: FieldLookup {}
extension ProgramPage.MDF.Tier: FieldLookup {}
extension RunsPage: FieldLookup {}
extension RunPage: FieldLookup {}
extension RunPage.ProgramTab: FieldLookup {}
extension Download: FieldLookup {}
extension DiffPage: FieldLookup {}
extension DiffPage.ProgramChange: FieldLookup {}
extension DiffPage.Import: FieldLookup {}
extension DiffPage.LineRow: FieldLookup {}
extension DiffPage.LineRow.Column: FieldLookup {}
extension ImportsPage: FieldLookup {}
extension ImportsPage.Problem: FieldLookup {}
extension ImportsPage.Preview: FieldLookup {}
extension ImportsPage.Preview.Row: FieldLookup {}
extension UsersPage: FieldLookup {}
extension UsersPage.User: FieldLookup {}
extension UsersPage.User.Token: FieldLookup {}
extension LedgerPages.StatementPage: FieldLookup {}
extension LedgerPages.StatementPage.Item: FieldLookup {}
extension LedgerPages.StatementPage.Approval: FieldLookup {}
extension LedgerPages.StatementPage.Payment: FieldLookup {}
extension LedgerPages.StatementPage.Entry: FieldLookup {}
extension LedgerPages.StatementPage.Program: FieldLookup {}
extension LedgerPages.FundsPage: FieldLookup {}
extension LedgerPages.FundsPage.Figure: FieldLookup {}
extension LedgerPages.FundsPage.Allocation: FieldLookup {}
extension LedgerPages.FundsPage.Request: FieldLookup {}
extension LedgerPages.FundsPage.Claim: FieldLookup {}
extension LedgerPages.FundsPage.Wallet: FieldLookup {}
extension LedgerPages.QueuesPage: FieldLookup {}
extension LedgerPages.QueuesPage.Request: FieldLookup {}
extension LedgerPages.QueuesPage.Claim: FieldLookup {}
extension LedgerPages.QueuesPage.Proof: FieldLookup {}
extension LedgerPages.QueuesPage.RunOption: FieldLookup {}
extension LedgerPages.RunApprovals: FieldLookup {}
extension LedgerPages.RunApprovals.Line: FieldLookup {}
extension LedgerPages.RunApprovalsModel: FieldLookup {}
extension LogPage: FieldLookup {}
extension LogPage.Entry: FieldLookup {}
extension LogPage.Choice: FieldLookup {}
