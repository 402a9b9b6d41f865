import GRDB

/// Indexes a partner's statement reads through (issue 17, "Speed": a statement page with 1,000,000 ledger entries
/// in the workspace). `v9-ledger` indexed the entries by partner but left the payments and the approvals to be
/// scanned: a statement read every payment of every partner (one full scan of `payments` per program shown).
enum StatementSchema {
    /// Adds the migration `v11-statement-indexes` (after `v10-funds`).
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
}
