import Adapters
import Signing
import Testing
@testable import LuaHost

/// Plugins written to hurt the host: each attack ends in a one-line error within its budget, and
/// the plugins loaded beside it still load and sign.
@Suite struct HostilePluginTests {
    let fx = PluginFixtures()
    let tight = LuaSandbox.Limits(memoryBytes: 8 << 20, instructions: 20_000_000)

    func signFailure(_ body: String) -> LuaError? {
        fx.write("probe", fx.minimal("probe", signBody: body))
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)], limits: tight)
        host.load()
        do {
            _ = try host.signInSandbox("probe", request: SignRequest(), credentials: [:], trace: false)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: [
        ("while true do pcall(function() while true do end end) end", LuaError.Kind.budget),
        ("while true do xpcall(function() while true do end end, function() while true do end end) end", .budget),
        ("for i = 1, 100 do pcall(function() while true do end end) end return {signature = 'escaped'}", .budget),
        ("local ok = pcall(string.rep, 'x', 1 << 30) return {signature = tostring(ok)}", .memory),
        ("local t = {} while true do pcall(function() t[#t + 1] = string.rep('y', 1 << 16) .. #t end) end", .memory),
        ("return {signature = tostring(string.find(string.rep('a', 20000), '.-.-.-.-b'))}", .budget),
        ("return {signature = (string.rep('a', 20000):gsub('(a*)*b', 'x'))}", .budget),
        ("local ok = pcall(string.match, string.rep('a', 30000), '^(a-)(a-)(a-)(a-)$b') return {signature = tostring(ok)}", .budget),
        ("setmetatable({}, {__gc = function() while true do end end}) return {signature = 'x'}", .runtime),
        ("local b = {} for i = 1, 40 do b = {b, b} end return {signature = 'x', headers = b}", .memory),
        ("xpcall(function() while true do end end, function(m) return m .. 'handled' end) return {signature = 'x'}", .budget),
    ])
    func attacksAtSigningEndAsOneLineErrors(body: String, kind: LuaError.Kind) {
        let error = signFailure(body)
        #expect(error?.kind == kind, "\(body): \(String(describing: error))")
        #expect(error?.message.contains("\n") == false)
    }

    @Test func aHugeErrorMessageIsCut() {
        let error = signFailure("error(string.rep('e', 1024 * 1024), 0)")
        #expect(error?.message.count ?? .max < 600)
        #expect(error?.message.hasSuffix("… (1048576 bytes)") == true, "\(String(describing: error?.message.suffix(40)))")
    }

    @Test(arguments: [
        "pcall(function() while true do end end) return {}",
        "setmetatable({}, {__gc = function() local t = {} while true do t[#t + 1] = {} end end}) return {}",
        "local mt = {} setmetatable({}, mt) mt.__gc = function() while true do end end return {}",
        "local s = string.rep('a', 50000) s:find('.-.-.-b') return {}",
        "local b = {} for i = 1, 40 do b = {b, b} end return { schema = 1, id = 'bomb', name = 'x', extra = b }",
    ])
    func attacksAtLoadLeaveTheOtherPluginsLoaded(source: String) throws {
        fx.write("bomb", source)
        fx.write("fine", fx.minimal("fine", signBody: "return { signature = cs.hex('ok') }"))
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)], limits: tight)
        host.load()
        #expect(host.adapter("fine") != nil)
        #expect(try host.sign("fine", request: SignRequest(), credentials: [:]).signature == "6f6b")
        for diagnostic in host.diagnostics { #expect(!diagnostic.description.contains("\n")) }
    }

    @Test func theStateIsUsableAfterEveryAttack() throws {
        fx.write("probe", fx.minimal("probe", signBody: """
            if req.pin.attack == 'loop' then while true do pcall(function() while true do end end) end end
            if req.pin.attack == 'pattern' then string.rep('a', 20000):find('.-.-.-.-b') end
            return { signature = 'alive' }
            """))
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)], limits: tight)
        host.load()
        for attack in ["loop", "pattern"] {
            #expect(throws: LuaError.self) { try host.signInSandbox("probe", request: SignRequest(pins: ["attack": attack]), credentials: [:], trace: false) }
            #expect(try host.sign("probe", request: SignRequest(), credentials: [:]).signature == "alive")
        }
    }
}

/// The sandbox's own pcall, xpcall, setmetatable and string.find, match, gmatch and gsub agree
/// with the Lua manual.
@Suite struct SandboxedLibraryTests {
    let fx = PluginFixtures()

    func evaluate(_ expression: String) throws -> String {
        fx.write("p", fx.minimal("p", signBody: "return { signature = tostring(\(expression)) }"))
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)])
        host.load()
        return try host.sign("p", request: SignRequest(), credentials: [:]).signature ?? "?"
    }

    @Test(arguments: [
        ("('  hello world  '):match('^%s*(.-)%s*$')", "hello world"),
        ("select(2, ('hello world'):gsub('o', '0'))", "2"),
        ("(('hello world'):gsub('o', '0'))", "hell0 w0rld"),
        ("(('hello world'):gsub('(%w+) (%w+)', '%2 %1'))", "world hello"),
        ("(('hello'):gsub('%w+', '<%0>'))", "<hello>"),
        ("(('abc'):gsub('', '-'))", "-a-b-c-"),
        ("(('hello world from Lua'):gsub('%w+', {hello = 'HI', Lua = false}))", "HI world from Lua"),
        ("(('$name is $value'):gsub('%$(%w+)', function(k) return k:upper() end))", "NAME is VALUE"),
        ("(('hello'):gsub('l+', 'L', 1))", "heLo"),
        ("(('abc'):gsub('.', {a = 1, b = 'B'}))", "1Bc"),
        ("(('a,b,,c'):gsub(',', ';', 2))", "a;b;,c"),
        ("(function() local t = {} for w in ('one two  three'):gmatch('%a+') do t[#t + 1] = w end return table.concat(t, ',') end)()", "one,two,three"),
        ("(function() local t = {} for k, v in ('a=1, b=2'):gmatch('(%w+)=(%w+)') do t[#t + 1] = k .. v end return table.concat(t, ',') end)()", "a1,b2"),
        ("(function() local t = {} for w in ('abc'):gmatch('') do t[#t + 1] = 'x' end return #t end)()", "4"),
        ("table.concat({('THE (quick) fox'):find('%((%a+)%)')}, ',')", "5,11,quick"),
        ("('f(a(b)c)d'):match('%b()')", "(a(b)c)"),
        ("(('THE (quick) fox'):gsub('%f[%a]%a+', 'W'))", "W (W) W"),
        ("('a.b'):find('.', 1, true)", "2"),
        ("('a+b'):find('+', 1)", "2"),
        ("table.concat({('hello'):find('()ll()')}, ',')", "3,4,3,5"),
        ("select(2, (\"x = 'abc'\"):match(\"(['\\\"])(.-)%1\"))", "abc"),
        ("table.concat({('2024-01-02'):match('^(%d+)-(%d+)-(%d+)$')}, '/')", "2024/01/02"),
        ("('abc'):find('b', -2)", "2"),
        ("('abc'):find('b', 10)", "nil"),
        ("('abc'):match('[^%a]')", "nil"),
        ("('a]b'):match('[]]')", "]"),
        ("('x-y'):match('[a-z%-]+')", "x-y"),
        ("('key = value'):match('^(%w+)%s*=%s*(%w+)$')", "key"),
        ("('aaa'):match('^a-$')", "aaa"),
        ("('ab12'):match('%d?%d$')", "12"),
        ("('ACS3-HMAC-SHA256 Credential=AK,Signature=ab'):match('Credential=([^,]+)')", "AK"),
        ("pcall(string.find, 'a', '[a')", "false"),
        ("select(2, pcall(string.find, 'a', '%'))", "malformed pattern (ends with '%')"),
        ("select(2, pcall(string.gsub, 'a', 'a', '%2'))", "invalid capture index %2"),
        ("select(2, xpcall(error, function(m) return 'handled: ' .. m end, 'boom', 0))", "handled: boom"),
        ("select(2, xpcall(function(a, b) return a + b end, print, 1, 2))", "3"),
        ("select('#', pcall(function() return 1, nil, 3 end))", "4"),
        ("getmetatable(setmetatable({}, {__index = {x = 1}})).__index.x", "1"),
        ("select(2, pcall(setmetatable, {}, {__gc = true}))", "finalizers (__gc) are not allowed in plugins and scripts"),
    ])
    func agreesWithTheManual(expression: String, expected: String) throws {
        #expect(try evaluate(expression) == expected, "\(expression)")
    }
}
