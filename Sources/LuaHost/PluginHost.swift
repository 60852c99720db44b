import Adapters
import Dispatch
import FoundationEssentials

/// A problem with one plugin: where (file, line, key path) and what. The plugin is skipped.
public struct PluginDiagnostic: Equatable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var keyPath: String?
    public var message: String

    public var description: String {
        var where_ = file
        if let line { where_ += ":\(line)" }
        if let keyPath, !keyPath.isEmpty { return "\(where_): \(keyPath): \(message)" }
        return "\(where_): \(message)"
    }
}

/// The result of signing: what to send, the signature, and every intermediate step.
public struct SignOutput: Equatable, Sendable {
    public var headers: [(String, String)]
    public var query: [(String, String)]
    public var signature: String
    public var steps: [TraceStep]

    public static func == (a: SignOutput, b: SignOutput) -> Bool {
        a.headers.map { $0.0 + "=" + $0.1 } == b.headers.map { $0.0 + "=" + $0.1 }
            && a.query.map { $0.0 + "=" + $0.1 } == b.query.map { $0.0 + "=" + $0.1 }
            && a.signature == b.signature && a.steps == b.steps
    }

    /// A header or query value by name (headers case-insensitively), or the signature.
    public func value(named name: String) -> String? {
        if name == "signature" { return signature }
        if let h = headers.first(where: { $0.0.lowercased() == name.lowercased() }) { return h.1 }
        return query.first(where: { $0.0 == name })?.1
    }
}

/// What a sign function receives besides credentials.
public struct SignRequest: Sendable {
    public var operation: String?
    public var method: String
    public var path: String
    public var body: String?
    public var query: [String: String]
    /// Values the user pinned (ts, nonce, request_id, date, algorithm).
    public var pins: [String: String]

    public init(operation: String? = nil, method: String = "POST", path: String = "/", body: String? = nil,
                query: [String: String] = [:], pins: [String: String] = [:]) {
        self.operation = operation
        self.method = method
        self.path = path
        self.body = body
        self.query = query
        self.pins = pins
    }
}

/// Loads plugins into sandboxes, keeps their adapters, and runs their functions.
///
/// Loading is lazy: the first use of `adapters` (or `diagnostics`) loads every plugin, so commands
/// that need no adapter never pay for Lua.
public final class PluginHost {
    private var loadedAdapters: [Adapter] = []
    private var loadedDiagnostics: [PluginDiagnostic] = []
    private var loadedNotices: [String] = []
    private var isLoaded = false
    /// Called after every load (to report diagnostics).
    public var onLoad: ((PluginHost) -> Void)?

    public var adapters: [Adapter] { loadIfNeeded(); return loadedAdapters }
    public var diagnostics: [PluginDiagnostic] { loadIfNeeded(); return loadedDiagnostics }
    /// "id from X replaces the one from Y" notices.
    public var notices: [String] { loadIfNeeded(); return loadedNotices }
    public let roots: [PluginRoot]
    public var limits: LuaSandbox.Limits
    private var sandboxes: [String: LuaSandbox] = [:]
    private let context: HostContext
    /// Where extracted adapters are cached between runs (nil: always run the plugins).
    public var cachePath: String?
    /// Written into the cache key, so another build never reads this one's cache.
    public var version = "0"
    /// Whether the last load came from the cache (no Lua ran).
    public private(set) var loadedFromCache = false

    public init(roots: [PluginRoot], limits: LuaSandbox.Limits = .init(), cachePath: String? = nil,
                clock: @escaping () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }) {
        self.roots = roots
        self.limits = limits
        self.cachePath = cachePath
        context = HostContext(moduleRoots: roots.map(\.path), clock: clock)
    }

    public func adapter(_ id: String) -> Adapter? { adapters.first { $0.id == id } }

    public func loadIfNeeded() { if !isLoaded { load() } }

    /// (Re)loads every plugin from the roots. Broken plugins become diagnostics; the rest load.
    /// With `useCache`, unchanged plugins are read from the adapter cache instead of run.
    public func load(useCache: Bool = true) {
        isLoaded = true
        loadedAdapters = []
        loadedDiagnostics = []
        loadedNotices = []
        sandboxes = [:]
        loadedFromCache = false
        let key = cachePath.map { _ in AdapterCache.key(roots: roots, version: version) }
        if useCache, let cachePath, let key, let cached = AdapterCache.load(path: cachePath, key: key) {
            loadedAdapters = cached.adapters
            loadedDiagnostics = cached.diagnostics
            loadedNotices = cached.notices
            loadedFromCache = true
            onLoad?(self)
            return
        }
        var folders: [(path: String, origin: PluginRoot.Origin)] = []
        for root in roots {
            guard PluginLocator.isDirectory(root.path) else {
                loadedDiagnostics.append(PluginDiagnostic(file: root.path, message: "plugin folder not found"))
                continue
            }
            folders += PluginLocator.pluginFolders(in: root.path).map { ($0, root.origin) }
        }
        loadFolders(folders)
        if let cachePath, let key {
            AdapterCache.store(AdapterCache.File(key: key, adapters: loadedAdapters, diagnostics: loadedDiagnostics, notices: loadedNotices),
                               path: cachePath)
        }
        onLoad?(self)
    }

    /// The Lua state of an adapter; when the adapters came from the cache it is created on first
    /// use, and its function references replace the cached placeholders.
    private func sandbox(for adapterID: String) throws(LuaError) -> LuaSandbox {
        if let sandbox = sandboxes[adapterID] { return sandbox }
        guard let index = loadedAdapters.firstIndex(where: { $0.id == adapterID }) else {
            throw LuaError(.setup, "\(adapterID) is not loaded")
        }
        switch PluginHost.loadFolder(loadedAdapters[index].origin, limits: limits, context: context) {
        case .loaded(let fresh, let sandbox):
            loadedAdapters[index].hooks = fresh.hooks
            loadedAdapters[index].commands = fresh.commands
            sandboxes[adapterID] = sandbox
            return sandbox
        case .failed(let diagnostic):
            throw LuaError(.setup, "\(diagnostic) (the plugin changed since it was loaded? run 'plugins reload')")
        }
    }

    /// What loading one plugin folder produced.
    private enum FolderResult {
        case loaded(Adapter, LuaSandbox)
        case failed(PluginDiagnostic)
    }

    /// Carries results (and the shared context) between the loading threads; each slot is written
    /// by exactly one thread and read after all have finished.
    private final class LoadSlots: @unchecked Sendable {
        var results: [FolderResult?]
        let context: HostContext
        init(count: Int, context: HostContext) {
            results = Array(repeating: nil, count: count)
            self.context = context
        }
    }

    /// Loads the folders on every core (each plugin has its own Lua state), then applies them in
    /// order so later roots override earlier ones exactly as a sequential load would.
    private func loadFolders(_ folders: [(path: String, origin: PluginRoot.Origin)]) {
        let slots = LoadSlots(count: folders.count, context: context)
        let limits = self.limits
        let paths = folders.map(\.path)
        DispatchQueue.concurrentPerform(iterations: folders.count) { i in
            slots.results[i] = PluginHost.loadFolder(paths[i], limits: limits, context: slots.context)
        }
        for (i, folder) in folders.enumerated() {
            switch slots.results[i]! {
            case .failed(let diagnostic):
                loadedDiagnostics.append(diagnostic)
            case .loaded(let adapter, let sandbox):
                if let index = loadedAdapters.firstIndex(where: { $0.id == adapter.id }) {
                    loadedNotices.append("plugin \(adapter.id) from \(folder.path) (\(folder.origin.rawValue)) replaces the one from \(loadedAdapters[index].origin)")
                    loadedAdapters[index] = adapter
                } else {
                    loadedAdapters.append(adapter)
                }
                sandboxes[adapter.id] = sandbox
            }
        }
    }

    private static func loadFolder(_ folder: String, limits: LuaSandbox.Limits, context: HostContext) -> FolderResult {
        let file = folder + "/plugin.lua"
        guard let data = FileManager.default.contents(atPath: file) else {
            return .failed(PluginDiagnostic(file: file, message: "cannot read the file"))
        }
        let source = Array(data)
        let chunk = chunkName(folder)
        do {
            let sandbox = try LuaSandbox(limits: limits, context: context)
            // A short chunk name keeps Lua's messages whole (it cuts long ones to 60 characters).
            let value = try sandbox.run(source: source, chunkName: chunk)
            guard case .table(let table) = value else {
                throw PluginDiagnostic(file: file, message: "plugin.lua must return a table, not \(value.typeName)")
            }
            var adapter = try AdapterBuilder.build(table, origin: folder)
            let folderName = String(folder.split(separator: "/").last ?? "")
            if adapter.id != folderName {
                throw PluginDiagnostic(file: file, keyPath: "id", message: "'\(adapter.id)' must match the folder name '\(folderName)'")
            }
            adapter.origin = folder
            return .loaded(adapter, sandbox)
        } catch let error as LuaError {
            return .failed(diagnostic(from: error, file: file, chunkName: chunk))
        } catch let error as SchemaError {
            return .failed(PluginDiagnostic(file: file, line: SourceLocator.line(of: error.keyPath, in: source),
                                            keyPath: error.keyPath, message: error.message))
        } catch let error as PluginDiagnostic {
            return .failed(error)
        } catch {
            return .failed(PluginDiagnostic(file: file, message: "\(error)"))
        }
    }

    private static func chunkName(_ folder: String) -> String { (folder.split(separator: "/").last.map(String.init) ?? folder) + "/plugin.lua" }

    /// Splits Lua's "chunk:line: message" into its parts, naming the full file.
    static func diagnostic(from error: LuaError, file: String, chunkName: String) -> PluginDiagnostic {
        let text = error.message
        if text.hasPrefix(chunkName + ":") {
            let rest = text.dropFirst(chunkName.count + 1)
            let digits = rest.prefix { $0.isNumber }
            if let line = Int(digits), rest.dropFirst(digits.count).hasPrefix(": ") {
                return PluginDiagnostic(file: file, line: line, message: String(rest.dropFirst(digits.count + 2)))
            }
        }
        return PluginDiagnostic(file: file, message: text)
    }

    /// Runs an adapter's `sign(request, credentials)`; with `trace`, records every step.
    public func sign(_ adapterID: String, request: SignRequest, credentials: [String: String],
                     trace: Bool = true) throws(LuaError) -> SignOutput {
        guard adapter(adapterID)?.canSign == true else { throw LuaError(.setup, "\(adapterID) cannot sign (its plugin has no sign function)") }
        let sandbox = try sandbox(for: adapterID)
        guard let ref = adapter(adapterID)?.hooks["sign"] else {
            throw LuaError(.setup, "\(adapterID) cannot sign (its plugin has no sign function)")
        }
        var requestTable = PluginTable(fields: [
            "method": .string(request.method), "path": .string(request.path),
            "query": .table(PluginTable(fields: request.query.mapValues { .string($0) })),
            "pin": .table(PluginTable(fields: request.pins.mapValues { .string($0) })),
        ])
        if let operation = request.operation { requestTable.fields["operation"] = .string(operation) }
        if let body = request.body { requestTable.fields["body"] = .string(body) }
        let credentialTable = PluginTable(fields: credentials.mapValues { .string($0) })
        context.trace = trace ? [] : nil
        context.tracePrimitives = trace
        defer {
            context.trace = nil
            context.tracePrimitives = false
        }
        let result: PluginValue
        do {
            result = try sandbox.call(ref: ref, arguments: [.table(requestTable), .table(credentialTable)])
        } catch {
            throw LuaError(error.kind, "\(adapterID): \(error.message)")
        }
        guard case .table(let out) = result else {
            throw LuaError(.runtime, "\(adapterID): sign must return a table { headers = …, query = …, signature = … }")
        }
        func pairs(_ key: String) -> [(String, String)] {
            guard case .table(let t)? = out[key] else { return [] }
            return t.fields.compactMap { name, value in value.scalarText.map { (name, $0) } }.sorted { $0.0 < $1.0 }
        }
        return SignOutput(headers: pairs("headers"), query: pairs("query"), signature: out["signature"]?.scalarText ?? "",
                          steps: context.trace ?? [])
    }

    /// Calls the adapter's hook `name` (from its `hooks` table) with `arguments`; nil if it has none.
    public func callHook(_ adapterID: String, _ name: String, arguments: [PluginValue]) throws(LuaError) -> PluginValue? {
        guard adapter(adapterID)?.hooks[name] != nil else { return nil }
        let sandbox = try sandbox(for: adapterID)
        guard let ref = adapter(adapterID)?.hooks[name] else { return nil }
        do {
            return try sandbox.call(ref: ref, arguments: arguments)
        } catch {
            throw LuaError(error.kind, "\(adapterID): \(error.message)")
        }
    }

    /// Runs a plugin command's `run(args)`; returns its result.
    public func runCommand(_ adapterID: String, _ command: PluginCommand, arguments: [String]) throws(LuaError) -> PluginValue {
        let sandbox = try sandbox(for: adapterID)
        guard let ref = adapter(adapterID)?.commands.first(where: { $0.name == command.name })?.function else {
            throw LuaError(.setup, "\(adapterID) has no command \(command.name)")
        }
        do {
            return try sandbox.call(ref: ref, arguments: [.table(PluginTable(array: arguments.map { .string($0) }))])
        } catch {
            throw LuaError(error.kind, "\(adapterID): \(error.message)")
        }
    }

}

extension PluginDiagnostic: Error {}

/// Finds the line of a key path's last key in a plugin's source (best effort, for diagnostics).
enum SourceLocator {
    static func line(of keyPath: String, in source: [UInt8]) -> Int? {
        let keys = keyPath.split(separator: ".").map { String($0.prefix { $0 != "[" }) }.filter { !$0.isEmpty }
        let lines = String(decoding: source, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        var start = 0
        var found: Int?
        // Walk the keys in order, each searched after the line of the previous one.
        for key in keys {
            guard let index = lines[start...].firstIndex(where: { contains(key: key, in: $0) }) else { break }
            found = index + 1
            start = index
        }
        return found
    }

    private static func contains(key: String, in line: Substring) -> Bool {
        guard let range = line.ranges(of: key).first else { return false }
        let before = line[..<range.lowerBound].last
        let after = line[range.upperBound...].drop { $0 == " " || $0 == "\"" || $0 == "]" }.first
        let boundary = before == nil || !(before!.isLetter || before!.isNumber || before! == "_")
        return boundary && after == "="
    }
}
