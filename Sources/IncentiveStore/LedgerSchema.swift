import GRDB

/// The ledger's tables (issue 17, ledger.md): approvals, program closures, payments and the entries they post.
/// Every table is append-only: triggers refuse each UPDATE and DELETE, so a correction is always a new row.
/// Who and when: `at` (a workspace timestamp), `actor_kind` and `actor` as in the audit log.
enum LedgerSchema {
    /// Adds the migration `v9-ledger` (after `v8-audit-log`).
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v9-ledger") { db in
            try db.execute(
                sql: """
                    -- One approval of one program's rows in a stored run.
                    CREATE TABLE approvals (
                        id INTEGER PRIMARY KEY,
                        run_id INTEGER NOT NULL REFERENCES runs(id),
                        program_id TEXT NOT NULL,
                        kind TEXT NOT NULL CHECK (kind IN ('interim', 'final')),
                        approved_on TEXT NOT NULL,
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor TEXT NOT NULL,
                        UNIQUE (run_id, program_id, kind)
                    );
                    -- Whether a program is closed: its latest row (1 after a final approval, 0 after a reopen).
                    CREATE TABLE program_closures (
                        id INTEGER PRIMARY KEY,
                        program_id TEXT NOT NULL,
                        closed INTEGER NOT NULL CHECK (closed IN (0, 1)),
                        approval_id INTEGER REFERENCES approvals(id),
                        reason TEXT,
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor TEXT NOT NULL
                    );
                    CREATE INDEX program_closures_by_program ON program_closures(program_id, id);
                    CREATE TABLE payments (
                        id INTEGER PRIMARY KEY,
                        reference TEXT NOT NULL UNIQUE,
                        program_id TEXT NOT NULL,
                        partner_id TEXT NOT NULL,
                        amount_cents INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        paid_on TEXT NOT NULL,
                        file_name TEXT,
                        line INTEGER,
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor TEXT NOT NULL
                    );
                    -- The entries. amount_cents is signed as it counts toward its balance (IncentiveLedger.EntryKind).
                    CREATE TABLE ledger_entries (
                        id INTEGER PRIMARY KEY,
                        kind TEXT NOT NULL CHECK (kind IN ('entitlement', 'payment', 'allocation', 'claim_paid', 'expired')),
                        program_id TEXT NOT NULL,
                        partner_id TEXT NOT NULL,
                        item TEXT,
                        amount_cents INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        effective_on TEXT NOT NULL,
                        valid_through TEXT,
                        approval_id INTEGER REFERENCES approvals(id),
                        payment_id INTEGER REFERENCES payments(id),
                        claim_id INTEGER,
                        allocation_id INTEGER REFERENCES ledger_entries(id),
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor TEXT NOT NULL
                    );
                    CREATE INDEX ledger_entries_by_partner ON ledger_entries(partner_id, program_id, effective_on);
                    CREATE INDEX ledger_entries_by_approval ON ledger_entries(approval_id);
                    """)
            for table in ["approvals", "program_closures", "payments", "ledger_entries"] {
                try appendOnly(db, table)
            }
        }
    }

    /// Triggers that refuse every UPDATE and DELETE of `table`.
    static func appendOnly(_ db: Database, _ table: String) throws {
        try db.execute(
            sql: """
                CREATE TRIGGER \(table)_no_update BEFORE UPDATE ON \(table)
                BEGIN SELECT RAISE(ABORT, '\(table) is append-only: a row is never changed'); END;
                CREATE TRIGGER \(table)_no_delete BEFORE DELETE ON \(table)
                BEGIN SELECT RAISE(ABORT, '\(table) is append-only: a row is never deleted'); END;
                """)
    }
}
