import Adapters
import FoundationEssentials
import Glibc

/// The adapters extracted from the plugins, saved in a compact binary form so the next start runs
/// no Lua at all. It is used only while every .lua file under every plugin root is unchanged (same
/// names, sizes and modification times) and callscope is the same version; Lua states are then
/// created on first use of a plugin's functions.
public enum AdapterCache {
    struct File {
        var key: String
        var adapters: [Adapter]
        var diagnostics: [PluginDiagnostic]
        var notices: [String]
    }

    static let magic = "callscope adapter cache 3"

    /// The roots and every .lua file in them (name, size, mtime), as a listing kept whole in the
    /// cache file and compared byte for byte: no digest (the first SHA-256 of a process cost a
    /// conformance scan, a twentieth of a cached `explain`), and no collision to reason about.
    static func key(roots: [PluginRoot], version: String) -> String {
        var listing = "callscope \(version)\n"
        for root in roots {
            listing += "root \(root.path) \(root.origin.rawValue)\n"
            listFiles(root.path, prefix: "", depth: 0, into: &listing)
        }
        return listing
    }

    private static func listFiles(_ dir: String, prefix: String, depth: Int, into listing: inout String) {
        guard depth < 3 else { return }
        for (name, type) in directoryEntries(dir).sorted(by: { $0.name < $1.name }) where !name.hasPrefix(".") {
            // Only directories and .lua files are looked at: fixtures and documents are not stat'ed.
            let isLua = name.hasSuffix(".lua")
            guard isLua || type == DT_DIR || type == DT_UNKNOWN || type == DT_LNK else { continue }
            let path = dir + "/" + name
            var info = stat()
            guard stat(path, &info) == 0 else { continue }
            if (info.st_mode & S_IFMT) == S_IFDIR {
                listFiles(path, prefix: prefix + name + "/", depth: depth + 1, into: &listing)
            } else if isLua {
                listing += "\(prefix)\(name) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)\n"
            }
        }
    }

    /// The names in `dir` with their types as the directory reports them (readdir: FileManager's
    /// listing cost a tenth of a cached start).
    private static func directoryEntries(_ dir: String) -> [(name: String, type: Int)] {
        guard let stream = opendir(dir) else { return [] }
        defer { closedir(stream) }
        var entries: [(name: String, type: Int)] = []
        while let entry = readdir(stream) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { entries.append((name, Int(entry.pointee.d_type))) }
        }
        return entries
    }

    static func load(path: String, key: String) -> File? {
        guard let bytes = contents(of: path) else { return nil }
        return read(bytes, key: key)
    }

    /// The whole file, read straight into one array (FileManager's `Data`, copied into an array,
    /// touched every page twice).
    private static func contents(of path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, info.st_size > 0, info.st_size < 64 << 20 else { return nil }
        let size = Int(info.st_size)
        var complete = true
        let bytes = [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            while count < size {
                let n = Glibc.read(fd, buffer.baseAddress! + count, size - count)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { complete = false; break }
                count += n
            }
        }
        return complete ? bytes : nil
    }

    /// Whether `bytes` read as a whole cache file under any key (for the fuzzer: the file is
    /// untrusted input and any inconsistency must read as "rebuild", never crash).
    public static func isReadable(_ bytes: [UInt8]) -> Bool {
        guard let file = read(bytes, key: nil) else { return false }
        // The deferred parts too: they must decode or read as empty, never crash.
        for adapter in file.adapters { _ = (adapter.payloads, adapter.operations, adapter.examples) }
        return true
    }

    /// The file in `bytes`, when it is whole and was written for `key` (nil: any key).
    static func read(_ bytes: [UInt8], key: String?) -> File? {
        var reader = BinaryReader(bytes)
        do {
            guard try reader.string() == magic else { return nil }
            let stored = try reader.string()
            guard key == nil || stored == key else { return nil }
            let file = File(key: stored, adapters: try reader.array(), diagnostics: try reader.array(), notices: try reader.array())
            return reader.atEnd ? file : nil
        } catch {
            return nil
        }
    }

    /// Writes the cache atomically (a temporary file renamed over the old one); failures are ignored.
    static func store(_ file: File, path: String) {
        var writer = BinaryWriter()
        writer.write(magic)
        writer.write(file.key)
        writer.write(file.adapters)
        writer.write(file.diagnostics)
        writer.write(file.notices)
        let dir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let temp = path + ".\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(writer.bytes)) else { return }
        if rename(temp, path) != 0 { unlink(temp) }
    }

    /// `$XDG_CACHE_HOME/callscope/adapters.bin`, defaulting to `~/.cache/callscope/adapters.bin`.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let cache = environment["XDG_CACHE_HOME"], cache.hasPrefix("/") { return cache + "/callscope/adapters.bin" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.cache/callscope/adapters.bin"
    }
}

extension PluginDiagnostic: BinaryCodable {
    public func encode(to w: inout BinaryWriter) { w.write(file); w.write(line); w.write(keyPath); w.write(message) }
    public init(from r: inout BinaryReader) throws(BinaryReader.Failure) {
        self.init(file: try r.string(), line: try r.optional(), keyPath: try r.optional(), message: try r.string())
    }
}
