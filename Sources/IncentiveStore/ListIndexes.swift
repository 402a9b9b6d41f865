import GRDB

/// `v20-list-indexes`: the two indexes of `run_partner_totals` that order the lists by amount hold only the amounts other
/// than zero (`Workspace.largestFirst` reads the zeros in the order of the key).
enum ListIndexes {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v20-list-indexes", foreignKeyChecks: .immediate) { db in
            try db.execute(
                sql: """
                    DROP INDEX run_partner_totals_by_paid;
                    DROP INDEX run_partner_totals_by_missed;
                    CREATE INDEX run_partner_totals_by_paid
                        ON run_partner_totals(run_id, program_id, amount_cents DESC, partner_id, status) WHERE amount_cents <> 0;
                    CREATE INDEX run_partner_totals_by_missed
                        ON run_partner_totals(run_id, program_id, missed_amount_cents DESC, partner_id, status) WHERE missed_amount_cents <> 0;
                    """)
        }
    }
}
