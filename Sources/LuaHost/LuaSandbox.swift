import Adapters
import CLua
import CLuaShim
import Glibc

/// One sandboxed Lua state: safe libraries only, a memory cap and an instruction budget per call.
///
/// Every call into plugin code runs under `lua_pcall`. Between calls the host pushes values with
/// the memory cap lifted, so nothing it does can raise; a raise outside a protected call would hit
/// the panic handler (abort with a message), never unwind a Swift frame.
public final class LuaSandbox {
    public struct Limits: Sendable {
        public var memoryBytes: Int
        public var instructions: Int
        public init(memoryBytes: Int = 32 << 20, instructions: Int = 50_000_000) {
            self.memoryBytes = memoryBytes
            self.instructions = instructions
        }
    }

    /// Bytes of a plugin's error message that are kept.
    static let messageLimit = 500

    let L: OpaquePointer
    private let box: UnsafeMutablePointer<cs_sandbox>
    let context: HostContext
    public let limits: Limits

    init(limits: Limits, context: HostContext) throws(LuaError) {
        box = .allocate(capacity: 1)
        box.initialize(to: cs_sandbox(used: 0, limit: 0, budget: 0, stop: 0))
        guard let state = cs_sandbox_new(box) else {
            box.deallocate()
            throw LuaError(.setup, "cannot create a Lua state")
        }
        L = state
        self.context = context
        self.limits = limits
        cs_sandbox_set_panic(L)
        cs_lua_extraspace(L)!.pointee = Unmanaged.passUnretained(context).toOpaque()
        try runPrelude()
    }

    /// Where every sandbox looks for Ctrl-C (the shell's SIGINT flag, peeked, not cleared): a running
    /// call stops at the next budget check, pattern matching included.
    public static func watchInterrupts(_ check: @convention(c) () -> Int32) {
        cs_sandbox_set_interrupt_check(check)
    }

    deinit {
        lua_close(L)
        box.deallocate()
    }

    private func runPrelude() throws(LuaError) {
        try loadPrelude()
        lua_createtable(L, 0, Int32(HostFunctions.table.count))
        for (name, fn) in HostFunctions.table {
            cs_push_host_function(L, fn)
            lua_setfield(L, -2, name)
        }
        _ = try protectedCall(arguments: 1, results: 0)
    }

    /// Pushes the compiled prelude: compiled from source by the first state of the process, then
    /// loaded from that state's bytecode (the host's own, never plugin input) by every later one.
    private func loadPrelude() throws(LuaError) {
        if let bytecode = PreludeBytecode.shared.bytes {
            let status = bytecode.withUnsafeBytes { cs_load_trusted_binary(L, $0.baseAddress?.assumingMemoryBound(to: CChar.self), $0.count, "=prelude") }
            if status == LUA_OK { return }
            cs_lua_pop(L, 1)
        }
        let status = Prelude.source.withCString { cs_load_text(L, $0, strlen($0), "=prelude") }
        guard status == LUA_OK else { throw LuaError(.setup, popMessage()) }
        var buffer: UnsafeMutablePointer<CChar>?
        var length = 0
        if cs_dump_function(L, &buffer, &length) == 0, let buffer {
            PreludeBytecode.shared.store(Array(UnsafeRawBufferPointer(start: buffer, count: length)))
            free(buffer)
        }
    }

    /// Loads and runs a chunk of Lua text; returns its first result converted.
    func run(source: [UInt8], chunkName: String) throws(LuaError) -> PluginValue {
        let status = source.withUnsafeBytes { raw in
            cs_load_text(L, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count, "@" + chunkName)
        }
        guard status == LUA_OK else {
            let message = popMessage()
            throw LuaError(status == LUA_ERRSYNTAX ? .syntax : .memory, message)
        }
        return try protectedCall(arguments: 0, results: 1)
    }

    /// The message of a syntax error in `source`, or nil when it compiles (nothing runs).
    func syntaxError(in source: String) -> String? {
        let status = Array(source.utf8).withUnsafeBytes { raw in
            cs_load_text(L, raw.baseAddress?.assumingMemoryBound(to: CChar.self), raw.count, "=lua")
        }
        if status == LUA_OK { cs_lua_pop(L, 1); return nil }
        return popMessage()
    }

    /// Calls the function kept under registry reference `ref` with `arguments`; converts its result.
    func call(ref: Int32, arguments: [PluginValue]) throws(LuaError) -> PluginValue {
        try call(ref: ref, pushArguments: { sandbox in
            for argument in arguments { sandbox.push(argument) }
            return Int32(arguments.count)
        }, read: { (result) throws(LuaError) -> PluginValue in try result.value() })
    }

    /// Calls the function at `ref` with what `pushArguments` leaves on the stack (it says how many
    /// values; for calls made on every request, whose arguments need not become `PluginValue`s
    /// first) and hands the result to `read` while it is still on the stack, so only the fields
    /// read are converted (see `LuaResult`); then pops it.
    func call<T>(ref: Int32, pushArguments: (LuaSandbox) -> Int32, read: (LuaResult) throws(LuaError) -> T) throws(LuaError) -> T {
        lua_rawgeti(L, cs_lua_registryindex(), lua_Integer(ref))
        let count = pushArguments(self)
        try run(arguments: count, results: 1)
        defer { cs_lua_pop(L, 1) }
        return try read(LuaResult(sandbox: self, index: lua_gettop(L)))
    }

    /// Runs the function below `arguments` values under the limits; converts its result.
    private func protectedCall(arguments: Int32, results: Int32) throws(LuaError) -> PluginValue {
        try run(arguments: arguments, results: results)
        guard results > 0 else { return .null }
        defer { cs_lua_pop(L, 1) }
        var allowance = ConversionAllowance(bytes: limits.memoryBytes)
        return try convert(at: lua_gettop(L), depth: 0, allowance: &allowance)
    }

    /// Runs the function below `arguments` values under the limits, leaving `results` values.
    private func run(arguments: Int32, results: Int32) throws(LuaError) {
        box.pointee.limit = limits.memoryBytes
        cs_sandbox_arm(L, limits.instructions)
        let status = cs_protected_call(L, arguments, results)
        cs_sandbox_disarm(L)
        let stop = box.pointee.stop
        box.pointee.limit = 0
        guard status == LUA_OK else {
            let message = popMessage()
            if stop == Int32(CS_STOP_INTERRUPT) { throw LuaError(.interrupted, "interrupted") }
            if stop == Int32(CS_STOP_BUDGET) { throw LuaError(.budget, message) }
            if status == LUA_ERRMEM { throw LuaError(.memory, "memory limit of \(limits.memoryBytes >> 20) MiB exceeded") }
            throw LuaError(.runtime, message)
        }
    }

    /// What converting one result may produce: a table reachable twice is converted twice, so
    /// shared sub-tables (`b = {b, b}` twenty times) would expand exponentially outside the Lua
    /// memory cap. Nodes and bytes are counted and charged against the plugin's memory limit.
    struct ConversionAllowance {
        var bytes: Int
        mutating func charge(_ amount: Int) throws(LuaError) {
            bytes -= amount
            if bytes < 0 { throw LuaError(.memory, "result too large to convert (over the memory limit; a table shared many times?)") }
        }
    }

    private func popMessage() -> String {
        var length = 0
        let text: String
        if lua_type(L, -1) == LUA_TSTRING, let p = cs_lua_tostring(L, -1, &length) {
            // An error message is one line of a report, not a channel for megabytes.
            let shown = min(length, LuaSandbox.messageLimit)
            text = String(decoding: UnsafeRawBufferPointer(start: p, count: shown), as: UTF8.self)
                + (shown < length ? "… (\(length) bytes)" : "")
        } else {
            text = "error object is a \(String(cString: lua_typename(L, lua_type(L, -1))))"
        }
        cs_lua_pop(L, 1)
        return text
    }

    /// Converts the value at `index` (absolute) into a `PluginValue`; functions are kept by reference.
    func convert(at index: Int32, depth: Int, allowance: inout ConversionAllowance) throws(LuaError) -> PluginValue {
        guard depth < 64 else { throw LuaError(.runtime, "table nested deeper than 64 levels (a cycle?)") }
        try allowance.charge(32)
        switch lua_type(L, index) {
        case LUA_TNIL, LUA_TNONE: return .null
        case LUA_TBOOLEAN: return .bool(lua_toboolean(L, index) != 0)
        case LUA_TNUMBER:
            var isInteger: Int32 = 0
            let i = cs_lua_tointeger(L, index, &isInteger)
            if lua_isinteger(L, index) != 0, isInteger != 0 { return .integer(Int64(i)) }
            return .number(cs_lua_tonumber(L, index, nil))
        case LUA_TSTRING:
            var length = 0
            let p = cs_lua_tostring(L, index, &length)
            try allowance.charge(length)
            return .string(String(decoding: UnsafeRawBufferPointer(start: p, count: length), as: UTF8.self))
        case LUA_TFUNCTION:
            lua_pushvalue(L, index)
            return .function(luaL_ref(L, cs_lua_registryindex()))
        case LUA_TTABLE:
            var table = PluginTable()
            try forEachEntry(of: index) { (key, top) throws(LuaError) in
                let value = try convert(at: top, depth: depth + 1, allowance: &allowance)
                if let key { table.fields[key] = value } else { table.array.append(value) }
            } chargingKeys: { (length) throws(LuaError) in try allowance.charge(length) }
            return .table(table)
        default:
            return .string("<\(String(cString: lua_typename(L, lua_type(L, index))))>")
        }
    }

    /// Visits the table at `index` (absolute): its list part `1…n` in order (`key` nil), then its
    /// string keys; `body` gets the value's stack index. A numeric key outside the list part is an
    /// error (results must be lists or records); `chargingKeys` is told each key's length first.
    /// The stack is as it was afterwards, when `body` throws too.
    func forEachEntry(of index: Int32, _ body: (_ key: String?, _ value: Int32) throws(LuaError) -> Void,
                      chargingKeys: (Int) throws(LuaError) -> Void) throws(LuaError) {
        guard lua_checkstack(L, 4) != 0 else { throw LuaError(.memory, "Lua stack exhausted") }
        let length = lua_rawlen(L, index)
        if length > 0 {
            for i in 1...length {
                lua_rawgeti(L, index, lua_Integer(i))
                defer { cs_lua_pop(L, 1) }
                try body(nil, lua_gettop(L))
            }
        }
        lua_pushnil(L)
        while lua_next(L, index) != 0 {
            let keyType = lua_type(L, -2)
            if keyType == LUA_TSTRING {
                var keyLength = 0
                let p = cs_lua_tostring(L, -2, &keyLength)
                let key = String(decoding: UnsafeRawBufferPointer(start: p, count: keyLength), as: UTF8.self)
                do throws(LuaError) {
                    try chargingKeys(keyLength)
                    try body(key, lua_gettop(L))
                } catch {
                    cs_lua_pop(L, 2)
                    throw error
                }
            } else if keyType == LUA_TNUMBER {
                var isInteger: Int32 = 0
                let k = cs_lua_tointeger(L, -2, &isInteger)
                if isInteger == 0 || k < 1 || k > lua_Integer(length) {
                    cs_lua_pop(L, 2)
                    throw LuaError(.runtime, "table has a numeric key outside its list part (\(k)); use a list or string keys")
                }
            }
            cs_lua_pop(L, 1)
        }
    }

    /// Sets a global variable (outside any call, with the memory cap lifted).
    func setGlobal(_ name: String, _ value: PluginValue) {
        push(value)
        lua_setglobal(L, name)
    }

    /// Pushes a string straight from its UTF-8 storage.
    func push(string: String) {
        var text = string
        text.withUTF8 { raw in _ = lua_pushlstring(L, UnsafeRawPointer(raw.baseAddress)?.assumingMemoryBound(to: CChar.self), raw.count) }
    }

    /// Pushes a new table with room for `fields` named fields.
    func pushTable(fields: Int) { lua_createtable(L, 0, Int32(fields)) }

    /// Sets `name` of the table just below the value on top to that value (popping it); with
    /// `unlessSet`, a name the table already has keeps its value (the value is dropped).
    func setField(_ name: String, unlessSet: Bool = false) {
        push(string: name)
        if unlessSet {
            lua_pushvalue(L, -1)
            lua_rawget(L, -4)
            let taken = lua_type(L, -1) != LUA_TNIL
            cs_lua_pop(L, 1)
            if taken {
                cs_lua_pop(L, 2)
                return
            }
        }
        // Stack: table, value, name -> table[name] = value.
        lua_rotate(L, -2, 1)
        lua_rawset(L, -3)
    }

    /// Pushes a table of string fields.
    func pushTable(strings: some Collection<(key: String, value: String)>) {
        pushTable(fields: strings.count)
        for (name, value) in strings {
            push(string: value)
            setField(name)
        }
    }

    /// Pushes a value (with the memory cap lifted, so it cannot raise).
    func push(_ value: PluginValue) {
        switch value {
        case .null: lua_pushnil(L)
        case .bool(let b): lua_pushboolean(L, b ? 1 : 0)
        case .integer(let i): lua_pushinteger(L, lua_Integer(i))
        case .number(let d): lua_pushnumber(L, d)
        case .string(let s):
            // Straight from the string's own UTF-8 storage, no copy.
            var text = s
            text.withUTF8 { raw in _ = lua_pushlstring(L, UnsafeRawPointer(raw.baseAddress)?.assumingMemoryBound(to: CChar.self), raw.count) }
        case .function(let ref): lua_rawgeti(L, cs_lua_registryindex(), lua_Integer(ref))
        case .table(let t):
            lua_createtable(L, Int32(t.array.count), Int32(t.fields.count))
            for (i, item) in t.array.enumerated() {
                push(item)
                lua_rawseti(L, -2, lua_Integer(i + 1))
            }
            for (key, item) in t.fields {
                push(.string(key))
                push(item)
                lua_rawset(L, -3)
            }
        }
    }
}

/// The prelude's bytecode, shared by the states of one process.
final class PreludeBytecode: @unchecked Sendable {
    static let shared = PreludeBytecode()
    private var mutex = pthread_mutex_t()
    private var stored: [UInt8]?

    init() { pthread_mutex_init(&mutex, nil) }

    var bytes: [UInt8]? {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return stored
    }

    func store(_ bytes: [UInt8]) {
        pthread_mutex_lock(&mutex)
        stored = bytes
        pthread_mutex_unlock(&mutex)
    }
}

/// A call's result while it is still on the Lua stack. Reading a field converts that field
/// alone, with the same checks as converting the whole value (nesting depth, the memory
/// allowance, numeric keys only in a table's list part).
struct LuaResult {
    let sandbox: LuaSandbox
    /// The result's absolute stack index.
    let index: Int32

    var isTable: Bool { lua_type(sandbox.L, index) == LUA_TTABLE }

    /// The whole result, converted.
    func value() throws(LuaError) -> PluginValue {
        var allowance = LuaSandbox.ConversionAllowance(bytes: sandbox.limits.memoryBytes)
        return try sandbox.convert(at: index, depth: 0, allowance: &allowance)
    }

    /// The text of field `name` when it is a string, number or boolean (`PluginValue.scalarText`).
    func scalar(_ name: String) throws(LuaError) -> String? {
        try withField(name) { () throws(LuaError) -> String? in
            var allowance = LuaSandbox.ConversionAllowance(bytes: sandbox.limits.memoryBytes)
            return try sandbox.convert(at: lua_gettop(sandbox.L), depth: 1, allowance: &allowance).scalarText
        }
    }

    /// The string-keyed fields of field `name` whose values are scalars, as text, in no order;
    /// nil when the field is not a table.
    func scalars(_ name: String) throws(LuaError) -> [(String, String)]? {
        try withField(name) { () throws(LuaError) -> [(String, String)]? in
            let table = lua_gettop(sandbox.L)
            guard lua_type(sandbox.L, table) == LUA_TTABLE else { return nil }
            var allowance = LuaSandbox.ConversionAllowance(bytes: sandbox.limits.memoryBytes)
            var out: [(String, String)] = []
            // List items are not kept but converted all the same: the same limits apply.
            try sandbox.forEachEntry(of: table) { (key, value) throws(LuaError) in
                let converted = try sandbox.convert(at: value, depth: 2, allowance: &allowance)
                if let key, let text = converted.scalarText { out.append((key, text)) }
            } chargingKeys: { (length) throws(LuaError) in try allowance.charge(length) }
            return out
        }
    }

    /// Runs `body` with field `name` of the result on top of the stack (nil when the result is
    /// not a table), then pops it.
    private func withField<T>(_ name: String, _ body: () throws(LuaError) -> T) throws(LuaError) -> T {
        let L = sandbox.L
        if lua_type(L, index) == LUA_TTABLE {
            sandbox.push(string: name)
            lua_rawget(L, index)
        } else {
            lua_pushnil(L)
        }
        defer { cs_lua_pop(L, 1) }
        return try body()
    }
}
