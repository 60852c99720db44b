import Adapters
import Dispatch
import FoundationEssentials
import Signing
import Synchronization

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

/// Loads plugins into sandboxes, keeps their adapters, and runs their functions: the `Signer` of
/// the application, safe to call from any thread.
///
/// Loading is lazy: the first use of `adapters` (or `diagnostics`) loads every plugin, so commands
/// that need no adapter never pay for Lua. Every piece of mutable state, the Lua states included,
/// is behind a lock: one for the shared state of each plugin, so most calls from several threads
/// run one at a time; `sign` and `signature_of`, which servers call on every request, run on
/// spare states of their own and so in parallel.
public final class PluginHost: Signer, Sendable {
    /// The Lua side of one loaded plugin: its state and the registry references of its functions.
    /// Used by one thread at a time: the shared one under `state`'s lock, a spare while taken out
    /// of `spares`.
    final class LoadedPlugin: @unchecked Sendable {
        let sandbox: LuaSandbox
        /// `sign` and each hook, by name.
        let functions: [String: Int32]
        /// Each command's `run`, by command name.
        let commands: [String: Int32]

        init(sandbox: LuaSandbox, functions: [String: Int32], commands: [String: Int32]) {
            self.sandbox = sandbox
            self.functions = functions
            self.commands = commands
        }
    }

    struct State {
        var adapters: [Adapter] = []
        var diagnostics: [PluginDiagnostic] = []
        var notices: [String] = []
        var isLoaded = false
        var loadedFromCache = false
        var plugins: [String: LoadedPlugin] = [:]
        var limits: LuaSandbox.Limits
        var cachePath: String?
        var version = "0"
    }

    private let state: Mutex<State>

    /// Further Lua states of each plugin, for `sign` and `signature_of` alone: a server calls them
    /// on every request from several threads, and each call takes an idle state of its own rather
    /// than queueing on `state`'s lock (which runs everything else). Dropped on every load.
    private struct Spares {
        var idle: [String: [LoadedPlugin]] = [:]
        var generation = 0
    }
    private let spares = Mutex(Spares())
    /// Idle spare states kept per plugin; more may run at once, the rest are closed after use.
    static let maxIdleSpares = 8
    public let roots: [PluginRoot]
    private let clock: @Sendable () -> Int64

    public init(roots: [PluginRoot], limits: LuaSandbox.Limits = .init(), cachePath: String? = nil,
                clock: @escaping @Sendable () -> Int64 = { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }) {
        self.roots = roots
        self.clock = clock
        state = Mutex(State(limits: limits, cachePath: cachePath))
    }

    public var adapters: [Adapter] { loadIfNeeded(); return state.withLock { $0.adapters } }
    public var diagnostics: [PluginDiagnostic] { loadIfNeeded(); return state.withLock { $0.diagnostics } }
    /// "id from X replaces the one from Y" notices.
    public var notices: [String] { loadIfNeeded(); return state.withLock { $0.notices } }
    public var limits: LuaSandbox.Limits {
        get { state.withLock { $0.limits } }
        set { state.withLock { $0.limits = newValue } }
    }
    /// Where extracted adapters are cached between runs (nil: always run the plugins).
    public var cachePath: String? {
        get { state.withLock { $0.cachePath } }
        set { state.withLock { $0.cachePath = newValue } }
    }
    /// Written into the cache key, so another build never reads this one's cache.
    public var version: String {
        get { state.withLock { $0.version } }
        set { state.withLock { $0.version = newValue } }
    }
    /// Called after every load (to register plugin commands and report diagnostics), outside the
    /// lock, on the thread that loaded. Set once while wiring the application, before the host is
    /// shared with another thread; never changed afterwards.
    nonisolated(unsafe) public var onLoad: ((PluginHost) -> Void)?
    /// Whether the last load came from the cache (no Lua ran).
    public var loadedFromCache: Bool { state.withLock { $0.loadedFromCache } }

    public func adapter(_ id: String) -> Adapter? { adapters.first { $0.id == id } }

    public func loadIfNeeded() {
        if state.withLock({ $0.isLoaded }) { return }
        load()
    }

    /// (Re)loads every plugin from the roots. Broken plugins become diagnostics; the rest load.
    /// With `useCache`, unchanged plugins are read from the adapter cache instead of run.
    public func load(useCache: Bool = true) {
        let roots = self.roots
        let clock = self.clock
        state.withLock { state in PluginHost.load(into: &state, roots: roots, clock: clock, useCache: useCache) }
        spares.withLock { $0 = Spares(generation: $0.generation + 1) }
        onLoad?(self)
    }

    private static func load(into state: inout State, roots: [PluginRoot], clock: @escaping @Sendable () -> Int64, useCache: Bool) {
        state.isLoaded = true
        state.adapters = []
        state.diagnostics = []
        state.notices = []
        state.plugins = [:]
        state.loadedFromCache = false
        let key = state.cachePath.map { _ in AdapterCache.key(roots: roots, version: state.version) }
        if useCache, let cachePath = state.cachePath, let key, let cached = AdapterCache.load(path: cachePath, key: key) {
            state.adapters = cached.adapters
            state.diagnostics = cached.diagnostics
            state.notices = cached.notices
            state.loadedFromCache = true
            return
        }
        var folders: [(path: String, origin: PluginRoot.Origin)] = []
        for root in roots {
            guard PluginLocator.isDirectory(root.path) else {
                state.diagnostics.append(PluginDiagnostic(file: root.path, message: "plugin folder not found"))
                continue
            }
            folders += PluginLocator.pluginFolders(in: root.path).map { ($0, root.origin) }
        }
        loadFolders(folders, into: &state, roots: roots, clock: clock)
        if let cachePath = state.cachePath, let key {
            AdapterCache.store(AdapterCache.File(key: key, adapters: state.adapters, diagnostics: state.diagnostics, notices: state.notices),
                               path: cachePath)
        }
    }

    /// The Lua side of an adapter; when the adapters came from the cache it is created on first use.
    private static func plugin(_ adapterID: String, in state: inout State, roots: [PluginRoot],
                               clock: @escaping @Sendable () -> Int64) throws(LuaError) -> LoadedPlugin {
        if let plugin = state.plugins[adapterID] { return plugin }
        guard let index = state.adapters.firstIndex(where: { $0.id == adapterID }) else {
            throw LuaError(.setup, "\(adapterID) is not loaded")
        }
        switch PluginHost.loadFolder(state.adapters[index].origin, limits: state.limits, roots: roots, clock: clock) {
        case .loaded(let fresh, let plugin, _):
            state.adapters[index].hooks = fresh.hooks
            state.adapters[index].commands = fresh.commands
            state.plugins[adapterID] = plugin
            return plugin
        case .failed(let diagnostic):
            throw LuaError(.setup, "\(diagnostic) (the plugin changed since it was loaded? run 'plugins reload')")
        }
    }

    /// Runs `body` with the adapter's Lua side, under the lock.
    private func withPlugin<T: Sendable>(_ adapterID: String, _ body: (LoadedPlugin) throws(LuaError) -> T) throws(LuaError) -> T {
        loadIfNeeded()
        let roots = self.roots
        let clock = self.clock
        let result: Result<T, LuaError> = state.withLock { state in
            do {
                let plugin = try PluginHost.plugin(adapterID, in: &state, roots: roots, clock: clock)
                return .success(try body(plugin))
            } catch let error as LuaError {
                return .failure(error)
            } catch {
                return .failure(LuaError(.runtime, "\(error)"))
            }
        }
        return try result.get()
    }

    /// Runs `body` with a Lua state of the adapter that no other thread uses meanwhile, off the
    /// host's lock: an idle spare, or a new one (the plugin's folder run again) when all are busy.
    /// Only for functions that keep nothing between calls (`sign`, `signature_of`).
    private func withSpare<T>(_ adapterID: String, _ body: (LoadedPlugin) throws(LuaError) -> T) throws(LuaError) -> T {
        loadIfNeeded()
        let (idle, generation) = spares.withLock { s in (s.idle[adapterID]?.popLast(), s.generation) }
        let plugin: LoadedPlugin
        if let idle {
            plugin = idle
        } else {
            let (origin, limits) = state.withLock { s in (s.adapters.first { $0.id == adapterID }?.origin, s.limits) }
            guard let origin else { throw LuaError(.setup, "\(adapterID) is not loaded") }
            switch PluginHost.loadFolder(origin, limits: limits, roots: roots, clock: clock) {
            case .loaded(_, let fresh, _): plugin = fresh
            case .failed(let diagnostic): throw LuaError(.setup, "\(diagnostic) (the plugin changed since it was loaded? run 'plugins reload')")
            }
        }
        defer {
            spares.withLock { s in
                if s.generation == generation, s.idle[adapterID, default: []].count < PluginHost.maxIdleSpares { s.idle[adapterID, default: []].append(plugin) }
            }
        }
        return try body(plugin)
    }

    /// What loading one plugin folder produced.
    private enum FolderResult {
        case loaded(Adapter, LoadedPlugin, warnings: [PluginDiagnostic])
        case failed(PluginDiagnostic)
    }

    /// Carries results between the loading threads; each slot is written by exactly one thread and
    /// read after all have finished (`concurrentPerform` returns only then).
    private final class LoadSlots: @unchecked Sendable {
        var results: [FolderResult?]
        init(count: Int) { results = Array(repeating: nil, count: count) }
    }

    /// Loads the folders on every core (each plugin has its own Lua state), then applies them in
    /// order so later roots override earlier ones exactly as a sequential load would.
    private static func loadFolders(_ folders: [(path: String, origin: PluginRoot.Origin)], into state: inout State,
                                    roots: [PluginRoot], clock: @escaping @Sendable () -> Int64) {
        let slots = LoadSlots(count: folders.count)
        let limits = state.limits
        let paths = folders.map(\.path)
        DispatchQueue.concurrentPerform(iterations: folders.count) { i in
            slots.results[i] = PluginHost.loadFolder(paths[i], limits: limits, roots: roots, clock: clock)
        }
        for (i, folder) in folders.enumerated() {
            switch slots.results[i]! {
            case .failed(let diagnostic):
                state.diagnostics.append(diagnostic)
            case .loaded(let adapter, let plugin, let warnings):
                state.notices += warnings.map { "plugin \(adapter.id): warning: \($0)" }
                if let index = state.adapters.firstIndex(where: { $0.id == adapter.id }) {
                    state.notices.append("plugin \(adapter.id) from \(folder.path) (\(folder.origin.rawValue)) replaces the one from \(state.adapters[index].origin)")
                    state.adapters[index] = adapter
                } else {
                    state.adapters.append(adapter)
                }
                state.plugins[adapter.id] = plugin
            }
        }
    }

    private static func loadFolder(_ folder: String, limits: LuaSandbox.Limits, roots: [PluginRoot],
                                   clock: @escaping @Sendable () -> Int64) -> FolderResult {
        let file = folder + "/plugin.lua"
        guard let data = FileManager.default.contents(atPath: file) else {
            return .failed(PluginDiagnostic(file: file, message: "cannot read the file"))
        }
        let source = Array(data)
        let chunk = chunkName(folder)
        do {
            // Each state has its own context, so a trace belongs to the one call that records it.
            let sandbox = try LuaSandbox(limits: limits, context: HostContext(moduleRoots: roots.map(\.path), clock: clock))
            // A short chunk name keeps Lua's messages whole (it cuts long ones to 60 characters).
            let value = try sandbox.run(source: source, chunkName: chunk)
            guard case .table(let table) = value else {
                throw PluginDiagnostic(file: file, message: "plugin.lua must return a table, not \(value.typeName)")
            }
            var (adapter, schemaWarnings) = try AdapterBuilder.buildReportingWarnings(table, origin: folder)
            let folderName = String(folder.split(separator: "/").last ?? "")
            if adapter.id != folderName {
                throw PluginDiagnostic(file: file, keyPath: "id", message: "'\(adapter.id)' must match the folder name '\(folderName)'")
            }
            adapter.origin = folder
            let warnings = schemaWarnings.map { PluginDiagnostic(file: file, line: SourceLocator.line(of: $0.keyPath, in: source), keyPath: $0.keyPath, message: $0.message) }
            return .loaded(adapter, LoadedPlugin(sandbox: sandbox, functions: functionReferences(table), commands: commandReferences(table)), warnings: warnings)
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

    /// `sign` and the functions under `hooks`, by name (the builder has checked their types).
    private static func functionReferences(_ root: PluginTable) -> [String: Int32] {
        var refs: [String: Int32] = [:]
        if case .function(let ref)? = root["sign"] { refs["sign"] = ref }
        if case .table(let hooks)? = root["hooks"] {
            for (name, value) in hooks.fields { if case .function(let ref) = value { refs[name] = ref } }
        }
        return refs
    }

    private static func commandReferences(_ root: PluginTable) -> [String: Int32] {
        var refs: [String: Int32] = [:]
        if case .table(let commands)? = root["commands"] {
            for (name, value) in commands.fields {
                if case .table(let command) = value, case .function(let ref)? = command["run"] { refs[name] = ref }
            }
        }
        return refs
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

    /// Runs an adapter's `sign(request, credentials)`; with `trace`, records every step of this call.
    public func sign(_ adapterID: String, request: SignRequest, credentials: [String: String],
                     trace: Bool = true) throws(SigningError) -> SignOutput {
        do {
            return try signInSandbox(adapterID, request: request, credentials: credentials, trace: trace)
        } catch {
            throw SigningError(error.message, kind: error.kind == .interrupted ? .interrupted : .plugin)
        }
    }

    public func signInSandbox(_ adapterID: String, request: SignRequest, credentials: [String: String], trace: Bool) throws(LuaError) -> SignOutput {
        // sign(request, credentials): request = {method, path, query, pin, operation?, body?}.
        let arguments = { (sandbox: LuaSandbox) -> Int32 in
            sandbox.pushTable(fields: 6)
            sandbox.push(string: request.method)
            sandbox.setField("method")
            sandbox.push(string: request.path)
            sandbox.setField("path")
            sandbox.pushTable(strings: request.query)
            sandbox.setField("query")
            sandbox.pushTable(strings: request.pins)
            sandbox.setField("pin")
            if let operation = request.operation {
                sandbox.push(string: operation)
                sandbox.setField("operation")
            }
            if let body = request.body {
                sandbox.push(string: body)
                sandbox.setField("body")
            }
            sandbox.pushTable(strings: credentials)
            return 2
        }
        return try withSpare(adapterID) { (plugin) throws(LuaError) -> SignOutput in
            guard let ref = plugin.functions["sign"] else { throw LuaError(.setup, "\(adapterID) cannot sign (its plugin has no sign function)") }
            let context = plugin.sandbox.context
            context.trace = trace ? [] : nil
            context.tracePrimitives = trace
            defer {
                context.trace = nil
                context.tracePrimitives = false
            }
            var output = try PluginHost.call(plugin, ref: ref, adapterID: adapterID, pushArguments: arguments) { (result) throws(LuaError) -> SignOutput in
                guard result.isTable else { throw LuaError(.runtime, "sign must return a table { headers = …, query = …, signature = … }") }
                func pairs(_ key: String) throws(LuaError) -> [(String, String)] { (try result.scalars(key) ?? []).sorted { $0.0 < $1.0 } }
                return SignOutput(headers: try pairs("headers"), query: try pairs("query"), signature: try result.scalar("signature") ?? "", steps: [])
            }
            output.steps = context.trace ?? []
            return output
        }
    }

    /// Calls a plugin function; its errors name the adapter.
    private static func call(_ plugin: LoadedPlugin, ref: Int32, arguments: [PluginValue], adapterID: String) throws(LuaError) -> PluginValue {
        do {
            return try plugin.sandbox.call(ref: ref, arguments: arguments)
        } catch {
            throw LuaError(error.kind, "\(adapterID): \(error.message)")
        }
    }

    private static func call<T>(_ plugin: LoadedPlugin, ref: Int32, adapterID: String, pushArguments: (LuaSandbox) -> Int32,
                                read: (LuaResult) throws(LuaError) -> T) throws(LuaError) -> T {
        do {
            return try plugin.sandbox.call(ref: ref, pushArguments: pushArguments, read: read)
        } catch {
            throw LuaError(error.kind, "\(adapterID): \(error.message)")
        }
    }

    /// Calls the adapter's hook `name` (from its `hooks` table) with `arguments`; nil if it has none.
    public func callHook(_ adapterID: String, _ name: String, arguments: [PluginValue]) throws(LuaError) -> PluginValue? {
        try withPlugin(adapterID) { (plugin) throws(LuaError) -> PluginValue? in
            guard let ref = plugin.functions[name] else { return nil }
            return try PluginHost.call(plugin, ref: ref, arguments: arguments, adapterID: adapterID)
        }
    }

    /// The same, on a spare state (see `withSpare`: the hook must keep nothing between calls), with
    /// the arguments pushed by `pushArguments` (see `LuaSandbox.call(ref:pushArguments:read:)`).
    /// The result is read by `read` while still on the Lua stack (see `LuaResult`); nil when the
    /// plugin has no such hook.
    func callStatelessHook<T>(_ adapterID: String, _ name: String, pushArguments: (LuaSandbox) -> Int32,
                              read: (LuaResult) throws(LuaError) -> T) throws(LuaError) -> T? {
        try withSpare(adapterID) { (plugin) throws(LuaError) -> T? in
            guard let ref = plugin.functions[name] else { return nil }
            return try PluginHost.call(plugin, ref: ref, adapterID: adapterID, pushArguments: pushArguments, read: read)
        }
    }

    /// Runs a plugin command's `run(args)`; returns its result.
    public func runCommand(_ adapterID: String, _ command: PluginCommand, arguments: [String]) throws(LuaError) -> PluginValue {
        try withPlugin(adapterID) { (plugin) throws(LuaError) -> PluginValue in
            guard let ref = plugin.commands[command.name] else { throw LuaError(.setup, "\(adapterID) has no command \(command.name)") }
            return try PluginHost.call(plugin, ref: ref, arguments: [.table(PluginTable(array: arguments.map { .string($0) }))], adapterID: adapterID)
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
