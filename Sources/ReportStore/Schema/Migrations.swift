import GRDB

/// The schema, as named migrations. A migration is never edited once it has shipped: the schema
/// grows by appending new ones.
enum Migrations {
    static func register(in migrator: inout DatabaseMigrator) {
        migrator.registerMigration("001-dmarc-aggregate-reports") { db in
            try db.execute(
                sql: """
                    -- Original bytes of every input, stored once per content (SHA-256), in chunks of 1 MiB of the
                    -- original. Inputs that are not already compressed are stored zlib-deflated, chunk by chunk.
                    CREATE TABLE input_blob (
                        id INTEGER PRIMARY KEY,
                        sha256 BLOB NOT NULL UNIQUE,
                        size INTEGER NOT NULL,
                        encoding TEXT NOT NULL CHECK (encoding IN ('identity', 'deflate'))
                    );
                    CREATE TABLE input_chunk (
                        blob_id INTEGER NOT NULL REFERENCES input_blob(id),
                        seq INTEGER NOT NULL,
                        data BLOB NOT NULL,
                        PRIMARY KEY (blob_id, seq)
                    );

                    -- One row per distinct input content: a file, later a mail message.
                    CREATE TABLE input (
                        id INTEGER PRIMARY KEY,
                        blob_id INTEGER NOT NULL UNIQUE REFERENCES input_blob(id),
                        name TEXT NOT NULL,
                        imported_at INTEGER NOT NULL
                    );

                    -- What became of each item of an input: the file itself or an archive member.
                    CREATE TABLE item (
                        id INTEGER PRIMARY KEY,
                        input_id INTEGER NOT NULL REFERENCES input(id),
                        part TEXT,
                        outcome TEXT NOT NULL CHECK (outcome IN ('stored', 'duplicate', 'rejected', 'skipped')),
                        kind TEXT CHECK (kind IN ('dmarc', 'tlsrpt')),
                        report_id INTEGER REFERENCES report(id),
                        reason TEXT
                    );
                    CREATE INDEX item_by_input ON item(input_id);
                    CREATE INDEX item_by_report ON item(report_id);

                    CREATE TABLE report (
                        id INTEGER PRIMARY KEY,
                        input_id INTEGER NOT NULL REFERENCES input(id),
                        part TEXT,
                        reporter TEXT NOT NULL,
                        org_name TEXT,
                        email TEXT,
                        extra_contact_info TEXT,
                        report_id TEXT NOT NULL,
                        report_key TEXT NOT NULL,
                        policy_domain TEXT NOT NULL,
                        begin_utc INTEGER NOT NULL,
                        end_utc INTEGER NOT NULL,
                        generator TEXT,
                        version TEXT,
                        namespace TEXT,
                        recovered INTEGER NOT NULL,
                        payload_sha256 BLOB NOT NULL,
                        records INTEGER NOT NULL,
                        messages INTEGER NOT NULL,
                        first_record INTEGER,
                        last_record INTEGER,
                        counted INTEGER NOT NULL,
                        variant_of INTEGER REFERENCES report(id),
                        imported_at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX report_identity
                        ON report(reporter, report_key, policy_domain, begin_utc, end_utc, payload_sha256);
                    CREATE INDEX report_by_domain ON report(policy_domain, begin_utc);
                    CREATE INDEX report_by_begin ON report(begin_utc);

                    CREATE TABLE report_error (
                        report_id INTEGER NOT NULL REFERENCES report(id),
                        seq INTEGER NOT NULL,
                        message TEXT NOT NULL,
                        PRIMARY KEY (report_id, seq)
                    ) WITHOUT ROWID;

                    CREATE TABLE report_extension (
                        report_id INTEGER NOT NULL REFERENCES report(id),
                        seq INTEGER NOT NULL,
                        xml TEXT NOT NULL,
                        PRIMARY KEY (report_id, seq)
                    ) WITHOUT ROWID;

                    CREATE TABLE policy_published (
                        report_id INTEGER PRIMARY KEY REFERENCES report(id),
                        domain TEXT NOT NULL,
                        adkim TEXT,
                        aspf TEXT,
                        p TEXT,
                        sp TEXT,
                        np TEXT,
                        pct INTEGER,
                        fo TEXT,
                        testing TEXT,
                        discovery_method TEXT
                    );

                    CREATE TABLE record (
                        id INTEGER PRIMARY KEY,
                        report_id INTEGER NOT NULL REFERENCES report(id),
                        source_ip TEXT NOT NULL,
                        count INTEGER NOT NULL,
                        disposition TEXT,
                        dkim TEXT,
                        spf TEXT,
                        envelope_to TEXT,
                        envelope_from TEXT,
                        header_from TEXT,
                        extensions TEXT
                    );
                    -- A report's records are written in one go, so their ids are the contiguous range
                    -- report.first_record .. report.last_record: joins use that range, not an index.

                    -- Children of a record: id = record id << 16 | position, so rows append in id order and a
                    -- record's children are the id range [record << 16, record << 16 | 65535].
                    CREATE TABLE dkim_result (
                        id INTEGER PRIMARY KEY,
                        record_id INTEGER NOT NULL GENERATED ALWAYS AS (id >> 16) VIRTUAL,
                        seq INTEGER NOT NULL GENERATED ALWAYS AS (id & 65535) VIRTUAL,
                        domain TEXT,
                        selector TEXT,
                        result TEXT,
                        human_result TEXT
                    );

                    CREATE TABLE spf_result (
                        id INTEGER PRIMARY KEY,
                        record_id INTEGER NOT NULL GENERATED ALWAYS AS (id >> 16) VIRTUAL,
                        seq INTEGER NOT NULL GENERATED ALWAYS AS (id & 65535) VIRTUAL,
                        domain TEXT,
                        scope TEXT,
                        result TEXT,
                        human_result TEXT
                    );

                    CREATE TABLE override_reason (
                        id INTEGER PRIMARY KEY,
                        record_id INTEGER NOT NULL GENERATED ALWAYS AS (id >> 16) VIRTUAL,
                        seq INTEGER NOT NULL GENERATED ALWAYS AS (id & 65535) VIRTUAL,
                        type TEXT,
                        comment TEXT
                    );

                    CREATE TABLE diagnostic (
                        id INTEGER PRIMARY KEY,
                        item_id INTEGER NOT NULL REFERENCES item(id),
                        report_id INTEGER REFERENCES report(id),
                        code TEXT NOT NULL,
                        severity TEXT NOT NULL,
                        message TEXT NOT NULL,
                        occurrences INTEGER NOT NULL
                    );
                    CREATE INDEX diagnostic_by_item ON diagnostic(item_id);
                    CREATE INDEX diagnostic_by_report ON diagnostic(report_id);
                    """)
        }
        migrator.registerMigration("002-mail-messages") { db in
            try db.execute(
                sql: """
                    -- E-mail messages an input held (the input itself, or one message of an mbox): the
                    -- headers a postmaster looks for, linked to the reports through the input.
                    CREATE TABLE message (
                        id INTEGER PRIMARY KEY,
                        input_id INTEGER NOT NULL REFERENCES input(id),
                        part TEXT,
                        message_id TEXT,
                        date TEXT,
                        from_address TEXT,
                        subject TEXT,
                        tls_report_domain TEXT,
                        tls_report_submitter TEXT
                    );
                    CREATE INDEX message_by_input ON message(input_id);
                    CREATE INDEX message_by_message_id ON message(message_id);
                    """)
        }
        migrator.registerMigration("003-tls-reports") { db in
            try db.execute(
                sql: """
                    CREATE TABLE tls_report (
                        id INTEGER PRIMARY KEY,
                        input_id INTEGER NOT NULL REFERENCES input(id),
                        part TEXT,
                        organization_name TEXT,
                        contact_info TEXT,
                        report_id TEXT NOT NULL,
                        begin_utc INTEGER NOT NULL,
                        end_utc INTEGER NOT NULL,
                        payload_sha256 BLOB NOT NULL,
                        policies INTEGER NOT NULL,
                        successful_sessions INTEGER NOT NULL,
                        failed_sessions INTEGER NOT NULL,
                        counted INTEGER NOT NULL,
                        variant_of INTEGER REFERENCES tls_report(id),
                        imported_at INTEGER NOT NULL
                    );
                    CREATE UNIQUE INDEX tls_report_identity
                        ON tls_report(organization_name, report_id, begin_utc, end_utc, payload_sha256);
                    CREATE INDEX tls_report_by_begin ON tls_report(begin_utc);

                    CREATE TABLE tls_policy (
                        id INTEGER PRIMARY KEY,
                        tls_report_id INTEGER NOT NULL REFERENCES tls_report(id),
                        seq INTEGER NOT NULL,
                        policy_type TEXT,
                        policy_string TEXT,
                        policy_domain TEXT,
                        mx_hosts TEXT,
                        mode TEXT,
                        successful_sessions INTEGER NOT NULL,
                        failed_sessions INTEGER NOT NULL
                    );
                    CREATE INDEX tls_policy_by_report ON tls_policy(tls_report_id);
                    CREATE INDEX tls_policy_by_domain ON tls_policy(policy_domain);

                    CREATE TABLE tls_failure (
                        id INTEGER PRIMARY KEY,
                        tls_policy_id INTEGER NOT NULL REFERENCES tls_policy(id),
                        result_type TEXT,
                        sending_mta_ip TEXT,
                        receiving_mx_hostname TEXT,
                        receiving_mx_helo TEXT,
                        receiving_ip TEXT,
                        failed_sessions INTEGER NOT NULL,
                        additional_information TEXT,
                        failure_reason_code TEXT
                    );
                    CREATE INDEX tls_failure_by_policy ON tls_failure(tls_policy_id);

                    ALTER TABLE item ADD COLUMN tls_report_id INTEGER REFERENCES tls_report(id);
                    """)
        }
        migrator.registerMigration("004-alignment-and-rollups") { db in
            try db.execute(
                sql: """
                    -- Alignment recomputed from the record's auth results (DomainAlignment.AlignmentFacts bits):
                    -- relaxed and strict for DKIM and SPF, whether anything passed, whether results were listed.
                    ALTER TABLE record ADD COLUMN alignment INTEGER;

                    -- Totals of each counted report, weighted by message count (see RollupAccumulator.swift).
                    CREATE TABLE report_rollup (
                        report_id INTEGER PRIMARY KEY REFERENCES report(id),
                        messages INTEGER NOT NULL,
                        dmarc_pass INTEGER NOT NULL,
                        dkim_aligned INTEGER NOT NULL,
                        spf_aligned INTEGER NOT NULL,
                        computed_pass INTEGER NOT NULL,
                        unsupported_pass INTEGER NOT NULL,
                        contradicting_fail INTEGER NOT NULL,
                        disagreeing_records INTEGER NOT NULL,
                        quarantine INTEGER NOT NULL,
                        reject INTEGER NOT NULL
                    );

                    -- Messages per sending source and header_from, summed over counted reports with the same
                    -- begin: reporters mostly start at midnight UTC, so this stays far smaller than record.
                    CREATE TABLE source_rollup (
                        begin_utc INTEGER NOT NULL,
                        policy_domain TEXT NOT NULL,
                        source_ip TEXT NOT NULL,
                        header_from TEXT NOT NULL,
                        messages INTEGER NOT NULL,
                        dmarc_pass INTEGER NOT NULL,
                        dkim_aligned INTEGER NOT NULL,
                        spf_aligned INTEGER NOT NULL,
                        PRIMARY KEY (begin_utc, policy_domain, source_ip, header_from)
                    ) WITHOUT ROWID;

                    CREATE INDEX source_rollup_by_source ON source_rollup(policy_domain, source_ip, begin_utc);
                    CREATE INDEX report_by_reporter ON report(reporter, begin_utc);
                    CREATE INDEX input_by_time ON input(imported_at);

                    -- Work that needs application code (computing alignment, rolling reports up) is not done
                    -- here: it is recorded as a step that runs after every migration (see Backfills.swift).
                    CREATE TABLE backfill (step TEXT PRIMARY KEY) WITHOUT ROWID;
                    INSERT INTO backfill (step) VALUES ('alignment-and-rollups');
                    """)
        }
        migrator.registerMigration("005-reverse-dns-cache") { db in
            try db.execute(
                sql: """
                    -- Reverse DNS answers (with forward confirmation) for source addresses, kept until
                    -- expires_at: a name for days, "no PTR" for a day, a failed lookup for an hour.
                    CREATE TABLE reverse_dns (
                        address TEXT PRIMARY KEY,
                        outcome TEXT NOT NULL CHECK (outcome IN ('name', 'none', 'failure')),
                        name TEXT,
                        confirmed INTEGER,
                        detail TEXT,
                        looked_up_at INTEGER NOT NULL,
                        expires_at INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }

        migrator.registerMigration("006-first-auth-results-in-record") { db in
            try db.execute(
                sql: """
                    -- Most records carry one DKIM and one SPF result: they are kept in the record's row
                    -- (two inserts fewer per record); further results stay in the child tables, which
                    -- become dkim_result_extra and spf_result_extra. inline_auth says which firsts the
                    -- row holds (1: DKIM, 2: SPF; NULL for records stored before, whose results are all
                    -- in the child tables).
                    ALTER TABLE record ADD COLUMN inline_auth INTEGER;
                    ALTER TABLE record ADD COLUMN dkim1_domain TEXT;
                    ALTER TABLE record ADD COLUMN dkim1_selector TEXT;
                    ALTER TABLE record ADD COLUMN dkim1_result TEXT;
                    ALTER TABLE record ADD COLUMN dkim1_human_result TEXT;
                    ALTER TABLE record ADD COLUMN spf1_domain TEXT;
                    ALTER TABLE record ADD COLUMN spf1_scope TEXT;
                    ALTER TABLE record ADD COLUMN spf1_result TEXT;
                    ALTER TABLE record ADD COLUMN spf1_human_result TEXT;
                    ALTER TABLE dkim_result RENAME TO dkim_result_extra;
                    ALTER TABLE spf_result RENAME TO spf_result_extra;

                    -- Every DKIM and SPF result of every record, in order, as the tables were before: for
                    -- queries by hand and scripts.
                    CREATE VIEW dkim_result (id, record_id, seq, domain, selector, result, human_result) AS
                        SELECT id << 16, id, 0, dkim1_domain, dkim1_selector, dkim1_result, dkim1_human_result
                        FROM record WHERE inline_auth & 1
                        UNION ALL
                        SELECT id, record_id, seq, domain, selector, result, human_result FROM dkim_result_extra;
                    CREATE VIEW spf_result (id, record_id, seq, domain, scope, result, human_result) AS
                        SELECT id << 16, id, 0, spf1_domain, spf1_scope, spf1_result, spf1_human_result
                        FROM record WHERE inline_auth & 2
                        UNION ALL
                        SELECT id, record_id, seq, domain, scope, result, human_result FROM spf_result_extra;
                    """)
        }

        migrator.registerMigration("007-source-rollup-by-period-only") { db in
            try db.execute(
                sql: """
                    -- Every report adds rows for its begin, so each of its sources was an insert at a random
                    -- place of this index (about a tenth of an import's time). The queries that used it (was
                    -- a source seen in the weeks before?) read the rows of that span, by their key's begin.
                    DROP INDEX source_rollup_by_source;
                    """)
        }

        migrator.registerMigration("008-pruning") { db in
            try db.execute(
                sql: """
                    -- rua prune deletes what a retention period no longer needs and says so here: a report's
                    -- records (its counts and rollups stay), an input's original bytes (its digest stays, so
                    -- the same file is still a duplicate).
                    ALTER TABLE report ADD COLUMN records_pruned_at INTEGER;
                    ALTER TABLE input_blob ADD COLUMN pruned_at INTEGER;
                    """)
        }

        migrator.registerMigration("009-settings") { db in
            try db.execute(
                sql: """
                    -- Settings kept with the data they govern (rua config): the retention periods that every
                    -- import applies, so that all importers of one database agree.
                    CREATE TABLE setting (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                    -- The reports whose records a prune may still delete, by end: an import that applies a
                    -- retention finds them at once, whatever the number of reports pruned before.
                    CREATE INDEX report_unpruned ON report(end_utc) WHERE records_pruned_at IS NULL;
                    """)
        }

        migrator.registerMigration("010-alerts") { db in
            try db.execute(
                sql: """
                    -- What rua alerts reported, so that a daily job alerts once per problem: a row per alert
                    -- key (code, domain, source or reporter), open while the problem lasts, cleared when a
                    -- run no longer finds it (and alerted again if it comes back).
                    CREATE TABLE alert (
                        key TEXT PRIMARY KEY,
                        code TEXT NOT NULL,
                        policy_domain TEXT NOT NULL,
                        subject TEXT,
                        text TEXT NOT NULL,
                        first_alerted INTEGER NOT NULL,
                        last_seen INTEGER NOT NULL,
                        cleared_at INTEGER
                    ) WITHOUT ROWID;
                    """)
        }

        migrator.registerMigration("011-mailbox-checkpoints") { db in
            try db.execute(
                sql: """
                    -- rua fetch --after leave: the highest UID handled in each mailbox (user@host:port/folder)
                    -- and the UIDVALIDITY it holds for (a new one voids it).
                    CREATE TABLE mailbox_checkpoint (
                        mailbox TEXT PRIMARY KEY,
                        uid_validity INTEGER NOT NULL,
                        last_uid INTEGER NOT NULL
                    ) WITHOUT ROWID;
                    """)
        }

        migrator.registerMigration("012-dns-history") { db in
            try db.execute(
                sql: """
                    -- What rua check saw in each domain's DNS: a row per record kind (dmarc, spf, dkim SELECTOR,
                    -- mx, mta-sts, mta-sts policy, tlsrpt) and value ('' for none), from the first check that
                    -- saw it to the last; a new value starts a new row, so the rows of a kind are its history.
                    CREATE TABLE dns_record (
                        id INTEGER PRIMARY KEY,
                        domain TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        value TEXT NOT NULL,
                        first_seen INTEGER NOT NULL,
                        last_seen INTEGER NOT NULL
                    );
                    CREATE INDEX dns_record_by_kind ON dns_record(domain, kind, first_seen);
                    CREATE INDEX dns_record_by_time ON dns_record(first_seen);
                    """)
        }

        migrator.registerMigration("013-report-selectors") { db in
            try db.execute(
                sql: """
                    -- The DKIM signing domains and selectors each report shows (lowercased), kept by the import
                    -- beside the rollups: rua check finds the selectors in use without reading records, and
                    -- they outlive rua prune's deletion of records.
                    CREATE TABLE report_selector (
                        report_id INTEGER NOT NULL REFERENCES report(id),
                        domain TEXT NOT NULL,
                        selector TEXT NOT NULL,
                        PRIMARY KEY (report_id, domain, selector)
                    ) WITHOUT ROWID;

                    INSERT OR IGNORE INTO report_selector (report_id, domain, selector)
                    SELECT report_id, lower(dkim1_domain), lower(dkim1_selector) FROM record
                    WHERE dkim1_selector <> '' AND dkim1_domain IS NOT NULL;

                    INSERT OR IGNORE INTO report_selector (report_id, domain, selector)
                    SELECT r.id, lower(e.domain), lower(e.selector)
                    FROM report r JOIN dkim_result_extra e
                         ON e.id BETWEEN (r.first_record << 16) AND ((r.last_record << 16) | 65535)
                    WHERE e.selector <> '' AND e.domain IS NOT NULL;
                    """)
        }
    }
}
