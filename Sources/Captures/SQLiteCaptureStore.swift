import FoundationEssentials
import Glibc
import JSONText
import NIOCore
import SQLiteNIO
import Synchronization
import Wire
import Workbench

/// Captures in SQLite (WAL, `synchronous=FULL`): a capture is on disk before `append` returns.
/// Appends that arrive while a commit is running are written together in the next transaction
/// (group commit), so durability costs one fsync per batch, not per delivery. The queue is behind
/// a lock rather than an actor: an append then costs no hop onto the store's executor and back.
/// Ids are numbered here, following the largest in the file, and written with the rows: asking the
/// database for them afterwards was a second trip to its thread per batch. Another process writing
/// to the same file (a second listener) makes an insert collide; the store then reads the largest
/// id again and numbers the batch anew.
public final class SQLiteCaptureStore: CaptureStore {
    private let connection: SQLiteConnection
    private struct Queue {
        var pending: [(Capture, UnsafeContinuation<Int64, any Error>)] = []
        var writing = false
        /// The largest id written or known in the file.
        var lastID: Int64
    }
    private let queue: Mutex<Queue>

    public static func defaultPath(environment: [String: String]) -> String {
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "") + "/.local/share")
        return base + "/callscope/captures.sqlite3"
    }

    /// Opens (creating the folder, the file with mode 0600, and the table when missing).
    public static func open(path: String) async throws -> SQLiteCaptureStore {
        let folder = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        if !folder.isEmpty { try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) }
        let fd = Glibc.open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        if fd >= 0 { _ = Glibc.close(fd) }
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        for statement in [
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000",
            """
            CREATE TABLE IF NOT EXISTS captures (
              id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, peer TEXT NOT NULL, method TEXT, target TEXT,
              headers TEXT NOT NULL, body BLOB NOT NULL, vendor TEXT, kind TEXT, verdict TEXT, summary TEXT NOT NULL,
              answered_status INTEGER NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS captures_received ON captures(received_at)",
        ] { _ = try await connection.query(statement) }
        return SQLiteCaptureStore(connection: connection, lastID: try await largestID(connection))
    }

    init(connection: SQLiteConnection, lastID: Int64) {
        self.connection = connection
        queue = Mutex(Queue(lastID: lastID))
    }

    private static func largestID(_ connection: SQLiteConnection) async throws -> Int64 {
        Int64(try await connection.query("SELECT coalesce(max(id), 0) AS n FROM captures").first?.column("n")?.integer ?? 0)
    }

    public func close() async {
        while queue.withLock({ $0.writing }) { try? await Task.sleep(for: .milliseconds(1)) }
        try? await connection.close()
    }

    public func append(_ capture: Capture) async throws -> Int64 {
        // Each continuation is resumed exactly once, by the drain that takes it from the queue.
        try await withUnsafeThrowingContinuation { continuation in
            let start = queue.withLock { q in
                q.pending.append((capture, continuation))
                defer { q.writing = true }
                return !q.writing
            }
            if start { Task { await self.drain() } }
        }
    }

    /// Commits what is pending, batch after batch, until nothing is. A batch is one multi-row
    /// INSERT: one statement, one transaction, one trip to the database thread, one fsync.
    private func drain() async {
        while true {
            let (batch, first) = queue.withLock { q in
                let batch = Array(q.pending.prefix(SQLiteCaptureStore.maxBatch))
                q.pending.removeFirst(batch.count)
                if batch.isEmpty { q.writing = false }
                let first = q.lastID + 1
                q.lastID += Int64(batch.count)
                return (batch, first)
            }
            if batch.isEmpty { return }
            do {
                let first = try await insert(batch.map(\.0), first: first)
                for (i, (_, continuation)) in batch.enumerated() { continuation.resume(returning: first + Int64(i)) }
            } catch {
                for (_, continuation) in batch { continuation.resume(throwing: error) }
            }
        }
    }

    /// Inserts the rows numbered from `first`; when another writer took those ids, numbers them
    /// after the file's largest id and tries again. The first id used.
    private func insert(_ captures: [Capture], first: Int64) async throws -> Int64 {
        var first = first
        for attempt in 1...SQLiteCaptureStore.attempts {
            do {
                let row = "(?,?,?,?,?,?,?,?,?,?,?,?)"
                _ = try await connection.query(
                    "INSERT INTO captures (id, received_at, peer, method, target, headers, body, vendor, kind, verdict, summary, answered_status) VALUES "
                        + Array(repeating: row, count: captures.count).joined(separator: ","),
                    captures.enumerated().flatMap { SQLiteCaptureStore.binds($0.element, id: first + Int64($0.offset)) })
                return first
            } catch let error as SQLiteError where SQLiteCaptureStore.isIDCollision(error) && attempt < SQLiteCaptureStore.attempts {
                let largest = try await SQLiteCaptureStore.largestID(connection)
                // Only this drain numbers rows, so nothing was numbered after this batch meanwhile.
                first = largest + 1
                let last = first + Int64(captures.count) - 1
                queue.withLock { $0.lastID = last }
            }
        }
        throw StoreError("no free id after \(SQLiteCaptureStore.attempts) attempts")
    }

    static let attempts = 5

    static func isIDCollision(_ error: SQLiteError) -> Bool {
        [.constraint, .constraintPrimaryKeyFailed, .constraintUniqueRowIDFailed, .constraintUniqueFailed].contains(error.reason)
    }

    /// 12 values a row, well under SQLite's limit on bound values in one statement.
    static let maxBatch = 500

    struct StoreError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    static func binds(_ c: Capture, id: Int64) -> [SQLiteData] {
        func text(_ s: String?) -> SQLiteData { s.map { .text($0) } ?? .null }
        return [.integer(Int(id)), .integer(Int(c.receivedAt)), .text(c.peer), text(c.request.method), text(c.request.target), .text(headersJSON(c.request.headers)),
                .blob(ByteBuffer(bytes: c.request.body)), text(c.vendor), text(c.kind), text(c.verdict), .text(c.summary),
                .integer(c.answeredStatus)]
    }

    /// `[["Name","value"],…]`, written straight from the pairs (no value tree per delivery).
    static func headersJSON(_ headers: [(name: String, value: String)]) -> String {
        var out: [UInt8] = [0x5B]
        out.reserveCapacity(headers.count * 48)
        for (i, header) in headers.enumerated() {
            out.append(contentsOf: i == 0 ? [0x5B] : [0x2C, 0x5B])
            JSONWriter.appendQuoted(header.name, into: &out)
            out.append(0x2C)
            JSONWriter.appendQuoted(header.value, into: &out)
            out.append(0x5D)
        }
        out.append(0x5D)
        return String(decoding: out, as: UTF8.self)
    }

    static func capture(_ row: SQLiteRow) -> Capture {
        var headers: [(name: String, value: String)] = []
        if let text = row.column("headers")?.string, case .array(let pairs)? = try? JSONParser.parse(text) {
            for pair in pairs {
                if case .array(let nv) = pair, nv.count == 2, let name = nv[0].stringValue, let value = nv[1].stringValue { headers.append((name, value)) }
            }
        }
        var body: [UInt8] = []
        if case .blob(let buffer)? = row.column("body") { body = Array(buffer.readableBytesView) }
        let request = HTTPMessage(kind: .request, method: row.column("method")?.string, target: row.column("target")?.string, headers: headers, body: body)
        return Capture(id: Int64(row.column("id")?.integer ?? 0), receivedAt: Int64(row.column("received_at")?.integer ?? 0),
                       peer: row.column("peer")?.string ?? "", request: request, vendor: row.column("vendor")?.string,
                       kind: row.column("kind")?.string, verdict: row.column("verdict")?.string, summary: row.column("summary")?.string ?? "",
                       answeredStatus: row.column("answered_status")?.integer ?? 0)
    }

    public func list(vendor: String?, since: Int64?, limit: Int) async throws -> [Capture] {
        var sql = "SELECT * FROM captures WHERE 1=1"
        var binds: [SQLiteData] = []
        if let vendor { sql += " AND vendor = ?"; binds.append(.text(vendor)) }
        if let since { sql += " AND received_at >= ?"; binds.append(.integer(Int(since))) }
        sql += " ORDER BY id DESC LIMIT ?"
        binds.append(.integer(limit))
        return try await connection.query(sql, binds).map(SQLiteCaptureStore.capture).reversed()
    }

    public func get(_ id: Int64) async throws -> Capture? {
        try await connection.query("SELECT * FROM captures WHERE id = ?", [.integer(Int(id))]).first.map(SQLiteCaptureStore.capture)
    }

    public func delete(_ id: Int64?) async throws -> Int {
        let before = try await connection.query("SELECT count(*) AS n FROM captures").first?.column("n")?.integer ?? 0
        if let id { _ = try await connection.query("DELETE FROM captures WHERE id = ?", [.integer(Int(id))]) } else {
            _ = try await connection.query("DELETE FROM captures")
        }
        let after = try await connection.query("SELECT count(*) AS n FROM captures").first?.column("n")?.integer ?? 0
        return before - after
    }
}
