import Adapters
import Glibc
import Wire
import Workbench

/// The file that makes a delivery durable before it is acknowledged: captures appended as framed
/// records, a batch per `pwrite` and one `fdatasync`, then filled into the SQLite table in the
/// background. A writing process has two, `<store>.pending-<pid>-<ms>-<n>`, held under `flock` for
/// its life: a file nobody holds belongs to a process that died, and whoever opens the store next
/// moves its records into the table (`orphans`).
///
/// The file is written with zeros ahead of the records (`chunk` at a time), so a batch overwrites
/// blocks that exist and `fdatasync` flushes data only, no size or extent change (about 110 µs
/// against 180 µs for an append on this machine's ext4). Once every record is in the table it is
/// rewound: the next batch is written from the start under the next generation, and reading
/// stops at the first record of another generation.
///
/// A record: magic byte, generation (4 bytes), payload length (4 bytes), checksum of generation
/// and payload (8 bytes), payload (`Capture` in `BinaryWriter` form). A torn tail — a write the
/// process did not live to finish, so never acknowledged — fails its length or checksum and ends
/// the reading.
final class PendingCaptures: @unchecked Sendable {
    let path: String
    let fd: Int32
    /// Where the next batch goes, and how far zeros were written.
    private(set) var size = 0
    private var allocated = 0
    private var generation: UInt32 = 0
    /// The store's count of captures written once this file's last batch was (the store's writer
    /// keeps it): everything here is in the table once that many are synced there.
    var writtenThrough = 0
    static let chunk = 8 << 20

    /// Creates this process's file and takes its lock.
    init(storePath: String, number: Int) throws {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        path = storePath + ".pending-\(getpid())-\(Int(now.tv_sec) * 1000 + now.tv_nsec / 1_000_000)-\(number)"
        fd = Glibc.open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw PendingCaptures.Failure("cannot create \(path): \(String(cString: strerror(errno)))") }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            _ = Glibc.close(fd)
            throw PendingCaptures.Failure("cannot lock \(path): \(String(cString: strerror(errno)))")
        }
        // The file's name on the disk too: a sync of the file alone does not write its folder's
        // entry, and a power cut would lose the file with everything acknowledged in it.
        let dir = Glibc.open(PendingCaptures.folder(of: path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { if dir >= 0 { _ = Glibc.close(dir) } }
        guard dir >= 0, fsync(dir) == 0 else {
            unlink(path)
            _ = Glibc.close(fd)
            throw PendingCaptures.Failure("cannot sync the folder of \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Writes the captures as records and waits until they are on the disk; `rewind` first
    /// starts the file afresh (every record in it is in the table). Blocking: run it off the
    /// concurrency pool. The file's size in records after.
    func write(_ captures: [Capture], rewind: Bool) throws -> Int {
        if rewind {
            size = 0
            generation &+= 1
        }
        var records: [UInt8] = []
        let bounds = captures.map(\.encodedSizeBound)
        records.reserveCapacity(bounds.reduce(0) { $0 + PendingCaptures.headerSize + $1 })
        for (capture, bound) in zip(captures, bounds) { PendingCaptures.frame(capture, generation: generation, bound: bound, into: &records) }
        if size + records.count > allocated {
            let zeros = [UInt8](repeating: 0, count: max(PendingCaptures.chunk, records.count))
            try put(zeros, at: allocated)
            allocated += zeros.count
        }
        try put(records, at: size)
        size += records.count
        guard fdatasync(fd) == 0 else { throw PendingCaptures.Failure("syncing \(path): \(String(cString: strerror(errno)))") }
        return size
    }

    private func put(_ bytes: [UInt8], at offset: Int) throws {
        var done = 0
        try bytes.withUnsafeBytes { raw in
            while done < raw.count {
                let n = pwrite(fd, raw.baseAddress! + done, raw.count - done, off_t(offset + done))
                if n < 0 {
                    if errno == EINTR { continue }
                    throw PendingCaptures.Failure("writing \(path): \(String(cString: strerror(errno)))")
                }
                done += n
            }
        }
    }

    /// Removes the file (every record is in the table) and lets go of it.
    func remove() {
        unlink(path)
        PendingCaptures.release(fd)
    }

    /// Lets go of the file, leaving it for the next opener to recover (the table could not take
    /// its records).
    func abandon() {
        PendingCaptures.release(fd)
    }

    /// Unlocks, then closes. Closing alone is not enough: the lock belongs to the open file, which
    /// a child another thread is starting shares until its `exec` (`O_CLOEXEC` closes it only
    /// then), and the next opener would take a file let go for one still held.
    static func release(_ fd: Int32) {
        _ = flock(fd, LOCK_UN)
        _ = Glibc.close(fd)
    }

    /// A process's two pending files, written one at a time: the current one until it holds
    /// `rewindAt` bytes, then the other, started afresh, once everything in that one is synced in
    /// the table. Used only by the store's writer loop, and by its `close` once that loop ended.
    final class Pair: @unchecked Sendable {
        let storePath: String
        private(set) var files: [PendingCaptures] = []
        private var current = 0
        init(storePath: String) { self.storePath = storePath }

        /// Writes a batch where it goes (`durable`: how many captures are synced in the table);
        /// the file written, and its size after.
        func write(_ batch: [Capture], durable: Int) throws -> (file: PendingCaptures, size: Int) {
            var rewind = false
            if files.isEmpty {
                files = [try PendingCaptures(storePath: storePath, number: 0)]
            } else if files[current].size >= SQLiteCaptureStore.rewindAt {
                if files.count == 1 {
                    files.append(try PendingCaptures(storePath: storePath, number: 1))
                    current = 1
                } else if durable >= files[1 - current].writtenThrough {
                    current = 1 - current
                    rewind = true
                }
            }
            let file = files[current]
            return (file, try file.write(batch, rewind: rewind))
        }

        /// Removes the files (everything in them is synced in the table) or leaves them for the
        /// next opener.
        func finish(removing: Bool) {
            for file in files { if removing { file.remove() } else { file.abandon() } }
            files = []
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    // MARK: records

    static let magic: UInt8 = 0xC5
    static let headerSize = 17

    /// Appends one capture, framed, to `out`.
    /// `bound`: the capture's `encodedSizeBound`, when the caller has it already.
    static func frame(_ capture: Capture, generation: UInt32, bound: Int? = nil, into out: inout [UInt8]) {
        var writer = BinaryWriter(capacity: bound ?? capture.encodedSizeBound)
        capture.encode(to: &writer)
        let payload = writer.bytes
        out.append(magic)
        withUnsafeBytes(of: generation.littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: UInt32(payload.count).littleEndian) { out.append(contentsOf: $0) }
        withUnsafeBytes(of: checksum(payload[...], generation: generation).littleEndian) { out.append(contentsOf: $0) }
        out.append(contentsOf: payload)
    }

    /// The captures framed in `bytes`: the first record's generation, up to the first record that
    /// is torn, damaged or of another generation.
    static func records(_ bytes: [UInt8]) -> [Capture] {
        func integer(_ at: Int, _ count: Int) -> UInt64 { bytes[at ..< at + count].reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        var out: [Capture] = []
        var at = 0
        var first: UInt32?
        while bytes.count - at >= headerSize, bytes[at] == magic {
            let generation = UInt32(integer(at + 1, 4))
            let length = Int(integer(at + 5, 4))
            let start = at + headerSize
            guard generation == first ?? generation, length <= bytes.count - start else { break }
            let payload = bytes[start ..< start + length]
            guard checksum(payload, generation: generation) == integer(at + 9, 8) else { break }
            var reader = BinaryReader(Array(payload))
            guard let capture = try? Capture(from: &reader), reader.atEnd else { break }
            out.append(capture)
            first = generation
            at = start + length
        }
        return out
    }

    /// FNV-1a's multiply over 8-byte words (and a shift that folds the high bits back), seeded
    /// with the generation: enough to tell a torn, zeroed or overwritten record from a whole one,
    /// at a few instructions per word.
    static func checksum(_ bytes: ArraySlice<UInt8>, generation: UInt32) -> UInt64 {
        let prime: UInt64 = 0x0000_0100_0000_01b3
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(generation)
        bytes.withUnsafeBytes { raw in
            var i = 0
            while i + 8 <= raw.count {
                hash = (hash ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* prime
                hash ^= hash >> 29
                i += 8
            }
            while i < raw.count {
                hash = (hash ^ UInt64(raw[i])) &* prime
                i += 1
            }
        }
        return hash ^ UInt64(bytes.count)
    }

    // MARK: recovery

    /// The files of `storePath` whose process is gone: each one's records, read under its lock,
    /// and `finish`, which removes the file when they are in the table (`true`) or leaves it for
    /// the next opener (`false`).
    static func orphans(of storePath: String) -> [(captures: [Capture], finish: @Sendable (Bool) -> Void)] {
        let folder = folder(of: storePath)
        var out: [(captures: [Capture], finish: @Sendable (Bool) -> Void)] = []
        for name in fileNames(of: storePath) {
            let path = (folder == "/" ? "" : folder) + "/" + name
            let fd = Glibc.open(path, O_RDWR | O_CLOEXEC)
            guard fd >= 0 else { continue }
            // Held: its process is alive and fills the table itself.
            guard flock(fd, LOCK_EX | LOCK_NB) == 0 else { _ = Glibc.close(fd); continue }
            out.append((records(readAll(fd)), { stored in
                if stored { unlink(path) }
                release(fd)
            }))
        }
        return out
    }

    /// Whether any pending file of `storePath` exists, a live process's or a dead one's.
    static func exist(for storePath: String) -> Bool { !fileNames(of: storePath).isEmpty }

    /// The names of the pending files of `storePath` in its folder (`captures.sqlite3.pending-…`).
    private static func fileNames(of storePath: String) -> [String] {
        let slash = storePath.lastIndex(of: "/")
        let prefix = String(storePath[(slash.map { storePath.index(after: $0) } ?? storePath.startIndex)...]) + ".pending-"
        guard let dir = opendir(folder(of: storePath)) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name.hasPrefix(prefix) { names.append(name) }
        }
        return names
    }

    /// The folder a path is in: "." for a bare name, "/" for one at the root.
    static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func readAll(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { return bytes }
            bytes.append(contentsOf: chunk[..<n])
        }
    }
}

extension Capture: BinaryCodable {
    /// At least the bytes `encode` writes: every string and the body, and ten bytes for each
    /// length and number.
    var encodedSizeBound: Int {
        var size = peer.utf8.count + request.body.count + summary.utf8.count + 10 * (12 + 2 * request.headers.count)
        size += (request.method?.utf8.count ?? 0) + (request.target?.utf8.count ?? 0)
        size += (vendor?.utf8.count ?? 0) + (kind?.utf8.count ?? 0) + (verdict?.utf8.count ?? 0)
        for header in request.headers { size += header.name.utf8.count + header.value.utf8.count }
        return size
    }

    public func encode(to w: inout BinaryWriter) {
        w.write(Int(id ?? 0)); w.write(Int(receivedAt)); w.write(peer)
        w.write(request.method); w.write(request.target)
        w.write(request.headers.count)
        for header in request.headers { w.write(header.name); w.write(header.value) }
        w.write(bytes: request.body)
        w.write(vendor); w.write(kind); w.write(verdict); w.write(summary); w.write(answeredStatus)
    }

    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        let id = Int64(try r.int())
        let receivedAt = Int64(try r.int())
        let peer = try r.string()
        let method: String? = try r.optional()
        let target: String? = try r.optional()
        let count = try r.int()
        guard count >= 0 else { throw BinaryReader.Failure() }
        var headers: [(name: String, value: String)] = []
        for _ in 0..<count { headers.append((try r.string(), try r.string())) }
        let body = try r.section()
        self.init(id: id, receivedAt: receivedAt, peer: peer, request: HTTPMessage(kind: .request, method: method, target: target, headers: headers, body: body),
                  vendor: try r.optional(), kind: try r.optional(), verdict: try r.optional(), summary: try r.string(), answeredStatus: try r.int())
    }
}
