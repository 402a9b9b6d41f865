import GRDB

/// Indexes a partner's statement reads through (issue 17, "Speed": a statement page with 1,000,000 ledger entries
/// in the workspace). `v9-ledger` indexed the entries by partner but left the payments and the approvals to be
/// scanned: a statement read every payment of every partner (one full scan of `payments` per program shown).
enum StatementSchema {
    /// Adds the migrations `v11-statement-indexes` (after `v10-funds`) and `v13-statement-covering` (after
    /// `v12-incremental-runs`: `registerCovering`).
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v11-statement-indexes") { db in
            try db.execute(
                sql: """
                    -- A partner's payments of a program up to a day (the statement's payments).
                    CREATE INDEX payments_by_partner ON payments(partner_id, program_id, paid_on);
                    -- A program's approvals in the order they were made (the statement's approvals).
                    CREATE INDEX approvals_by_program ON approvals(program_id, id);
                    """)
        }
    }

    /// `v13-statement-covering`: the two partner indexes a statement reads through hold every column it reads, so that
    /// a partner's payments and entries come from a few neighbouring index pages. Through the narrow indexes each row
    /// was one more seek into its table, where a partner's rows lie apart (one payment round after another): with
    /// 1,000,000 entries that was a quarter of a statement page's CPU (bench/statement.sh, 0.41 against 0.35 ms a page
    /// on a copy with these indexes). Same names and leading columns, so every query planned through them before still is.
    static func registerCovering(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v13-statement-covering") { db in
            try db.execute(
                sql: """
                    DROP INDEX payments_by_partner;
                    CREATE INDEX payments_by_partner
                        ON payments(partner_id, program_id, paid_on, reference, id, amount_cents, currency, actor_kind, actor);
                    DROP INDEX ledger_entries_by_partner;
                    CREATE INDEX ledger_entries_by_partner ON ledger_entries(
                        partner_id, program_id, effective_on, id, kind, item, amount_cents, currency, valid_through, approval_id, payment_id,
                        claim_id, allocation_id, at, actor_kind, actor);
                    """)
        }
    }
}
