import FoundationEssentials
import Glibc

/// The session's command history: every entry in memory, and on disk only the ones allowed to
/// persist. The file (one entry a line, `\n` and `\\` escaped) is created with mode 0600 and each
/// entry is appended as it is accepted, so a crash loses nothing.
public final class HistoryStore {
    public let path: String?
    public let limit: Int
    public private(set) var entries: [String] = []
    /// Called after an entry is added (for the line editor's own history list) or on clear.
    public var onAdd: ((String) -> Void)?
    public var onClear: (() -> Void)?
    private var persistedCount = 0

    public init(path: String?, limit: Int = 2000) {
        self.path = path
        self.limit = limit
    }

    /// `$XDG_STATE_HOME/callscope/history`, defaulting to `~/.local/state/callscope/history`.
    public static func defaultPath(environment: [String: String]) -> String? {
        if let state = environment["XDG_STATE_HOME"], state.hasPrefix("/") { return state + "/callscope/history" }
        guard let home = environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.local/state/callscope/history"
    }

    /// Reads the file (if any), keeping the newest `limit` entries, and rewrites it when it grew past the limit.
    public func load() {
        guard let path, let data = FileManager.default.contents(atPath: path) else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map { HistoryStore.unescape(String($0)) }
        entries = Array(lines.suffix(limit))
        persistedCount = entries.count
        loadedCount = entries.count
        if lines.count > limit { rewrite() }
    }

    /// Adds an entry; `persist` false keeps it in memory only (sensitive lines).
    public func add(_ entry: String, persist: Bool) {
        guard !entry.isEmpty else { return }
        if entries.last == entry { return }
        entries.append(entry)
        if entries.count > limit {
            let dropped = entries.count - limit
            entries.removeFirst(dropped)
            loadedCount = max(0, loadedCount - dropped)
        }
        onAdd?(entry)
        guard persist, let path else { return }
        if append(HistoryStore.escape(entry) + "\n", to: path) { persistedCount += 1 }
        if persistedCount > limit * 2 { rewrite() }
    }

    public func clear() {
        entries = []
        loadedCount = 0
        persistedCount = 0
        onClear?()
        if let path { _ = write("", to: path, truncate: true) }
    }

    private var sensitive: Set<String> = []
    /// How many of `entries` came from the file rather than from this session.
    private var loadedCount = 0

    /// Marks an in-memory entry as never to be written by a rewrite.
    public func markSensitive(_ entry: String) { sensitive.insert(entry) }

    /// Whether an entry was kept out of the file (it held a secret or a sensitive flag).
    public func isSensitive(_ entry: String) -> Bool { sensitive.contains(entry) }

    /// The entries typed in this session (not those read from the file).
    public var sessionEntries: [String] { Array(entries.dropFirst(loadedCount)) }

    private func rewrite() {
        guard let path else { return }
        let kept = entries.filter { !sensitive.contains($0) }
        persistedCount = kept.count
        _ = write(kept.map { HistoryStore.escape($0) + "\n" }.joined(), to: path, truncate: true)
    }

    private func append(_ text: String, to path: String) -> Bool { write(text, to: path, truncate: false) }

    private func write(_ text: String, to path: String, truncate: Bool) -> Bool {
        let dir = String(path[..<(path.lastIndex(of: "/") ?? path.startIndex)])
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true,
                                                 attributes: [.posixPermissions: 0o700])
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | (truncate ? O_TRUNC : O_APPEND), 0o600)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        fchmod(fd, 0o600)
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return false }
            written += n
        }
        return true
    }

    static func escape(_ s: String) -> String {
        s.replacing("\\", with: "\\\\").replacing("\n", with: "\\n").replacing("\r", with: "\\r")
    }

    static func unescape(_ s: String) -> String {
        var out = ""
        var escaping = false
        for c in s {
            if escaping {
                switch c {
                case "n": out.append("\n")
                case "r": out.append("\r")
                default: out.append(c)
                }
                escaping = false
            } else if c == "\\" {
                escaping = true
            } else {
                out.append(c)
            }
        }
        return out
    }
}
