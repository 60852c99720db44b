import Adapters
import LuaHost
import Shell
import Workbench

/// The loaded adapters as the commands see them, and the completion candidates they provide.
extension Session {
    public var pluginHost: PluginHost? { service(PluginHost.self) }
    public var adapters: [Adapter] { pluginHost?.adapters ?? [] }

    /// The signer the use-cases get: the plugin host.
    func signer() throws(CommandError) -> PluginHost {
        guard let host = pluginHost else { throw CommandError(.config, "no plugin host") }
        return host
    }

    func messageVerifier() throws(CommandError) -> MessageVerifier {
        MessageVerifier(adapters: adapters, signer: try signer())
    }

    /// Ctrl-C, as the use-cases poll it.
    var cancellation: Cancellation { Cancellation(interruptRequested) }

    /// The adapter a typed name means (its id, an alias, a unique prefix or part), if any.
    public func adapterNamed(_ word: String) -> Adapter? { adapters.named(word) }

    /// The adapter named `id` (or an alias or unique prefix of it), or a not-found error listing the loaded ones.
    public func adapter(_ id: String) throws(CommandError) -> Adapter {
        if let adapter = adapters.named(id) { return adapter }
        let ids = adapters.map(\.id)
        let near = EditDistanceHint.suggestion(for: id, among: ids)
        throw CommandError(.negative, "no adapter '\(id)'",
                           hint: near ?? (ids.isEmpty ? "no plugins are loaded (see 'plugins')" : "loaded: \(ids.joined(separator: ", "))"))
    }
}

/// Completion sources derived from the loaded adapters.
public enum AdapterCompletion {
    public static var vendorIDs: CompletionSource { .dynamic { request in request.session?.adapters.map(\.id) ?? [] } }

    /// Table names of the vendor named earlier on the line (or in use), else of every adapter.
    public static var tableNames: CompletionSource { .dynamic { request in
        adapters(for: request).flatMap { $0.codeTables.map(\.name) }
    } }

    public static var operationNames: CompletionSource { .dynamic { request in
        adapters(for: request).flatMap { $0.operations.map(\.name) }
    } }

    /// Codes (and their names) of the table named earlier on the line.
    public static var codeValues: CompletionSource { .described { request in
        let words = Set(request.words)
        return adapters(for: request).flatMap { adapter in
            adapter.codeTables.filter { words.contains($0.name) }.flatMap { table in
                table.entries.flatMap { entry in ([entry.code] + entry.aliases).map { (word: $0, description: entry.meaning) } }
            }
        }
    } }

    public static var payloadFieldPaths: CompletionSource { .dynamic { request in
        adapters(for: request).flatMap { $0.payloads.flatMap { $0.fields.map(\.path) } }
    } }

    /// `--cred NAME=`: the credential names of the vendor on the line (or in use).
    public static var credentialNames: CompletionSource { .dynamic { request in
        Array(Set(adapters(for: request).flatMap { $0.credentials.map { $0.name + "=" } })).sorted()
    } }

    /// `--pin NAME=`: the values the vendor's recipe reads, with their accepted values once named.
    public static var pinNames: CompletionSource { .dynamic { request in
        adapters(for: request).flatMap { adapter in
            adapter.pins.flatMap { pin in pin.values.isEmpty ? [pin.name + "="] : pin.values.map { pin.name + "=" + $0 } }
        }
    } }

    public static var regionCodes: CompletionSource { .dynamic { request in adapters(for: request).flatMap { $0.regions.map(\.code) } } }

    static func adapters(for request: CompletionRequest) -> [Adapter] {
        let all = request.session?.adapters ?? []
        if let named = request.words.lazy.compactMap({ all.named($0) }).first { return [named] }
        if let current = request.session?.vendor, let adapter = all.first(where: { $0.id == current }) { return [adapter] }
        return all
    }
}
