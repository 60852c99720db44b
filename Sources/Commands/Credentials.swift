import Adapters
import FoundationEssentials
import Glibc
import Shell

/// Credentials for a vendor, from `--cred NAME=VALUE` (VALUE may be `env:VAR` or `file:PATH`),
/// from earlier commands of the session, or from a no-echo prompt. Values live in memory only.
public final class CredentialStore {
    private var values: [String: [String: String]] = [:]
    public init() {}

    public func get(_ vendor: String) -> [String: String] { values[vendor] ?? [:] }
    public func set(_ vendor: String, _ name: String, _ value: String) { values[vendor, default: [:]][name] = value }
}

extension Session {
    public var credentialStore: CredentialStore {
        if let store = service(CredentialStore.self) { return store }
        let store = CredentialStore()
        register(store)
        return store
    }
}

enum CredentialResolver {
    /// Resolves `--cred` flags, fills the rest from the session or a prompt, and remembers them.
    /// `required` names must end up present.
    static func resolve(_ flags: [String], for adapter: Adapter, session: Session, required: [String]) throws(CommandError) -> [String: String] {
        let store = session.credentialStore
        let known = Set(adapter.credentials.map(\.name))
        for flag in flags {
            guard let eq = flag.firstIndex(of: "=") else {
                throw CommandError.usage("--cred takes NAME=VALUE, not '\(flag)'", hint: "e.g. --cred \(adapter.credentials.last?.name ?? "secret")=env:MY_SECRET")
            }
            let name = String(flag[..<eq])
            guard known.contains(name) else {
                throw CommandError.usage("\(adapter.id) has no credential '\(name)'",
                                         hint: "its credentials: \(adapter.credentials.map(\.name).joined(separator: ", "))")
            }
            let value = try dereference(String(flag[flag.index(after: eq)...]), name: name)
            store.set(adapter.id, name, value)
            if adapter.credentials.first(where: { $0.name == name })?.secret == true { session.addSecret(value) }
        }
        var credentials = store.get(adapter.id)
        for name in required where credentials[name] == nil {
            let secret = adapter.credentials.first { $0.name == name }?.secret ?? false
            guard let read = session.readSecret?("\(adapter.id) \(name)\(secret ? " (not echoed)" : ""): "), !read.isEmpty else {
                throw CommandError.usage("missing credential \(name) for \(adapter.id)",
                                         hint: "give --cred \(name)=VALUE (VALUE may be env:VAR or file:PATH)")
            }
            store.set(adapter.id, name, read)
            if secret { session.addSecret(read) }
            credentials[name] = read
        }
        return credentials
    }

    /// `env:VAR` and `file:PATH` references; anything else is the value itself.
    static func dereference(_ value: String, name: String) throws(CommandError) -> String {
        if value.hasPrefix("env:") {
            let variable = String(value.dropFirst(4))
            guard let found = ProcessInfo.processInfo.environment[variable] else {
                throw CommandError.usage("credential \(name): environment variable \(variable) is not set")
            }
            return found
        }
        if value.hasPrefix("file:") {
            let path = String(value.dropFirst(5))
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommandError(.dataError, "credential \(name): cannot read \(path)")
            }
            var text = String(decoding: data, as: UTF8.self)
            // A file's final newline is not part of the secret (a classic cause of mismatches).
            while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
            return text
        }
        return value
    }
}
