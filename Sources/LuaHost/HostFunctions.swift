import CLua
import CLuaShim
import FoundationEssentials
import Glibc
import Signing

/// The primitives Lua reaches as `H.*` in the prelude. Each reads its arguments with calls that
/// neither allocate nor raise, and hands its result or error back through `cs_host_result`; the C
/// trampoline pushes or raises after the Swift function has returned.
enum HostFunctions {
    static let table: [(String, cs_host_fn)] = [
        ("digest", digest), ("hmac", hmac), ("hex", hex), ("base64", base64), ("base64_decode", base64Decode),
        ("percent", percent), ("step", step), ("now_ms", nowMillis), ("random_hex", randomHex),
        ("read_module", readModule), ("exec", exec), ("print", printText),
    ]

    static func context(_ L: OpaquePointer?) -> HostContext {
        Unmanaged<HostContext>.fromOpaque(cs_lua_extraspace(L)!.pointee!).takeUnretainedValue()
    }

    /// The bytes of string argument `index`, or nil if it is not a string (numbers are not converted).
    static func bytes(_ L: OpaquePointer?, _ index: Int32) -> [UInt8]? {
        guard lua_type(L, index) == LUA_TSTRING else { return nil }
        var length = 0
        guard let p = cs_lua_tostring(L, index, &length) else { return nil }
        return Array(UnsafeRawBufferPointer(start: p, count: length))
    }

    static func string(_ L: OpaquePointer?, _ index: Int32) -> String? {
        bytes(L, index).map { String(decoding: $0, as: UTF8.self) }
    }

    static func succeed(_ result: UnsafeMutablePointer<cs_host_result>?, _ bytes: [UInt8]) {
        guard let result else { return }
        let buffer = malloc(max(1, bytes.count))!.assumingMemoryBound(to: CChar.self)
        bytes.withUnsafeBytes { raw in
            if let base = raw.baseAddress { memcpy(buffer, base, bytes.count) }
        }
        result.pointee.value = buffer
        result.pointee.length = bytes.count
    }

    static func succeed(_ result: UnsafeMutablePointer<cs_host_result>?, _ text: String) { succeed(result, Array(text.utf8)) }

    static func fail(_ result: UnsafeMutablePointer<cs_host_result>?, _ message: String) {
        result?.pointee.error = strdup(message)
    }

    static func algorithm(_ name: String?) -> Primitives.Digest? { name.flatMap(Primitives.Digest.init(rawValue:)) }

    static let digest: cs_host_fn = { L, result in
        guard let name = string(L, 1), let algorithm = algorithm(name) else { return fail(result, "unknown digest") }
        guard let data = bytes(L, 2) else { return fail(result, "cs.\(name) expects a string, got \(typeName(L, 2))") }
        let out = Primitives.digest(algorithm, data)
        context(L).recordPrimitive("\(name)(\(data.count) bytes)", Primitives.hex(out))
        succeed(result, out)
    }

    static let hmac: cs_host_fn = { L, result in
        guard let name = string(L, 1), let algorithm = algorithm(name) else {
            return fail(result, "cs.hmac: algorithm must be md5, sha1 or sha256")
        }
        guard let key = bytes(L, 2), let data = bytes(L, 3) else {
            return fail(result, "cs.hmac_\(name) expects (key, message) strings, got \(typeName(L, 2)), \(typeName(L, 3))")
        }
        let out = Primitives.hmac(algorithm, key: key, data)
        context(L).recordPrimitive("hmac-\(name)(key \(key.count) bytes, \(data.count) bytes)", Primitives.hex(out))
        succeed(result, out)
    }

    static let hex: cs_host_fn = { L, result in
        guard let data = bytes(L, 1) else { return fail(result, "cs.hex expects a string, got \(typeName(L, 1))") }
        let out = Primitives.hex(data, uppercase: string(L, 2) == "upper")
        context(L).recordPrimitive(string(L, 2) == "upper" ? "hex (upper case)" : "hex (lower case)", out)
        succeed(result, out)
    }

    static let base64: cs_host_fn = { L, result in
        guard let data = bytes(L, 1) else { return fail(result, "cs.base64 expects a string, got \(typeName(L, 1))") }
        let out = Primitives.base64(data)
        context(L).recordPrimitive("base64", out)
        succeed(result, out)
    }

    static let base64Decode: cs_host_fn = { L, result in
        guard let text = string(L, 1) else { return fail(result, "cs.base64_decode expects a string") }
        guard let out = Primitives.base64Decode(text) else { return fail(result, "cs.base64_decode: not valid base64") }
        succeed(result, out)
    }

    static let percent: cs_host_fn = { L, result in
        guard let text = string(L, 1) else { return fail(result, "cs.percent expects a string") }
        guard let style = Primitives.PercentStyle(rawValue: string(L, 2) ?? "rfc3986") else {
            return fail(result, "cs.percent: style must be \"rfc3986\" or \"form\"")
        }
        let out = Primitives.percentEncode(text, style: style)
        context(L).recordPrimitive("percent-encode (\(style.rawValue))", out)
        succeed(result, out)
    }

    static let step: cs_host_fn = { L, result in
        guard lua_type(L, 1) == LUA_TSTRING, lua_type(L, 2) == LUA_TSTRING else { return fail(result, "cs.step expects (name, value)") }
        // Copied out only when a trace is kept (signing for a server keeps none).
        let context = context(L)
        if context.trace != nil, let name = string(L, 1), let value = string(L, 2) { context.record(name, value) }
    }

    static let nowMillis: cs_host_fn = { L, result in
        succeed(result, String(context(L).clock()))
    }

    static let randomHex: cs_host_fn = { L, result in
        guard let n = string(L, 1).flatMap(Int.init), (1...64).contains(n) else {
            return fail(result, "cs.random_hex: byte count must be 1 to 64")
        }
        var generator = SystemRandomNumberGenerator()
        succeed(result, Primitives.hex((0..<n).map { _ in UInt8.random(in: 0...255, using: &generator) }))
    }

    /// `require(name)`: "a.b" -> "<root>/a/b.lua" in a plugin root; names may not climb out.
    static let readModule: cs_host_fn = { L, result in
        guard let name = string(L, 1) else { return fail(result, "require expects a module name") }
        let valid = !name.isEmpty && name.allSatisfy { $0.isLetter || $0.isNumber || $0 == "." || $0 == "_" || $0 == "-" }
            && !name.hasPrefix(".") && !name.contains("..")
        guard valid else { return fail(result, "require: invalid module name '\(name)'") }
        let relative = name.replacing(".", with: "/") + ".lua"
        for root in context(L).moduleRoots {
            let path = root + "/" + relative
            if let data = FileManager.default.contents(atPath: path) {
                return succeed(result, Array((relative + "\n").utf8) + Array(data))
            }
        }
        fail(result, "module '\(name)' not found in the plugin folders")
    }

    /// `cs.exec(line)` in scripts: the command's JSON document as text.
    static let exec: cs_host_fn = { L, result in
        guard let line = string(L, 1) else { return fail(result, "cs.exec expects a command line") }
        guard let run = context(L).exec else { return fail(result, "cs.exec is only available in scripts (callscope run FILE.lua)") }
        succeed(result, run(line))
    }

    /// `print(...)` in scripts, through the session's output (ordered with everything else).
    static let printText: cs_host_fn = { L, result in
        guard let text = string(L, 1) else { return fail(result, "print expects text") }
        context(L).print?(text)
    }

    static func typeName(_ L: OpaquePointer?, _ index: Int32) -> String {
        String(cString: lua_typename(L, lua_type(L, index)))
    }
}
