import Dispatch
import Signing
import Foundation
@testable import Adapters
import Testing
import Workbench
import Wire
@testable import LuaHost

@Suite struct PluginLoadingTests {
    let fx = PluginFixtures()

    func host(limits: LuaSandbox.Limits = .init()) -> PluginHost {
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)], limits: limits, clock: { 1_700_000_000_123 })
        host.load()
        return host
    }

    @Test func loadsAValidPluginIntoSwiftValues() throws {
        fx.write("acme", fx.minimal("acme", extra: """
          version = "2.1",
          credentials = { { name = "apiKey" }, { name = "apiSecret", secret = true } },
          codes = { status = { title = "Status", count = 2, values = { { 0, "ok" }, { -16, "timestamp expires", hint = "check the clock" } } } },
          payloads = { record = { fingerprint = { "callId", "robotCallJobId" }, fields = { { "startTime", "integer", unit = "epoch-s", meaning = "dial start", required = true } } } },
          operations = { ["task/list"] = { method = "post", path = "/aivoice/taskList", paging = { page = "current", size = "size", max = 100 },
                                           response = { code = "status", message = "reason", data = "data", success = "0" } } },
          webhooks = { { kind = "record", payload = "record", ack = "HTTP 200" } },

        """))
        let h = host()
        #expect(h.diagnostics.isEmpty, "\(h.diagnostics)")
        let a = try #require(h.adapter("acme"))
        #expect(a.version == "2.1")
        #expect(a.secretCredentialNames == ["apiSecret"])
        #expect(a.table(named: "status")?.entry("-16")?.hint == "check the clock")
        #expect(a.payloads.first?.fields.first?.unit == "epoch-s")
        #expect(a.operation(named: "task/list")?.method == "POST")
        #expect(a.operation(named: "task/list")?.paging?.maxSize == 100)
        #expect(a.webhooks.first?.retry == "not documented")
        #expect(!a.canSign)
    }

    @Test func syntaxErrorIsReportedWithFileAndLineAndOthersStillLoad() throws {
        let bad = fx.write("broken", "return {\n  schema = 1,\n  id = \"broken\" name = \"x\"\n}\n")
        fx.write("good", fx.minimal("good"))
        let h = host()
        #expect(h.adapter("good") != nil)
        #expect(h.adapter("broken") == nil)
        #expect(h.diagnostics.count == 1)
        let d = try #require(h.diagnostics.first)
        #expect(d.file == bad)
        #expect(d.line == 3)
        #expect(d.message.contains("'}' expected"), "\(d)")
    }

    @Test func schemaErrorsNameTheKeyPathAndLine() {
        let path = fx.write("typo", """
        return {
          schema = 1, id = "typo", name = "Typo",
          codes = {
            status = { values = { { 1, "ok" }, { 1, "again" } } },
          },
        }
        """)
        let h = host()
        let d = h.diagnostics.first
        #expect(d?.file == path)
        #expect(d?.keyPath == "codes.status.values[2]")
        #expect(d?.message == "code 1 appears twice")
        #expect(d?.line == 4)
    }

    @Test func unknownKeysAreWarningsWithADidYouMeanAndThePluginStillLoads() {
        let path = fx.write("misspelt", fx.minimal("misspelt", extra: "  codez = {},\n  future_key = 1,\n"))
        let h = host()
        #expect(h.diagnostics.isEmpty, "\(h.diagnostics)")
        #expect(h.adapter("misspelt") != nil)
        #expect(h.notices == [
            "plugin misspelt: warning: \(path):\(fx.lineOf("codez", in: path)): codez: unknown key, ignored (did you mean 'codes'?)",
            "plugin misspelt: warning: \(path):\(fx.lineOf("future_key", in: path)): future_key: unknown key, ignored",
        ])
    }

    /// A mock that answers a wrong Content-Type must say which media type is right.
    @Test func aContentTypeCodeNeedsItsMediaType() {
        let mock = { (extra: String) in "  codes = { error = { values = { { 1003, \"bad sign\" } } } },\n  mock = { errors = { { table = \"error\", content_type = 1003\(extra) } } },\n" }
        fx.write("nomedia", fx.minimal("nomedia", extra: mock("")))
        fx.write("withmedia", fx.minimal("withmedia", extra: mock(", media_type = \"application/json\"")))
        let h = host()
        #expect(h.adapter("withmedia")?.mock.errors.first?.mediaType == "application/json")
        #expect(h.adapter("nomedia") == nil)
        #expect(h.diagnostics.first?.keyPath == "mock.errors[1].media_type")
        #expect(h.diagnostics.count == 1)
    }

    @Test func aTypoInAUnitOrATableIsADiagnostic() {
        let payload = { (field: String) in "  codes = { status = { values = { { 1, \"ok\" } } } },\n  payloads = { p = { fingerprint = { \"a\" }, fields = { \(field) } } },\n" }
        fx.write("badunit", fx.minimal("badunit", extra: payload("{ \"a\", \"integer\", unit = \"epoch-sec\" }")))
        fx.write("badtable", fx.minimal("badtable", extra: payload("{ \"a\", \"integer\", table = \"stauts\" }")))
        fx.write("fine", fx.minimal("fine", extra: payload("{ \"a\", \"integer\", table = \"status\", unit = \"epoch-s\" }")))
        let h = host()
        #expect(h.adapter("fine") != nil)
        let byFile = Dictionary(uniqueKeysWithValues: h.diagnostics.map { ($0.file.split(separator: "/").dropLast().last.map(String.init) ?? "", $0) })
        #expect(byFile["badunit"]?.keyPath == "payloads.p.fields[1].unit")
        #expect(byFile["badunit"]?.message.hasPrefix("unknown unit 'epoch-sec' (did you mean 'epoch-s'?)") == true)
        #expect(byFile["badtable"]?.keyPath == "payloads.p.fields[1].table")
        #expect(byFile["badtable"]?.message == "no code table 'stauts' in this plugin (did you mean 'status'?)")
        #expect(h.diagnostics.count == 2)
    }

    @Test func wrongSchemaVersionAndIdMismatch() {
        fx.write("future", "return { schema = 2, id = \"future\", name = \"F\" }")
        fx.write("folder", "return { schema = 1, id = \"other\", name = \"F\" }")
        let messages = host().diagnostics.map(\.description)
        #expect(messages.contains { $0.contains("schema: version 2 is not supported") })
        #expect(messages.contains { $0.contains("'other' must match the folder name 'folder'") })
    }

    @Test func aRunawayPluginAtLoadIsSkipped() {
        fx.write("spin", "while true do end")
        fx.write("fine", fx.minimal("fine"))
        let h = host(limits: .init(instructions: 1_000_000))
        #expect(h.adapter("fine") != nil)
        #expect(h.diagnostics.first?.message.contains("instruction budget exhausted") == true)
    }

    @Test func aPluginReturningNoTableIsSkipped() {
        fx.write("empty", "return 42")
        #expect(host().diagnostics.first?.message == "plugin.lua must return a table, not number")
    }

    /// What `sign(request, cred)` and `signature_of(message)` are given, field by field: the
    /// two calls a mock makes on every request push their arguments straight onto the Lua stack.
    @Test func hooksSeeTheRequestAndTheMessageAsDocumented() throws {
        let describe = """
          local function keys(t) local k = {} for name in pairs(t) do k[#k + 1] = name end table.sort(k) return table.concat(k, ",") end
        """
        fx.write("seer", describe + "\n" + fx.minimal("seer", extra: """
          hooks = { signature_of = function(msg)
            return { signature = msg.headers["x-sig"], pins = { method = msg.method, path = msg.path, body = msg.body,
              q = msg.query.q, names = keys(msg.headers), fields = keys(msg), empty = keys(msg.query) } }
          end },

        """, signBody: """
            return { signature = table.concat({ req.method, req.path, req.body or "-", req.operation or "-", req.query.a or "-",
              req.pin.ts or "-", keys(req), keys(cred), cred.secret }, "|"), headers = { ["X-A"] = "1" } }
        """))
        let h = host()
        #expect(h.diagnostics.isEmpty, "\(h.diagnostics)")
        let signed = try h.signInSandbox("seer", request: SignRequest(operation: "op/x", method: "PUT", path: "/p", body: "{}", query: ["a": "1"], pins: ["ts": "9"]),
                                         credentials: ["key": "k", "secret": "s"], trace: false)
        #expect(signed.signature == "PUT|/p|{}|op/x|1|9|body,method,operation,path,pin,query|key,secret|s")
        #expect(signed.headers.map { "\($0.0)=\($0.1)" } == ["X-A=1"])
        let bare = try h.signInSandbox("seer", request: SignRequest(), credentials: ["secret": ""], trace: false)
        #expect(bare.signature == "POST|/|-|-|-|-|method,path,pin,query|secret|")
        // Header names lower-cased, the first of two spellings wins; a repeated query name keeps its
        // last value; invalid UTF-8 in the body is repaired.
        let message = HTTPMessage(kind: .request, method: "POST", target: "/hook?q=1&q=2", headers: [("X-Sig", "first"), ("x-sig", "second"), ("Content-Type", "a/b")],
                                  body: [0x7B, 0xFF, 0x7D])
        let claim = try #require(try h.signatureOf("seer", message: message))
        #expect(claim.received == "first")
        #expect(claim.pins == ["method": "POST", "path": "/hook", "body": "{\u{FFFD}}", "q": "2",
                               "names": "content-type,x-sig", "fields": "body,headers,method,path,query", "empty": "q"])
    }

    /// Signing runs on spare Lua states; a reload must drop them with the shared ones.
    @Test func aReloadedPluginSignsWithItsNewCode() throws {
        fx.write("versioned", fx.minimal("versioned", signBody: "return { signature = 'v1' }"))
        let h = host()
        let before = Slots(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { i in before.set(i, (try? h.signInSandbox("versioned", request: SignRequest(), credentials: [:], trace: false))?.signature ?? "failed") }
        #expect(before.all == Array(repeating: "v1", count: 8))
        fx.write("versioned", fx.minimal("versioned", signBody: "return { signature = 'v2' }"))
        h.load(useCache: false)
        let after = Slots(count: 8)
        DispatchQueue.concurrentPerform(iterations: 8) { i in after.set(i, (try? h.signInSandbox("versioned", request: SignRequest(), credentials: [:], trace: false))?.signature ?? "failed") }
        #expect(after.all == Array(repeating: "v2", count: 8))
    }

    @Test func requireResolvesOnlyInsidePluginFolders() throws {
        fx.write("shared", "local M = {}\nfunction M.greet(x) return 'hi ' .. x end\nreturn M\n", file: "util.lua")
        fx.write("user", fx.minimal("user", signBody: "return { signature = require('shared.util').greet(cred.name) }"))
        let h = host()
        #expect(h.diagnostics.isEmpty, "\(h.diagnostics)")
        let out = try h.sign("user", request: SignRequest(), credentials: ["name": "bob"])
        #expect(out.signature == "hi bob")
        fx.write("escape", fx.minimal("escape", signBody: "return { signature = require('..etc.passwd') }"))
        let h2 = host()
        #expect(throws: LuaError.self) { try h2.signInSandbox("escape", request: SignRequest(), credentials: [:], trace: true) }
    }

    @Test func laterRootsOverrideEarlierOnesWithANotice() {
        let second = PluginFixtures()
        fx.write("dup", fx.minimal("dup", extra: "  version = \"1\",\n"))
        second.write("dup", fx.minimal("dup", extra: "  version = \"2\",\n"))
        let h = PluginHost(roots: [PluginRoot(path: fx.root, origin: .bundled), PluginRoot(path: second.root, origin: .user)])
        h.load()
        #expect(h.adapter("dup")?.version == "2")
        #expect(h.notices.count == 1)
        #expect(h.notices.first?.contains("replaces") == true)
    }
}

@Suite struct SandboxTests {
    let fx = PluginFixtures()

    func sign(_ body: String, limits: LuaSandbox.Limits = .init()) -> Result<SignOutput, LuaError> {
        fx.write("probe", fx.minimal("probe", signBody: body))
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)], limits: limits)
        host.load()
        #expect(host.diagnostics.isEmpty, "\(host.diagnostics)")
        return Result { () throws(LuaError) in try host.signInSandbox("probe", request: SignRequest(), credentials: [:], trace: true) }
    }

    func failure(_ body: String, limits: LuaSandbox.Limits = .init()) -> LuaError? {
        if case .failure(let e) = sign(body, limits: limits) { return e }
        return nil
    }

    @Test(arguments: [
        "return io.open('/etc/passwd')",
        "return os.execute('true')",
        "return os.getenv('HOME')",
        "return dofile('/etc/passwd')",
        "return loadfile('/etc/passwd')",
        "return load('return 1')",
        "return debug.getinfo(1)",
        "return string.dump(function() end)",
        "return package.loadlib('libc.so.6', 'system')",
        "return collectgarbage('count')",
    ])
    func unsafeFunctionsAreAbsent(body: String) {
        let error = failure(body)
        #expect(error?.kind == .runtime, "\(body) should fail")
        #expect(error?.message.contains("probe:") == true)
        #expect(error?.message.contains("nil") == true, "\(String(describing: error))")
    }

    @Test func endlessLoopHitsTheInstructionBudget() {
        let error = failure("while true do end", limits: .init(instructions: 2_000_000))
        #expect(error?.kind == .budget)
        #expect(error?.message.contains("instruction budget exhausted") == true)
    }

    @Test func unboundedAllocationHitsTheMemoryCap() {
        let error = failure("local t = {} for i = 1, 1e9 do t[i] = string.rep('x', 1024) .. i end", limits: .init(memoryBytes: 4 << 20))
        #expect(error?.kind == .memory)
    }

    @Test func theSandboxIsUsableAfterAFailure() throws {
        fx.write("flaky", fx.minimal("flaky", signBody: "if req.pin.fail then error('asked to fail') end\nreturn { signature = 'fine' }"))
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)])
        host.load()
        #expect(throws: LuaError.self) { try host.signInSandbox("flaky", request: SignRequest(pins: ["fail": "1"]), credentials: [:], trace: true) }
        #expect(try host.sign("flaky", request: SignRequest(), credentials: [:]).signature == "fine")
    }

    @Test func hostErrorsCarryThePluginPosition() {
        let error = failure("return { signature = cs.hex(42) }")
        #expect(error?.message.contains("cs.hex expects a string, got number") == true, "\(String(describing: error))")
        #expect(error?.message.contains("plugin.lua:") == true)
    }

    @Test func allowedLibrariesWork() throws {
        let out = try sign("""
            local t = { 'b', 'a' } table.sort(t)
            return { signature = string.format('%s-%d-%s-%s', table.concat(t), math.floor(2.5), utf8.char(29275), type(os.time())) }
            """).get()
        #expect(out.signature == "ab-2-牛-number")
    }
}

@Suite struct AdapterCacheTests {
    let fx = PluginFixtures()

    func host(_ cache: String) -> PluginHost {
        let host = PluginHost(roots: [PluginRoot(path: BundledPluginTests.pluginsFolder, origin: .bundled),
                                      PluginRoot(path: fx.root, origin: .commandLine)], cachePath: cache)
        host.version = "test"
        host.load()
        return host
    }

    @Test func aSecondLoadComesFromTheCacheAndSignsLazily() throws {
        let cache = fx.root + "/cache/adapters.bin"
        fx.write("broken", "return {")
        let first = host(cache)
        #expect(!first.loadedFromCache)
        let second = host(cache)
        #expect(second.loadedFromCache)
        #expect(second.adapters.map(\.id) == first.adapters.map(\.id))
        for (a, b) in zip(first.adapters, second.adapters) {
            var x = a, y = b
            x.hooks = []; y.hooks = []; x.commands = []; y.commands = []
            #expect(x == y, "\(a.id) differs after a round trip through the cache")
        }
        #expect(second.diagnostics == first.diagnostics)
        // Signing from cached adapters creates the Lua state on demand.
        let out = try second.sign("itniotech", request: SignRequest(pins: ["ts": "1630468800"]),
                                  credentials: ["apiKey": "bDqJFiq9", "apiSecret": "7bz1lzh9"])
        #expect(out.signature == "05d7a50893e22a5c4bb3216ae3396c7c")
        #expect(ExampleRunner.run(try #require(second.adapter("nxlink")), host: second).allSatisfy(\.passed))
    }

    @Test func changingAPluginInvalidatesTheCache() throws {
        let cache = fx.root + "/cache/adapters.bin"
        fx.write("mine", fx.minimal("mine", extra: "  version = \"1\",\n"))
        _ = host(cache)
        fx.write("mine", fx.minimal("mine", extra: "  version = \"22\",\n"))
        let again = host(cache)
        #expect(!again.loadedFromCache)
        #expect(again.adapter("mine")?.version == "22")
        try "garbage".write(toFile: cache, atomically: true, encoding: .utf8)
        #expect(!host(cache).loadedFromCache, "a damaged cache is ignored")
    }
}

/// The adapter cache is untrusted input: any damage means "rebuild", never a crash.
@Suite struct AdapterCacheDamageTests {
    @Test func everyDamagedCacheIsRejectedOrReadWithoutCrashing() throws {
        let fx = PluginFixtures()
        let cache = fx.root + "/cache.bin"
        let host = PluginHost(roots: [PluginRoot(path: BundledPluginTests.pluginsFolder, origin: .bundled)], cachePath: cache)
        host.version = "damage"
        host.load()
        let original = try #require(FileManager.default.contents(atPath: cache))
        let key = AdapterCache.key(roots: host.roots, version: "damage")
        #expect(AdapterCache.load(path: cache, key: key) != nil, "the undamaged cache reads back")
        var generator = SplitMix64(seed: 42)
        var truncationsRead = 0
        for round in 0..<400 {
            var bytes = Array(original)
            switch round % 4 {
            case 0: bytes = Array(bytes.prefix(Int.random(in: 0..<bytes.count, using: &generator)))
            case 1: for _ in 0..<8 { bytes[Int.random(in: 0..<bytes.count, using: &generator)] ^= UInt8.random(in: 1...255, using: &generator) }
            case 2: // a length field made huge
                let at = Int.random(in: 0..<max(1, bytes.count - 10), using: &generator)
                bytes.replaceSubrange(at..<at + 10, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
            default: bytes = (0..<Int.random(in: 0..<4096, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
            }
            FileManager.default.createFile(atPath: cache, contents: Data(bytes))
            let read = AdapterCache.load(path: cache, key: key)
            if round % 4 == 0, read != nil { truncationsRead += 1 }
            // The parts decoded on first use are damaged input too.
            for adapter in read?.adapters ?? [] { _ = (adapter.payloads.count, adapter.operations.count, adapter.examples.sign.count) }
        }
        #expect(truncationsRead == 0, "a truncated cache is never taken for a whole one")
    }

    @Test func aDeferredPartDecodesOnFirstUseAndReadsDamageAsEmpty() {
        var writer = BinaryWriter()
        writer.write(["call", "list"])
        func section(_ bytes: [UInt8]) -> [String] {
            DeferredSection<[String]>(bytes: bytes, empty: []) { r throws(BinaryReader.Failure) in try r.array() }.value
        }
        #expect(section(writer.bytes) == ["call", "list"])
        #expect(section(Array(writer.bytes.dropLast())) == [], "cut short")
        #expect(section(writer.bytes + [0]) == [], "trailing bytes")
        #expect(section([0x7F]) == [], "a count with nothing behind it")
    }
}
