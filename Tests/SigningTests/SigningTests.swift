import Adapters
@testable import Signing
import Testing
import TestSupport

@Suite struct PrimitiveVectorTests {
    static func bytes(_ byte: UInt8, _ count: Int) -> [UInt8] { [UInt8](repeating: byte, count: count) }

    @Test func digests() {
        #expect(Primitives.hex(Primitives.digest(.md5, [])) == "d41d8cd98f00b204e9800998ecf8427e")
        #expect(Primitives.hex(Primitives.digest(.sha1, Array("abc".utf8))) == "a9993e364706816aba3e25717850c26c9cd0d89d")
        #expect(Primitives.hex(Primitives.digest(.sha256, Array("abc".utf8))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    /// RFC 2202 (HMAC-MD5, HMAC-SHA1) and RFC 4231 (HMAC-SHA256), test cases 1 and 2.
    @Test func hmacRFCVectors() {
        let hi = Array("Hi There".utf8), jefe = Array("Jefe".utf8), want = Array("what do ya want for nothing?".utf8)
        #expect(Primitives.hex(Primitives.hmac(.md5, key: Self.bytes(0x0b, 16), hi)) == "9294727a3638bb1c13f48ef8158bfc9d")
        #expect(Primitives.hex(Primitives.hmac(.md5, key: jefe, want)) == "750c783e6ab0b503eaa86e310a5db738")
        #expect(Primitives.hex(Primitives.hmac(.sha1, key: Self.bytes(0x0b, 20), hi)) == "b617318655057264e28bc0b6fb378c8ef146be00")
        #expect(Primitives.hex(Primitives.hmac(.sha1, key: jefe, want)) == "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79")
        #expect(Primitives.hex(Primitives.hmac(.sha256, key: Self.bytes(0x0b, 20), hi)) == "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")
        #expect(Primitives.hex(Primitives.hmac(.sha256, key: jefe, want)) == "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    @Test func encodings() {
        #expect(Primitives.base64(Array("foobar".utf8)) == "Zm9vYmFy")
        #expect(Primitives.base64Decode("Zm9vYg") == Array("foob".utf8))
        #expect(Primitives.percentEncode("a b*~") == "a%20b%2A~")
        #expect(Primitives.percentEncode("a b*~", style: .form) == "a+b*%7E")
    }
}

@Suite struct SigningDomainTests {
    @Test func constantTimeEqualityAndSecretsThatDoNotPrint() {
        #expect(ConstantTime.equal("abc", "abc"))
        #expect(!ConstantTime.equal("abc", "abd"))
        #expect(!ConstantTime.equal("abc", "abcd"))
        let secret = Secret(name: "apiSecret", value: "hunter2")
        #expect("\(secret)" == "‹apiSecret›")
        #expect(String(reflecting: secret) == "‹apiSecret›")
        #expect(secret.reveal == "hunter2")
    }

    @Test func bodyTransformsAreOneListWithExplanations() {
        #expect(BodyTransform(rawValue: "sort-keys") == .sortKeys)
        #expect(BodyTransform.sortKeys.apply(to: #"{"b":1,"a":{"d":2,"c":3}}"#) == #"{"a":{"c":3,"d":2},"b":1}"#)
        #expect(BodyTransform.minify.apply(to: "{ \"a\" : 1 }") == #"{"a":1}"#)
        #expect(BodyTransform.escapeUnicode.apply(to: #"{"n":"牛"}"#) == #"{"n":"\u725b"}"#)
        #expect(BodyTransform.stripNewline.apply(to: "{}") == nil)
        #expect(BodyTransform.minify.apply(to: "not json") == nil)
        #expect(BodyTransform.allCases.allSatisfy { !$0.explanation.isEmpty })
    }

    @Test func aMatchingSignatureIsValid() throws {
        let message = fakeRequest(body: #"{"a":1}"#)
        let claim = try #require(try FakeSigner().signatureOf("fake", message: message))
        let v = Verifier(signer: FakeSigner()).verify(message, claim: claim, adapter: FakeSigner.adapter, credentials: ["key": "k1", "secret": "s3cret"])
        #expect(v.verdict == .valid)
        #expect(v.expected == v.received)
        #expect(v.steps.map(\.name) == ["string to sign", "md5 hex"])
        #expect(v.diagnosis.isEmpty)
    }

    @Test func aMinifiedSignatureOfAPrettyBodyIsDiagnosed() throws {
        var message = fakeRequest(body: #"{"a":1,"b":[2]}"#)
        message.body = Array("{\n  \"a\": 1,\n  \"b\": [2]\n}".utf8)
        let claim = try #require(try FakeSigner().signatureOf("fake", message: message))
        let v = Verifier(signer: FakeSigner()).verify(message, claim: claim, adapter: FakeSigner.adapter, credentials: ["key": "k1", "secret": "s3cret"])
        #expect(v.verdict == .mismatch)
        #expect(v.diagnosis.filter(\.matches).map(\.variant) == ["body minify"])
        #expect(v.diagnosis.map(\.variant) == ["body minify", "body pretty", "body add-newline", "body key order", "timestamp unit", "secret + a trailing newline", "secret + a trailing CRLF",
                                               "secret + a trailing space", "empty body signed"])
    }

    @Test func theirStringToSignIsComparedWithoutShowingTheSecret() throws {
        let message = fakeRequest(body: "{}", secret: "other")
        let claim = try #require(try FakeSigner().signatureOf("fake", message: message))
        let v = Verifier(signer: FakeSigner()).verify(message, claim: claim, adapter: FakeSigner.adapter, credentials: ["key": "k1", "secret": "s3cret"],
                                                      theirString: "k1other&body={}&ts=1700000000")
        #expect(v.comparison == ["the strings to sign agree up to the secret (byte 3): the secrets differ"])
        let earlier = Verifier(signer: FakeSigner()).verify(message, claim: claim, adapter: FakeSigner.adapter,
                                                            credentials: ["key": "k1", "secret": "s3cret"], theirString: "k2s3cret&body={}&ts=1700000000")
        #expect(earlier.comparison == ["the strings to sign first differ at byte 2:", "  ours:   …k1******&body={}&ts=17000…",
                                       "  theirs: …k2******&body={}&ts=17000…"])
    }

    @Test func aRecipeThatFailsIsUnverifiable() throws {
        let message = fakeRequest(body: "{}")
        let claim = try #require(try FakeSigner().signatureOf("fake", message: message))
        let v = Verifier(signer: FakeSigner()).verify(message, claim: claim, adapter: FakeSigner.adapter, credentials: [:])
        #expect(v.verdict == .unverifiable)
        #expect(v.reason == "the adapter could not compute a signature from this message: fake: no secret")
    }
}

@Suite struct KeyOrderDiagnosisTests {
    @Test func keysSignedInAnotherOrderAreFound() throws {
        var message = fakeRequest(body: #"{"c":3,"a":1,"b":2}"#)
        message.body = Array(#"{"a":1,"b":2,"c":3}"#.utf8)
        let claim = try #require(try FakeSigner().signatureOf("fake", message: message))
        let v = Verifier(signer: FakeSigner()).verify(message, claim: claim, adapter: FakeSigner.adapter, credentials: ["key": "k1", "secret": "s3cret"])
        #expect(v.verdict == .mismatch)
        let hit = try #require(v.diagnosis.first { $0.variant == "body key order" })
        #expect(hit.matches)
        #expect(hit.explanation == "the sender signed the keys in the order c, a, b but sent a, b, c")
    }

    @Test func heapsAlgorithmGivesEveryOrderOnce() {
        let all = (1...5).map { n in Set(Diagnosis.permutations(Array(0..<n)).map { $0.map(String.init).joined() }).count }
        #expect(all == [1, 2, 6, 24, 120])
    }
}

@Suite struct StringComparisonTests {
    @Test func theSecretNeverShowsInEitherWindow() {
        let secret = "TOPSECRETVALUE"
        let ours = "accessKey=k&ts=1&body={}&accessSecret=\(secret)"
        // Their string has one extra byte early, so their copy of the secret sits one byte later.
        let theirs = "accessKey=kk&ts=1&body={}&accessSecret=\(secret)"
        let lines = StringComparison.lines(ours: ours, theirs: theirs, secrets: [secret])
        #expect(lines.first == "the strings to sign first differ at byte 12:")
        for line in lines {
            for length in 3...secret.count {
                #expect(!line.contains(secret.prefix(length)), "\(line)")
            }
        }
    }
}
