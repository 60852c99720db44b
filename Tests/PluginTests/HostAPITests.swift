import Signing
import Testing
@testable import LuaHost

/// The `cs` module, checked against known answers (RFC test vectors where they exist).
@Suite struct HostAPITests {
    let fx = PluginFixtures()

    func eval(_ expression: String) throws -> SignOutput {
        fx.write("api", fx.minimal("api", signBody: "return { signature = \(expression) }"))
        let host = PluginHost(roots: [PluginRoot(path: fx.root, origin: .commandLine)], clock: { 1_655_710_885_431 })
        host.load()
        #expect(host.diagnostics.isEmpty, "\(host.diagnostics)")
        return try host.sign("api", request: SignRequest(), credentials: [:])
    }

    func value(_ expression: String) throws -> String { try eval(expression).signature }

    @Test func digests() throws {
        #expect(try value("cs.hex(cs.md5(''))") == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(try value("cs.hex(cs.md5('abc'))") == "900150983cd24fb0d6963f7d28e17f72")
        #expect(try value("cs.hex(cs.sha1('abc'))") == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(try value("cs.hex(cs.sha256('abc'))") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(try value("cs.hex_upper(cs.md5('abc'))") == "900150983CD24FB0D6963F7D28E17F72")
    }

    @Test func hmacRFC4231AndRFC2202() throws {
        // RFC 4231 test case 2 and RFC 2202 test case 2.
        #expect(try value("cs.hex(cs.hmac_sha256('Jefe', 'what do ya want for nothing?'))")
                == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
        #expect(try value("cs.hex(cs.hmac_sha1('Jefe', 'what do ya want for nothing?'))")
                == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
    }

    @Test func encodings() throws {
        #expect(try value("cs.base64('foobar')") == "Zm9vYmFy")
        #expect(try value("cs.base64('fo')") == "Zm8=")
        #expect(try value("cs.base64_decode('Zm9vYmE=')") == "fooba")
        #expect(try value("cs.percent('a b*~/牛')") == "a%20b%2A~%2F%E7%89%9B")
        #expect(try value("cs.percent('a b*~', 'form')") == "a+b*%7E")
        #expect(try value("cs.join_sorted({ts = 1, accessKey = 'k', action = 'send'}, '&', '=')") == "accessKey=k&action=send&ts=1")
    }

    @Test func jsonKeepsOrderAndExactNumbers() throws {
        #expect(try value("cs.json.encode(cs.json.decode('{\"b\":1,\"a\":[true,null,\"牛\"]}'))") == #"{"b":1,"a":[true,null,"牛"]}"#)
        #expect(try value("cs.json.encode(cs.json.decode('{\"x\":1.50,\"y\":9007199254740993}', {exact = true}))")
                == #"{"x":1.50,"y":9007199254740993}"#)
        #expect(try value("cs.json.encode({z = 1, a = 'q\"'})") == #"{"a":"q\"","z":1}"#)
        #expect(try value("cs.json.encode(cs.json.object{{'z', 1}, {'a', 2}})") == #"{"z":1,"a":2}"#)
    }

    @Test func timeAndClock() throws {
        #expect(try value("tostring(cs.now_ms())") == "1655710885431")
        #expect(try value("tostring(cs.now_s())") == "1655710885")
        #expect(try value("cs.time.iso8601(1630468800)") == "2021-09-01T04:00:00Z")
        #expect(try value("cs.time.iso8601(1630468800, 480)") == "2021-09-01T12:00:00+08:00")
        #expect(try value("tostring(cs.time.parse('2021-09-01 12:00:00', 480))") == "1630468800")
        #expect(try value("tostring(cs.time.parse('2021-09-01T04:00:00Z'))") == "1630468800")
    }

    @Test func stepsAndPrimitivesAreTraced() throws {
        let out = try eval("cs.hex(cs.md5(cs.step('string to sign', 'abc')))")
        #expect(out.steps.first == TraceStep(name: "string to sign", value: "abc"))
        #expect(out.steps.contains { $0.name == "md5(3 bytes)" && $0.value == "900150983cd24fb0d6963f7d28e17f72" })
        #expect(out.steps.last?.name == "hex (lower case)")
    }

    /// itniotech's published vector (FACTS.md §3.1, [VERIFIED]) through a plugin-shaped recipe.
    @Test func publishedItniotechVectorThroughTheHost() throws {
        #expect(try value("cs.hex(cs.md5('bDqJFiq9' .. '7bz1lzh9' .. '1630468800'))") == "05d7a50893e22a5c4bb3216ae3396c7c")
    }
}
