import VaporCSQLite
import Workbench

/// Puts captures into the `captures` table through a connection of its own with the INSERT
/// prepared once: SQLiteNIO prepares every query it is given anew, and the multi-row INSERT the
/// fill used was parsed again for each batch (11,000 instructions a row), its values converted to
/// `SQLiteData` and bound by SQLiteNIO (14,000 more). The C API of the SQLite that SQLiteNIO
/// bundles, used for this one statement; everything else goes through SQLiteNIO.
///
/// Not thread-safe: one caller at a time (the store's fill queue).
final class CaptureRowWriter: @unchecked Sendable {
    private var db: OpaquePointer?
    private var insert: OpaquePointer?
    let path: String

    init(path: String) throws {
        self.path = path
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE
        guard sqlite_nio_sqlite3_open_v2(path, &db, flags, nil) == SQLITE_OK else {
            let failure = failure("cannot open")
            sqlite_nio_sqlite3_close(db)
            db = nil
            throw failure
        }
        sqlite_nio_sqlite3_busy_timeout(db, 5000)
        try execute("PRAGMA synchronous=NORMAL")
        let sql = "INSERT OR IGNORE INTO captures (id, received_at, peer, method, target, headers, body, vendor, kind, verdict, summary, answered_status) "
            + "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)"
        guard sqlite_nio_sqlite3_prepare_v2(db, sql, -1, &insert, nil) == SQLITE_OK else {
            let failure = failure("cannot prepare the insert")
            close()
            throw failure
        }
    }

    /// The captures in one transaction; a row already there (a pending file filled twice) stays
    /// as it is. `synced`: committed with `synchronous=FULL` (on the disk when this returns).
    func insert(_ captures: ArraySlice<Capture>, synced: Bool) throws {
        try insert(CollectionOfOne(captures), synced: synced)
    }

    /// Batches of captures in one transaction.
    func insert(_ batches: some Collection<some RandomAccessCollection<Capture>>, synced: Bool) throws {
        if synced { try execute("PRAGMA synchronous=FULL") }
        defer { if synced { try? execute("PRAGMA synchronous=NORMAL") } }
        try execute("BEGIN IMMEDIATE")
        do {
            // By index: a capture taken out of its array (`for c in batch`) is a copy, nine retains.
            for batch in batches {
                for i in batch.indices { try put(batch[i]) }
            }
            try execute("COMMIT")
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    private func put(_ c: Capture) throws {
        let statement = insert
        defer {
            sqlite_nio_sqlite3_reset(statement)
            sqlite_nio_sqlite3_clear_bindings(statement)
        }
        sqlite_nio_sqlite3_bind_int64(statement, 1, c.id ?? 0)
        sqlite_nio_sqlite3_bind_int64(statement, 2, c.receivedAt)
        bind(c.peer, 3)
        bind(c.request.method, 4)
        bind(c.request.target, 5)
        bind(SQLiteCaptureStore.headersJSON(c.request.headers), 6)
        c.request.body.withUnsafeBytes { body in
            // A zero-length blob, not NULL, for an empty body (the column is NOT NULL).
            _ = sqlite_nio_sqlite3_bind_blob64(statement, 7, body.baseAddress ?? UnsafeRawPointer(bitPattern: 1), UInt64(body.count), Self.transient)
        }
        bind(c.vendor, 8)
        bind(c.kind, 9)
        bind(c.verdict, 10)
        bind(c.summary, 11)
        sqlite_nio_sqlite3_bind_int64(statement, 12, Int64(c.answeredStatus))
        guard sqlite_nio_sqlite3_step(statement) == SQLITE_DONE else { throw failure("cannot insert capture \(c.id ?? 0)") }
    }

    /// Text, or NULL for nil; copied by SQLite.
    private func bind(_ text: String?, _ index: Int32) {
        guard var text else {
            sqlite_nio_sqlite3_bind_null(insert, index)
            return
        }
        text.withUTF8 { bytes in
            // A pointer for the empty string too: a null one would bind NULL.
            let start = UnsafeRawPointer(bytes.baseAddress ?? UnsafePointer(bitPattern: 1)!).assumingMemoryBound(to: CChar.self)
            _ = sqlite_nio_sqlite3_bind_text64(insert, index, start, UInt64(bytes.count), Self.transient, UInt8(SQLITE_UTF8))
        }
    }

    private func execute(_ sql: String) throws {
        guard sqlite_nio_sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw failure(sql) }
    }

    private func failure(_ what: String) -> SQLiteCaptureStore.StoreError {
        let message = db.flatMap { sqlite_nio_sqlite3_errmsg($0) }.map { String(cString: $0) } ?? "out of memory"
        return SQLiteCaptureStore.StoreError("\(path): \(what): \(message)")
    }

    func close() {
        sqlite_nio_sqlite3_finalize(insert)
        insert = nil
        sqlite_nio_sqlite3_close(db)
        db = nil
    }

    /// `SQLITE_TRANSIENT` (SQLite copies the value before the bind returns): a C macro Swift does not import.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}
