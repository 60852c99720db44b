import Adapters
import Testing
import Wire
import Workbench
@testable import Commands
@testable import LuaHost

/// A plugin's `hooks.mock` has the last word on each answer of the mock, for what its data cannot say.
@Suite struct MockHookTests {
    let fx = PluginFixtures()

    func mock() throws -> MockVendor {
        fx.write("quirky", fx.minimal("quirky", extra: """
          credentials = { { name = "key" }, { name = "secret", secret = true } },
          operations = { ["x/get"] = { method = "post", path = "/x" } },
          hooks = {
            signature_of = function(msg)
              if not msg.headers.sig then return nil end
              return { signature = msg.headers.sig, cred = { key = msg.headers.key } }
            end,
            mock = function(req, answer)
              if req.headers["x-break"] then return { status = 99 } end
              if req.headers["x-header"] then return { headers = { ["Bad\\nName"] = "v" } } end
              if req.verdict == "missing" then
                return { status = 401, headers = { ["WWW-Authenticate"] = "Sig" }, body = "{}", note = "quirk: 401 without a signature" }
              end
              if req.operation == "x/get" then
                return { headers = { ["X-Seen"] = req.method .. " " .. req.path .. " " .. answer.status .. " " .. answer.headers["Content-Type"] } }
              end
            end,
          },

        """, signBody: "    return { signature = cred.secret .. '|' .. (req.body or ''), headers = { sig = cred.secret .. '|' .. (req.body or '') } }"))
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)])
        host.load()
        #expect(host.diagnostics.isEmpty, "\(host.diagnostics)")
        let adapter = try #require(host.adapter("quirky"))
        #expect(adapter.hooks.contains("mock"))
        return MockVendor(adapter: adapter, adapters: host.adapters, signer: host, options: MockOptions(credentials: ["key": "k", "secret": "s"]),
                          adjust: MockHookBridge.adjust(host: host, vendor: "quirky"))
    }

    func request(_ headers: [(String, String)]) -> HTTPMessage {
        HTTPMessage(kind: .request, method: "POST", target: "/x", headers: headers + [("Content-Type", "application/json")], body: Array("{}".utf8))
    }

    @Test func theHookAddsToAValidAnswerAndRewritesAnother() throws {
        let mock = try mock()
        let valid = mock.answer(to: request([("sig", "s|{}"), ("key", "k")]))
        #expect(valid.verdict == "valid" && valid.status == 200)
        #expect(valid.headers.map { "\($0.0): \($0.1)" } == ["X-Seen: POST /x 200 application/json"], "the hook's headers replace the answer's")
        let missing = mock.answer(to: request([]))
        #expect(missing.verdict == "missing" && missing.status == 401 && missing.body == Array("{}".utf8))
        #expect(missing.headers.map { "\($0.0): \($0.1)" } == ["WWW-Authenticate: Sig"])
        #expect(missing.note?.hasSuffix("; quirk: 401 without a signature") == true, "\(missing.note ?? "")")
    }

    @Test func aBrokenHookIsTheMocksOwn500() throws {
        let mock = try mock()
        for (header, problem) in [("x-break", "mock must return nil or { status = 100…599"), ("x-header", "mock returned an invalid header 'Bad\nName'")] {
            let answer = mock.answer(to: request([(header, "1"), ("sig", "s|{}"), ("key", "k")]))
            #expect(answer.status == 500 && answer.verdict == "unverifiable")
            #expect(answer.note?.hasPrefix("the plugin's mock hook failed: quirky: \(problem)") == true, "\(answer.note ?? "")")
        }
    }

    @Test func withoutTheHookTheAnswerIsTheDatas() throws {
        _ = try mock()
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)])
        host.load()
        let adapter = try #require(host.adapter("quirky"))
        let plain = MockVendor(adapter: adapter, adapters: host.adapters, signer: host, options: MockOptions(credentials: ["key": "k", "secret": "s"]))
        let answer = plain.answer(to: request([]))
        #expect(answer.status == 400 && answer.verdict == "missing", "the data alone: the vendor's answer to a missing signature is not documented")
    }
}
