import Adapters
import FoundationEssentials
import Glibc
import Synchronization

/// Credentials per vendor, in memory only, shared by the shell and its servers.
public final class CredentialStore: Sendable {
    private let values = Mutex<[String: [String: String]]>([:])
    public init() {}

    public func get(_ vendor: String) -> [String: String] { values.withLock { $0[vendor] ?? [:] } }
    public func set(_ vendor: String, _ name: String, _ value: String) { values.withLock { $0[vendor, default: [:]][name] = value } }
    /// Sets `name` only when the store has no value for it yet.
    public func setIfAbsent(_ vendor: String, _ name: String, _ value: String) {
        values.withLock { if $0[vendor]?[name] == nil { $0[vendor, default: [:]][name] = value } }
    }
}

/// `--cred NAME=VALUE` as users write it, where VALUE may be `env:VAR` or `file:PATH`.
public enum CredentialReference {
    /// Splits NAME=VALUE and checks that the adapter has such a credential.
    public static func parse(_ flag: String, for adapter: Adapter) throws(WorkbenchError) -> (name: String, value: String) {
        guard let eq = flag.firstIndex(of: "=") else {
            // The word may be the secret itself: it is not repeated.
            throw WorkbenchError(.usage, "--cred takes NAME=VALUE (the word given has no '='; not shown, it may be a secret)",
                                 hint: "e.g. --cred \(adapter.credentials.last?.name ?? "secret")=env:MY_SECRET")
        }
        let name = String(flag[..<eq])
        guard adapter.credentials.contains(where: { $0.name == name }) else {
            throw WorkbenchError(.usage, "\(adapter.id) has no credential '\(name)'",
                                 hint: "its credentials: \(adapter.credentials.map(\.name).joined(separator: ", "))")
        }
        return (name, try dereference(String(flag[flag.index(after: eq)...]), name: name))
    }

    /// Whether a `--cred` value is written out rather than referenced (`env:`, `file:`).
    public static func isInline(_ value: String) -> Bool { !value.hasPrefix("env:") && !value.hasPrefix("file:") }

    /// `env:VAR` and `file:PATH` (`~/` is `$HOME`) references; anything else is the value itself.
    public static func dereference(_ value: String, name: String) throws(WorkbenchError) -> String {
        if value.hasPrefix("env:") {
            let variable = String(value.dropFirst(4))
            guard let found = ProcessInfo.processInfo.environment[variable] else {
                throw WorkbenchError(.usage, "credential \(name): environment variable \(variable) is not set")
            }
            return found
        }
        if value.hasPrefix("file:") {
            var path = String(value.dropFirst(5))
            if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] { path = home + path.dropFirst() }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw WorkbenchError(.data, "credential \(name): cannot read \(path)")
            }
            var text = String(decoding: data, as: UTF8.self)
            // A file's final newline is not part of the secret (a classic cause of mismatches).
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
        return value
    }
}
