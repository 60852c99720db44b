import Dispatch
import FoundationEssentials
import Glibc
import JSONText
import NIOCore
import NIOPosix
import SQLiteNIO
import Synchronization
import Wire
import Workbench

/// Captures in SQLite (WAL), made durable before the table takes them: an append is written to
/// this process's pending file (`PendingCaptures`) — appends that arrive while a write is running
/// go together in the next one, one `pwrite` and one `fdatasync` a batch — and returns; the table
/// is filled from memory in the background, a few milliseconds' deliveries a transaction, so an
/// acknowledgement waits for one small file write, not for an SQLite commit.
///
/// The fill commits with `synchronous=NORMAL` (no fsync: the WAL stays consistent, and the
/// pending file holds what a power cut could take back). A process keeps two pending files and
/// writes one at a time; once the one being written holds `rewindAt` bytes, the fill's next commit
/// is synced, and the writer turns to the other file as soon as everything in that one is synced
/// in the table, writing it afresh from the start. Reads through this store first wait for the
/// fill to catch up with every append that returned; other processes see a delivery once it is
/// filled. A process that dies leaves its pending files, and the next store opened on the path
/// fills the table from them — except the captures deleted since: a deletion leaves the id in
/// `deleted_captures` (ids are never given twice), kept until no pending file is left.
///
/// Ids come from blocks reserved in the file's `counters` table (`reserve`), so two listeners on
/// one store never give the same id, and an id is known before the table has the row.
public final class SQLiteCaptureStore: CaptureStore {
    private let connection: SQLiteConnection
    private let path: String
    /// Captures written and not yet in the table before appends wait for the fill (or, when the
    /// table takes no rows, are refused).
    private let maxUnfilled: Int
    private struct State {
        /// Appended, waiting for the next write of the pending file, and the appends' continuations.
        /// (Captures are moved between these arrays whole, never copied one by one: a copy of a
        /// capture retains its nine strings and arrays.)
        var waiting: [Capture] = []
        var continuations: [UnsafeContinuation<Int64, any Error>] = []
        var writing = false
        /// Reserved for this store, not given yet.
        var ids: Range<Int64> = 0..<0
        /// In the pending file, not yet in the table, in the order written.
        /// The batches written, as written.
        var unfilled: [[Capture]] = []
        var unfilledCount = 0
        var filling = false
        /// How many captures were written to the pending file, how many of them are in the table,
        /// and how many of those are on the disk (committed with `synchronous=FULL`).
        var written = 0
        var filled = 0
        var durable = 0
        /// The file being written is full: the fill syncs its commits, so the other can be reused.
        var wantsSync = false
        /// Readers (and the writer, when the fill lags far behind) waiting for `filled` to reach a count.
        var fillWaiters: [(count: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// The fill failed: the captures stay in the pending file, and it is kept for recovery.
        var fillFailed: Bool { fillError != nil }
        /// Why the last fill failed.
        var fillError: String?
    }
    private let state = Mutex(State())
    /// Where the pending file is written: a serial queue of its own, where one loop takes batch
    /// after batch while appends keep coming, and resumes their continuations itself (no hop
    /// onto the concurrency pool and back between a batch's sync and the next).
    private let writer = DispatchQueue(label: "callscope.pending-captures")
    /// Where the table is filled, blocking, through `rows`.
    private let filler = DispatchQueue(label: "callscope.capture-fill")
    private let rows: CaptureRowWriter
    private let pending: PendingCaptures.Pair

    public static func defaultPath(environment: [String: String]) -> String {
        let base = environment["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "") + "/.local/share")
        return base + "/callscope/captures.sqlite3"
    }

    /// Opens (creating the folder, the file with mode 0600, and the tables when missing), then
    /// fills the table from the pending files of processes that died. `maxUnfilled`: how many
    /// appends may wait for the table (kept in the pending file) before more wait, or, while the
    /// table takes no rows, are refused.
    public static func open(path: String, maxUnfilled: Int = 20_000) async throws -> SQLiteCaptureStore {
        try? FileManager.default.createDirectory(atPath: PendingCaptures.folder(of: path), withIntermediateDirectories: true)
        let fd = Glibc.open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        if fd >= 0 { _ = Glibc.close(fd) }
        let connection = try await SQLiteConnection.open(storage: .file(path: path))
        for statement in [
            // A new file's pages are 64 KB, not 4 KB: a delivery's row (~1.5 KB) filled a 4 KB page
            // only to four fifths, and every page is written twice (the WAL, then the checkpoint).
            // 7% fewer bytes written a delivery, ~5% more deliveries a second (bench/RESULTS.md).
            // An existing file keeps its size (set before WAL mode, or it is ignored).
            "PRAGMA page_size=65536",
            "PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA busy_timeout=5000",
            """
            CREATE TABLE IF NOT EXISTS captures (
              id INTEGER PRIMARY KEY, received_at INTEGER NOT NULL, peer TEXT NOT NULL, method TEXT, target TEXT,
              headers TEXT NOT NULL, body BLOB NOT NULL, vendor TEXT, kind TEXT, verdict TEXT, summary TEXT NOT NULL,
              answered_status INTEGER NOT NULL)
            """,
            "CREATE INDEX IF NOT EXISTS captures_received ON captures(received_at)",
            "CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL)",
            "INSERT OR IGNORE INTO counters VALUES ('next_capture_id', 1)",
            "CREATE TABLE IF NOT EXISTS deleted_captures (id INTEGER PRIMARY KEY)",
        ] { _ = try await connection.query(statement) }
        let rows = try CaptureRowWriter(path: path)
        for orphan in PendingCaptures.orphans(of: path) {
            do {
                // A capture filled and then deleted is still in the file: it stays deleted.
                let ids = orphan.captures.compactMap(\.id)
                let deleted = Set(try await connection.query("SELECT id FROM deleted_captures WHERE id BETWEEN ? AND ?",
                                                             [.integer(Int(ids.min() ?? 0)), .integer(Int(ids.max() ?? 0))])
                    .compactMap { $0.column("id")?.integer.map(Int64.init) })
                let kept = orphan.captures.filter { !deleted.contains($0.id ?? 0) }
                for start in stride(from: 0, to: kept.count, by: maxBatch) {
                    try rows.insert(kept[start..<min(start + maxBatch, kept.count)], synced: false)
                }
                orphan.finish(true)
            } catch {
                orphan.finish(false)
            }
        }
        // No pending file left anywhere (a live process's included): no deleted capture can come back.
        if !PendingCaptures.exist(for: path) { _ = try await connection.query("DELETE FROM deleted_captures") }
        // The pending file keeps what a commit without fsync could lose.
        _ = try await connection.query("PRAGMA synchronous=NORMAL")
        return SQLiteCaptureStore(connection: connection, rows: rows, path: path, maxUnfilled: maxUnfilled)
    }

    init(connection: SQLiteConnection, rows: CaptureRowWriter, path: String, maxUnfilled: Int) {
        self.connection = connection
        self.rows = rows
        self.path = path
        self.maxUnfilled = maxUnfilled
        pending = PendingCaptures.Pair(storePath: path)
    }

    public func close() async {
        // Behind the writer's loop on its queue: it has written everything appended so far.
        while state.withLock({ $0.writing }) {
            await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in writer.async { done.resume() } }
        }
        await filledUp()
        let (filled, ids) = state.withLock { s in (!s.fillFailed && s.unfilledCount == 0, s.ids) }
        // On the disk once the checkpoint (which syncs the WAL first) finished with no reader in its way.
        let synced = !pending.files.isEmpty && filled
            ? (try? await connection.query("PRAGMA wal_checkpoint(FULL)").first?.column("busy")?.integer == 0) ?? false : false
        pending.finish(removing: synced)
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in filler.async { self.rows.close(); done.resume() } }
        // Ids reserved and not given go back, unless another store reserved after them.
        if !ids.isEmpty {
            _ = try? await connection.query("UPDATE counters SET value = ? WHERE name = 'next_capture_id' AND value = ?",
                                            [.integer(Int(ids.lowerBound)), .integer(Int(ids.upperBound))])
        }
        try? await connection.close()
    }

    public func append(_ capture: Capture) async throws -> Int64 {
        // Each continuation is resumed exactly once, by the write that takes it from the queue.
        try await withUnsafeThrowingContinuation { continuation in
            let start = state.withLock { s in
                s.waiting.append(capture)
                s.continuations.append(continuation)
                defer { s.writing = true }
                return !s.writing
            }
            if start { writer.async { self.writePending() } }
        }
    }

    /// Writes what is waiting to the pending file, batch after batch, until nothing is; each
    /// batch's appends return once it is on the disk. Runs on `writer`, blocking.
    private func writePending() {
        while true {
            // The table far behind (a slow disk under a burst): wait rather than hold it all in
            // memory; when it takes no rows at all, refuse (the sender will deliver again).
            let (lag, refusal) = state.withLock { ($0.written - $0.filled, $0.fillError) }
            if lag >= maxUnfilled {
                if let refusal {
                    // Everything waiting refused, and this loop ends with it (the next append starts
                    // one, which looks again).
                    let (refused, retry) = state.withLock { s in
                        defer { s.waiting.removeAll(); s.continuations.removeAll(); s.filling = true; s.writing = false }
                        return (s.continuations, !s.filling)
                    }
                    // The fill tries again; once the table takes rows, appends are taken again.
                    if retry { filler.async { self.fill() } }
                    for continuation in refused { continuation.resume(throwing: StoreError("the capture table takes no rows: \(refusal)")) }
                    return
                }
                _ = try? Blocking.run { await self.filled(self.maxUnfilled / 2) }
                // Looked at again: the wait may have ended because the fill failed.
                continue
            }
            var (batch, taken, available, durable) = state.withLock { s in
                let batch: [Capture], taken: [UnsafeContinuation<Int64, any Error>]
                if s.waiting.count <= SQLiteCaptureStore.maxBatch {
                    (batch, taken) = (s.waiting, s.continuations)
                    (s.waiting, s.continuations) = ([], [])
                } else {
                    (batch, taken) = (Array(s.waiting.prefix(SQLiteCaptureStore.maxBatch)), Array(s.continuations.prefix(SQLiteCaptureStore.maxBatch)))
                    s.waiting.removeFirst(batch.count)
                    s.continuations.removeFirst(batch.count)
                }
                if batch.isEmpty { s.writing = false }
                return (batch, taken, s.ids, s.durable)
            }
            if batch.isEmpty { return }
            do {
                var ids = available
                if ids.count < taken.count {
                    let count = max(SQLiteCaptureStore.idBlock, taken.count)
                    ids = try Blocking.run { try await self.reserve(count) }
                }
                for i in batch.indices { batch[i].id = ids.lowerBound + Int64(i) }
                let (file, size) = try pending.write(batch, durable: durable)
                let fill = state.withLock { s in
                    s.ids = ids.dropFirst(batch.count)
                    s.wantsSync = size >= SQLiteCaptureStore.rewindAt
                    s.written += batch.count
                    file.writtenThrough = s.written
                    s.unfilled.append(batch)
                    s.unfilledCount += batch.count
                    defer { s.filling = true }
                    return !s.filling
                }
                if fill { filler.async { self.fill() } }
                for (i, continuation) in taken.enumerated() { continuation.resume(returning: ids.lowerBound + Int64(i)) }
            } catch {
                for continuation in taken { continuation.resume(throwing: error) }
            }
        }
    }

    /// Moves what the pending file holds into the table, batch after batch. Runs on `filler`, blocking.
    private func fill() {
        while true {
            // A few milliseconds' deliveries in one transaction: far fewer pages written per row
            // than a transaction per write of the pending file.
            if state.withLock({ (1..<SQLiteCaptureStore.maxBatch).contains($0.unfilledCount) && $0.fillWaiters.isEmpty }) {
                usleep(SQLiteCaptureStore.gatherMicroseconds)
            }
            // Whole batches as written, up to `maxBatch` rows (a written batch is at most that).
            let (batches, count, sync) = state.withLock { s in
                var (taken, count) = (0, 0)
                while taken < s.unfilled.count, taken == 0 || count + s.unfilled[taken].count <= SQLiteCaptureStore.maxBatch {
                    count += s.unfilled[taken].count
                    taken += 1
                }
                if taken == 0 { s.filling = false }
                return (s.unfilled.prefix(taken), count, s.wantsSync)
            }
            if batches.isEmpty { return }
            var failure: String?
            do {
                try rows.insert(batches, synced: sync)
            } catch { failure = "\(error)" }
            let failed = failure != nil
            let ready = state.withLock { s in
                s.fillError = failure
                if failed {
                    // Kept in the pending file; the next write tries again.
                    s.filling = false
                } else {
                    s.unfilled.removeFirst(batches.count)
                    s.unfilledCount -= count
                    s.filled += count
                    if sync { s.durable = s.filled }
                }
                let target = failed ? Int.max : s.filled
                let ready = s.fillWaiters.filter { $0.count <= target }
                s.fillWaiters.removeAll { $0.count <= target }
                return ready
            }
            for waiter in ready { waiter.continuation.resume() }
            if failed { return }
        }
    }

    /// Returns once the table holds every capture written before the call (or the fill failed).
    private func filledUp() async {
        await filled(0)
    }

    /// Returns once at most `behind` captures written are not in the table yet.
    private func filled(_ behind: Int) async {
        await withCheckedContinuation { continuation in
            let now = state.withLock { s in
                let target = s.written - behind
                if s.filled >= target || s.fillFailed { return true }
                s.fillWaiters.append((target, continuation))
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// `count` ids no other store has or will be given: past the table's largest id and past
    /// every block reserved before (one statement, one transaction).
    private func reserve(_ count: Int) async throws -> Range<Int64> {
        let rows = try await connection.query("""
            UPDATE counters SET value = max(value, (SELECT coalesce(max(id), 0) + 1 FROM captures)) + ?
            WHERE name = 'next_capture_id' RETURNING value
            """, [.integer(count)])
        guard let end = rows.first?.column("value")?.integer else { throw StoreError("no id counter in \(path)") }
        return Int64(end - count)..<Int64(end)
    }

    /// Captures one write of the pending file, or one fill transaction, takes at most.
    static let maxBatch = 500
    /// How long the fill waits for more rows when fewer than a batch are waiting (a reader waiting
    /// for the fill does not wait for this).
    static let gatherMicroseconds: UInt32 = 10_000
    /// Ids reserved at a time.
    static let idBlock = 4096

    /// A pending file holds about this much before the writer turns to the other.
    static let rewindAt = 1 << 20

    struct StoreError: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
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
        await filledUp()
        var sql = "SELECT * FROM captures WHERE 1=1"
        var binds: [SQLiteData] = []
        if let vendor { sql += " AND vendor = ?"; binds.append(.text(vendor)) }
        if let since { sql += " AND received_at >= ?"; binds.append(.integer(Int(since))) }
        // Received order: two listeners' ids interleave by block.
        sql += " ORDER BY received_at DESC, id DESC LIMIT ?"
        binds.append(.integer(limit))
        return try await connection.query(sql, binds).map(SQLiteCaptureStore.capture).reversed()
    }

    public func get(_ id: Int64) async throws -> Capture? {
        await filledUp()
        return try await connection.query("SELECT * FROM captures WHERE id = ?", [.integer(Int(id))]).first.map(SQLiteCaptureStore.capture)
    }

    public func delete(_ id: Int64?) async throws -> Int {
        await filledUp()
        let before = try await connection.query("SELECT count(*) AS n FROM captures").first?.column("n")?.integer ?? 0
        // The ids kept first (see `open`): a listener's pending file may still hold these captures.
        if let id {
            _ = try await connection.query("INSERT OR IGNORE INTO deleted_captures SELECT id FROM captures WHERE id = ?", [.integer(Int(id))])
            _ = try await connection.query("DELETE FROM captures WHERE id = ?", [.integer(Int(id))])
        } else {
            // Those kept, not a row filled in between (it was never deleted, and has no kept id).
            _ = try await connection.query("INSERT OR IGNORE INTO deleted_captures SELECT id FROM captures")
            _ = try await connection.query("DELETE FROM captures WHERE id IN (SELECT id FROM deleted_captures)")
        }
        let after = try await connection.query("SELECT count(*) AS n FROM captures").first?.column("n")?.integer ?? 0
        return before - after
    }
}
