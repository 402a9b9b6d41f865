import GRDB

/// The MDF funds wallet's tables (issue 17, ledger.md "MDF funds"): fund requests, claims and their proof
/// files; each decision is a new event row, so a request's or a claim's state is its latest event. Allocations,
/// paid claims and lapsed funds are `ledger_entries` (LedgerSchema). Append-only like every ledger table.
///
/// `seq` orders the rows of the four event tables together (one more than the largest of any of them, taken inside
/// the write transaction): a wallet replays its events in that order within a day, also when two operations share
/// a timestamp.
enum FundsSchema {
    /// Adds the migration `v10-funds` (after `v9-ledger`).
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v10-funds") { db in
            try db.execute(
                sql: """
                    CREATE TABLE fund_requests (
                        id INTEGER PRIMARY KEY,
                        seq INTEGER NOT NULL,
                        program_id TEXT NOT NULL,
                        partner_id TEXT NOT NULL,
                        activity TEXT NOT NULL,
                        description TEXT NOT NULL,
                        planned_cost_cents INTEGER NOT NULL CHECK (planned_cost_cents > 0),
                        starts_on TEXT NOT NULL,
                        ends_on TEXT NOT NULL,
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor TEXT NOT NULL
                    );
                    CREATE INDEX fund_requests_by_partner ON fund_requests(partner_id, program_id);
                    -- A request is pending until its first event; approved_cents for 'approved', reason for 'rejected'.
                    CREATE TABLE fund_request_events (
                        id INTEGER PRIMARY KEY,
                        seq INTEGER NOT NULL,
                        request_id INTEGER NOT NULL REFERENCES fund_requests(id),
                        status TEXT NOT NULL CHECK (status IN ('approved', 'rejected', 'withdrawn')),
                        approved_cents INTEGER,
                        reason TEXT,
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor TEXT NOT NULL
                    );
                    CREATE INDEX fund_request_events_by_request ON fund_request_events(request_id, id);
                    CREATE TABLE claims (
                        id INTEGER PRIMARY KEY,
                        seq INTEGER NOT NULL,
                        request_id INTEGER NOT NULL REFERENCES fund_requests(id),
                        actual_cost_cents INTEGER NOT NULL CHECK (actual_cost_cents > 0),
                        submitted_on TEXT NOT NULL,
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor TEXT NOT NULL
                    );
                    CREATE INDEX claims_by_request ON claims(request_id);
                    -- A claim is submitted until its first event: approved_cents for 'approved', reason for
                    -- 'rejected', reference and paid_on for 'paid'.
                    CREATE TABLE claim_events (
                        id INTEGER PRIMARY KEY,
                        seq INTEGER NOT NULL,
                        claim_id INTEGER NOT NULL REFERENCES claims(id),
                        status TEXT NOT NULL CHECK (status IN ('approved', 'rejected', 'paid', 'withdrawn')),
                        approved_cents INTEGER,
                        reason TEXT,
                        reference TEXT,
                        paid_on TEXT,
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor TEXT NOT NULL
                    );
                    CREATE INDEX claim_events_by_claim ON claim_events(claim_id, id);
                    CREATE UNIQUE INDEX claim_events_paid_reference ON claim_events(reference) WHERE status = 'paid';
                    CREATE TABLE claim_proofs (
                        id INTEGER PRIMARY KEY,
                        claim_id INTEGER NOT NULL REFERENCES claims(id),
                        file_name TEXT NOT NULL,
                        content_type TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        content BLOB NOT NULL,
                        at TEXT NOT NULL,
                        actor_kind TEXT NOT NULL,
                        actor TEXT NOT NULL
                    );
                    CREATE INDEX claim_proofs_by_claim ON claim_proofs(claim_id);
                    CREATE UNIQUE INDEX fund_requests_by_seq ON fund_requests(seq);
                    CREATE UNIQUE INDEX fund_request_events_by_seq ON fund_request_events(seq);
                    CREATE UNIQUE INDEX claims_by_seq ON claims(seq);
                    CREATE UNIQUE INDEX claim_events_by_seq ON claim_events(seq);
                    """)
            for table in ["fund_requests", "fund_request_events", "claims", "claim_events", "claim_proofs"] {
                try LedgerSchema.appendOnly(db, table)
            }
        }
    }
}
