import GRDB

/// The workspace schema, built by migrations. Never edit a shipped migration: add a new one.
///
/// Values are stored as the formats.md files hold them, normalised: dates as ISO text
/// (`2015-03-01`), money as integer cents, codes upper-case, tiers and intended uses lower-case,
/// so that `sqlite3 incentives.sqlite` shows readable rows.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE workspace_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);

                    CREATE TABLE partners (
                        partner_id TEXT PRIMARY KEY NOT NULL,
                        name TEXT NOT NULL,
                        country TEXT NOT NULL,
                        tier TEXT NOT NULL,
                        provider INTEGER NOT NULL
                    );
                    CREATE TABLE credentials (
                        partner_id TEXT NOT NULL REFERENCES partners(partner_id),
                        credential TEXT NOT NULL,
                        achieved_on TEXT NOT NULL,
                        expires_on TEXT,
                        PRIMARY KEY (partner_id, credential, achieved_on)
                    ) WITHOUT ROWID;
                    CREATE TABLE csat (
                        survey_id TEXT PRIMARY KEY NOT NULL,
                        partner_id TEXT NOT NULL REFERENCES partners(partner_id),
                        submitted_on TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE INDEX csat_by_partner ON csat(partner_id);
                    CREATE TABLE services (
                        partner_id TEXT NOT NULL REFERENCES partners(partner_id),
                        service TEXT NOT NULL,
                        strategic INTEGER NOT NULL,
                        active_from TEXT NOT NULL,
                        active_until TEXT,
                        PRIMARY KEY (partner_id, service, active_from)
                    ) WITHOUT ROWID;
                    CREATE TABLE enrollments (
                        partner_id TEXT NOT NULL REFERENCES partners(partner_id),
                        program TEXT NOT NULL,
                        subtrack TEXT NOT NULL,
                        enrolled_on TEXT NOT NULL,
                        PRIMARY KEY (partner_id, program, subtrack)
                    ) WITHOUT ROWID;
                    CREATE TABLE products (
                        sku TEXT PRIMARY KEY NOT NULL,
                        description TEXT,
                        family TEXT
                    ) WITHOUT ROWID;
                    CREATE TABLE fx_rates (
                        currency TEXT NOT NULL,
                        valid_from TEXT NOT NULL,
                        rate_micros INTEGER NOT NULL,
                        PRIMARY KEY (currency, valid_from)
                    ) WITHOUT ROWID;
                    CREATE TABLE bookings (
                        order_id TEXT NOT NULL,
                        line TEXT NOT NULL,
                        partner_id TEXT NOT NULL REFERENCES partners(partner_id),
                        booked_on TEXT NOT NULL,
                        shipped_on TEXT,
                        sku TEXT NOT NULL,
                        quantity TEXT,
                        amount_cents INTEGER NOT NULL,
                        currency TEXT NOT NULL,
                        intended_use TEXT NOT NULL,
                        PRIMARY KEY (order_id, line)
                    ) WITHOUT ROWID;
                    CREATE INDEX bookings_by_partner ON bookings(partner_id);

                    CREATE TABLE imports (
                        id INTEGER PRIMARY KEY,
                        imported_at TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        file_name TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        rows INTEGER NOT NULL,
                        added INTEGER NOT NULL,
                        changed INTEGER NOT NULL,
                        unchanged INTEGER NOT NULL
                    );

                    CREATE TABLE program_versions (
                        program_id TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        kind TEXT NOT NULL,
                        definition TEXT NOT NULL,
                        digest TEXT NOT NULL,
                        file_name TEXT NOT NULL,
                        added_at TEXT NOT NULL,
                        PRIMARY KEY (program_id, version)
                    );

                    CREATE TABLE runs (
                        id INTEGER PRIMARY KEY,
                        started_at TEXT NOT NULL,
                        finished_at TEXT NOT NULL,
                        engine_version TEXT NOT NULL,
                        data_digest TEXT NOT NULL,
                        inputs_digest TEXT NOT NULL,
                        booking_lines INTEGER NOT NULL,
                        partners INTEGER NOT NULL
                    );
                    CREATE TABLE run_programs (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        program_id TEXT NOT NULL,
                        version INTEGER NOT NULL,
                        PRIMARY KEY (run_id, program_id),
                        FOREIGN KEY (program_id, version) REFERENCES program_versions(program_id, version)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_partners (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        program_id TEXT NOT NULL,
                        partner_id TEXT NOT NULL,
                        status TEXT NOT NULL,
                        PRIMARY KEY (run_id, program_id, partner_id)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_rows (
                        id INTEGER PRIMARY KEY,
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        program_id TEXT NOT NULL,
                        partner_id TEXT NOT NULL,
                        item TEXT NOT NULL,
                        qualifying_volume_cents INTEGER NOT NULL,
                        threshold_cents INTEGER NOT NULL,
                        eligible INTEGER NOT NULL,
                        amount_cents INTEGER NOT NULL,
                        missed_amount_cents INTEGER NOT NULL,
                        reasons TEXT NOT NULL,
                        UNIQUE (run_id, program_id, partner_id, item)
                    );
                    CREATE TABLE run_checks (
                        row_id INTEGER NOT NULL REFERENCES run_rows(id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        code TEXT NOT NULL,
                        passed INTEGER NOT NULL,
                        reason TEXT,
                        explanation TEXT NOT NULL,
                        PRIMARY KEY (row_id, position)
                    ) WITHOUT ROWID;
                    """)
        }
        migrator.registerMigration("v2-accounts") { db in
            try db.execute(
                sql: """
                    CREATE TABLE users (
                        name TEXT PRIMARY KEY NOT NULL,
                        role TEXT NOT NULL CHECK (role IN ('admin', 'partner')),
                        partner_id TEXT REFERENCES partners(partner_id),
                        password_hash TEXT NOT NULL,
                        created_at TEXT NOT NULL,
                        CHECK ((role = 'partner') = (partner_id IS NOT NULL))
                    );
                    CREATE TABLE tokens (
                        token_hash TEXT PRIMARY KEY NOT NULL,
                        user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
                        created_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE sessions (
                        session_hash TEXT PRIMARY KEY NOT NULL,
                        user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
                        csrf_token TEXT NOT NULL,
                        expires_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    CREATE TABLE login_links (
                        link_hash TEXT PRIMARY KEY NOT NULL,
                        user_name TEXT NOT NULL REFERENCES users(name) ON DELETE CASCADE,
                        expires_at TEXT NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }
        // Accounts that can be taken back: users are disabled or deleted by a mark, never a
        // removed row; tokens expire and are revoked by a mark; every change is logged in account_events.
        migrator.registerMigration("v3-revocable-accounts") { db in
            try db.execute(
                sql: """
                    ALTER TABLE users ADD COLUMN disabled_at TEXT;
                    ALTER TABLE users ADD COLUMN deleted_at TEXT;
                    ALTER TABLE tokens ADD COLUMN expires_at TEXT;
                    ALTER TABLE tokens ADD COLUMN revoked_at TEXT;
                    -- Tokens made before tokens expired: 90 days from this upgrade, so none is cut off by
                    -- surprise and none lives for ever. (A token without expires_at is refused.)
                    UPDATE tokens SET expires_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '+90 days');
                    CREATE TABLE account_events (
                        id INTEGER PRIMARY KEY,
                        at TEXT NOT NULL,
                        user_name TEXT NOT NULL REFERENCES users(name),
                        event TEXT NOT NULL,
                        detail TEXT,
                        source TEXT NOT NULL
                    );
                    CREATE INDEX account_events_by_user ON account_events(user_name);
                    """)
        }
        // Lists of 100,000 partners read a page at a time: each stored (run, program, partner) with its
        // totals, indexed by paid and by missed, and partners found by a prefix of their id or name.
        // Runs stored before this migration get their totals from their rows here.
        migrator.registerMigration("v4-run-partner-totals") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run_partner_totals (
                        run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
                        program_id TEXT NOT NULL,
                        partner_id TEXT NOT NULL,
                        status TEXT NOT NULL,
                        amount_cents INTEGER NOT NULL,
                        missed_amount_cents INTEGER NOT NULL,
                        PRIMARY KEY (run_id, program_id, partner_id)
                    ) WITHOUT ROWID;
                    INSERT INTO run_partner_totals(run_id, program_id, partner_id, status, amount_cents, missed_amount_cents)
                        SELECT p.run_id, p.program_id, p.partner_id, p.status,
                               COALESCE(SUM(r.amount_cents), 0), COALESCE(SUM(r.missed_amount_cents), 0)
                        FROM run_partners p
                        LEFT JOIN run_rows r ON r.run_id = p.run_id AND r.program_id = p.program_id AND r.partner_id = p.partner_id
                        GROUP BY p.run_id, p.program_id, p.partner_id;
                    CREATE INDEX run_partner_totals_by_paid
                        ON run_partner_totals(run_id, program_id, amount_cents DESC, partner_id, status);
                    CREATE INDEX run_partner_totals_by_missed
                        ON run_partner_totals(run_id, program_id, missed_amount_cents DESC, partner_id, status);
                    CREATE INDEX partners_by_id_nocase ON partners(partner_id COLLATE NOCASE);
                    CREATE INDEX partners_by_name ON partners(name COLLATE NOCASE);
                    """)
        }
        // A partner's tier over time (formats.md §5.5, `tiers.csv`): the tier of the row with the latest
        // `valid_from` on or before a date, else that of `partners`.
        migrator.registerMigration("v5-tier-history") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tiers (
                        partner_id TEXT NOT NULL REFERENCES partners(partner_id),
                        valid_from TEXT NOT NULL,
                        tier TEXT NOT NULL,
                        PRIMARY KEY (partner_id, valid_from)
                    ) WITHOUT ROWID;
                    """)
        }
        // The facts of formats.md §5.6 that a run of a rules-v2 program keeps (issue 14), so that a stored run
        // reads back exactly as `compute` gave it: per result row how the amount is made (`run_row_rebates`,
        // its slices in `run_row_slices`) and the lines left out (`run_row_left_out`), per (program, partner)
        // the tier taken from the tier history (`run_partner_tiers`). Only rows and partners that carry such
        // facts have a row here: a v1 run writes nothing into these tables, and runs stored before this
        // migration read back without them, as before. Money is integer cents, a percent its scaled integer
        // (`…_units`) with its scale (`…_scale`: `16.5` at scale 4 is 165000, 4), days ISO text.
        migrator.registerMigration("v6-run-rules-v2") { db in
            try db.execute(
                sql: """
                    CREATE TABLE run_row_rebates (
                        row_id INTEGER PRIMARY KEY REFERENCES run_rows(id) ON DELETE CASCADE,
                        rebate_base TEXT NOT NULL CHECK (rebate_base IN ('all', 'above_minimum', 'growth')),
                        base_cents INTEGER NOT NULL,
                        tier_method TEXT CHECK (tier_method IN ('retroactive', 'marginal')),
                        percent_tier TEXT,
                        attach_volume_cents INTEGER,
                        attach_band_from_percent_units INTEGER,
                        attach_band_from_percent_scale INTEGER,
                        attach_band_percent_units INTEGER,
                        attach_band_percent_scale INTEGER,
                        attach_bonus_units INTEGER,
                        attach_bonus_scale INTEGER,
                        baseline_start TEXT,
                        baseline_end TEXT,
                        baseline_period_name TEXT,
                        baseline_sum_cents INTEGER,
                        baseline_days INTEGER,
                        program_days INTEGER,
                        baseline_amount_cents INTEGER,
                        uncapped_cents INTEGER NOT NULL,
                        cap_cents INTEGER,
                        amount_cents INTEGER NOT NULL,
                        -- An attach figure, its band and a baseline are each there whole or not at all.
                        CHECK ((attach_volume_cents IS NULL) = (attach_bonus_units IS NULL)
                            AND (attach_bonus_units IS NULL) = (attach_bonus_scale IS NULL)),
                        CHECK ((attach_band_from_percent_units IS NULL) = (attach_band_from_percent_scale IS NULL)
                            AND (attach_band_from_percent_units IS NULL) = (attach_band_percent_units IS NULL)
                            AND (attach_band_percent_units IS NULL) = (attach_band_percent_scale IS NULL)
                            AND (attach_band_percent_units IS NULL OR attach_volume_cents IS NOT NULL)),
                        CHECK ((baseline_start IS NULL) = (baseline_end IS NULL) AND (baseline_start IS NULL) = (baseline_sum_cents IS NULL)
                            AND (baseline_start IS NULL) = (baseline_days IS NULL) AND (baseline_start IS NULL) = (program_days IS NULL)
                            AND (baseline_start IS NULL) = (baseline_amount_cents IS NULL)
                            AND (baseline_period_name IS NULL OR baseline_start IS NOT NULL))
                    );
                    CREATE TABLE run_row_slices (
                        row_id INTEGER NOT NULL REFERENCES run_row_rebates(row_id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        from_cents INTEGER NOT NULL,
                        amount_cents INTEGER NOT NULL,
                        percent_units INTEGER NOT NULL,
                        percent_scale INTEGER NOT NULL,
                        total_percent_units INTEGER NOT NULL,
                        total_percent_scale INTEGER NOT NULL,
                        PRIMARY KEY (row_id, position)
                    ) WITHOUT ROWID;
                    CREATE TABLE run_row_left_out (
                        row_id INTEGER PRIMARY KEY REFERENCES run_rows(id) ON DELETE CASCADE,
                        enrolled_late_on TEXT,
                        before_enrollment_lines INTEGER NOT NULL,
                        before_enrollment_volume_cents INTEGER NOT NULL,
                        outside_product_dates_lines INTEGER NOT NULL,
                        outside_product_dates_volume_cents INTEGER NOT NULL,
                        attach_before_enrollment_lines INTEGER NOT NULL,
                        attach_before_enrollment_volume_cents INTEGER NOT NULL
                    );
                    CREATE TABLE run_partner_tiers (
                        run_id INTEGER NOT NULL,
                        program_id TEXT NOT NULL,
                        partner_id TEXT NOT NULL,
                        tier TEXT NOT NULL,
                        taken_on TEXT NOT NULL,
                        valid_from TEXT,
                        PRIMARY KEY (run_id, program_id, partner_id),
                        FOREIGN KEY (run_id, program_id, partner_id) REFERENCES run_partners(run_id, program_id, partner_id) ON DELETE CASCADE
                    ) WITHOUT ROWID;
                    """)
        }
        // Issue 16: row history (docs/workspace.md "History"). Every data table keeps its current rows, each
        // version naming the import (`imports.id`) that brought it in `added_by` (0: stored before this
        // migration, when no history was kept). A superseded or removed version moves into `<table>_history`
        // with `retired_by`, the import that changed or removed it; triggers do the moving, so no code path
        // can lose a version: an UPDATE that does not name a new import, or a DELETE while no change is being
        // written (`workspace_info` key `writing_import`), is refused. Nothing is ever deleted from a history
        // table. `imports.retired` counts the rows an import retired (`import --replace`); `runs.known_import`
        // is the last import a run's data included (NULL for runs stored before).
        migrator.registerMigration("v7-row-history") { db in
            // Each data table's columns in table order (name, type), and its key: written out here, not taken
            // from the importer, so that this migration stays as it shipped.
            let tables: [(name: String, columns: [(String, String)], key: [String])] = [
                (
                    "partners",
                    [
                        ("partner_id", "TEXT NOT NULL"), ("name", "TEXT NOT NULL"), ("country", "TEXT NOT NULL"), ("tier", "TEXT NOT NULL"),
                        ("provider", "INTEGER NOT NULL"),
                    ], ["partner_id"]
                ),
                (
                    "tiers", [("partner_id", "TEXT NOT NULL"), ("valid_from", "TEXT NOT NULL"), ("tier", "TEXT NOT NULL")],
                    ["partner_id", "valid_from"]
                ),
                (
                    "credentials",
                    [("partner_id", "TEXT NOT NULL"), ("credential", "TEXT NOT NULL"), ("achieved_on", "TEXT NOT NULL"), ("expires_on", "TEXT")],
                    ["partner_id", "credential", "achieved_on"]
                ),
                ("csat", [("survey_id", "TEXT NOT NULL"), ("partner_id", "TEXT NOT NULL"), ("submitted_on", "TEXT NOT NULL")], ["survey_id"]),
                (
                    "services",
                    [
                        ("partner_id", "TEXT NOT NULL"), ("service", "TEXT NOT NULL"), ("strategic", "INTEGER NOT NULL"),
                        ("active_from", "TEXT NOT NULL"),
                        ("active_until", "TEXT"),
                    ], ["partner_id", "service", "active_from"]
                ),
                (
                    "enrollments",
                    [("partner_id", "TEXT NOT NULL"), ("program", "TEXT NOT NULL"), ("subtrack", "TEXT NOT NULL"), ("enrolled_on", "TEXT NOT NULL")],
                    ["partner_id", "program", "subtrack"]
                ),
                ("products", [("sku", "TEXT NOT NULL"), ("description", "TEXT"), ("family", "TEXT")], ["sku"]),
                (
                    "fx_rates", [("currency", "TEXT NOT NULL"), ("valid_from", "TEXT NOT NULL"), ("rate_micros", "INTEGER NOT NULL")],
                    ["currency", "valid_from"]
                ),
                (
                    "bookings",
                    [
                        ("order_id", "TEXT NOT NULL"), ("line", "TEXT NOT NULL"), ("partner_id", "TEXT NOT NULL"), ("booked_on", "TEXT NOT NULL"),
                        ("shipped_on", "TEXT"), ("sku", "TEXT NOT NULL"), ("quantity", "TEXT"), ("amount_cents", "INTEGER NOT NULL"),
                        ("currency", "TEXT NOT NULL"),
                        ("intended_use", "TEXT NOT NULL"),
                    ], ["order_id", "line"]
                ),
            ]
            for table in tables {
                let names = table.columns.map(\.0) + ["added_by"]
                let old = names.map { "OLD.\($0)" }.joined(separator: ", ")
                try db.execute(
                    sql: """
                        ALTER TABLE \(table.name) ADD COLUMN added_by INTEGER NOT NULL DEFAULT 0;
                        CREATE TABLE \(table.name)_history (
                            \(table.columns.map { "\($0.0) \($0.1)" }.joined(separator: ",\n    "))
                            , added_by INTEGER NOT NULL
                            , retired_by INTEGER NOT NULL
                            , PRIMARY KEY (\((table.key + ["added_by"]).joined(separator: ", ")))
                        ) WITHOUT ROWID;
                        CREATE INDEX \(table.name)_history_by_retired ON \(table.name)_history(retired_by);
                        CREATE TRIGGER \(table.name)_keep_changed BEFORE UPDATE ON \(table.name)
                        BEGIN
                            SELECT RAISE(ABORT, 'a change of \(table.name) must name its import (added_by)') WHERE NEW.added_by IS OLD.added_by;
                            INSERT INTO \(table.name)_history(\(names.joined(separator: ", ")), retired_by) VALUES (\(old), NEW.added_by);
                        END;
                        CREATE TRIGGER \(table.name)_keep_removed BEFORE DELETE ON \(table.name)
                        BEGIN
                            SELECT RAISE(ABORT, 'a row of \(table.name) is removed only by a change that names its import (writing_import)')
                                WHERE (SELECT value FROM workspace_info WHERE key = 'writing_import') IS NULL;
                            INSERT INTO \(table.name)_history(\(names.joined(separator: ", ")), retired_by)
                                VALUES (\(old), CAST((SELECT value FROM workspace_info WHERE key = 'writing_import') AS INTEGER));
                        END;
                        """)
            }
            try db.execute(
                sql: """
                    CREATE INDEX bookings_history_by_partner ON bookings_history(partner_id);
                    ALTER TABLE imports ADD COLUMN retired INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE runs ADD COLUMN known_import INTEGER;
                    """)
        }
        AuditLog.register(in: &migrator)
        LedgerSchema.register(in: &migrator)
        FundsSchema.register(in: &migrator)
        StatementSchema.register(in: &migrator)
        IncrementalSchema.register(in: &migrator)
        StatementSchema.registerCovering(in: &migrator)
        IncrementalSchema.registerSharedChecks(in: &migrator)
        IncrementalSchema.registerStatusesInTotals(in: &migrator)
        IncrementalSchema.registerBookingsBounds(in: &migrator)
        AnchoredRuns.register(in: &migrator)
        BookingPacks.register(in: &migrator)
        CheckBlobs.register(in: &migrator)
        ListIndexes.register(in: &migrator)
        CheckBlobs.registerFacts(in: &migrator)
        return migrator
    }
}
