@testable import Adapters
import Testing

@Suite struct CodeAttributesTests {
    @Test func keysStaySortedAndUniqueThroughEveryChange() {
        var attributes: CodeAttributes = ["sip": "486", "name": "USER_BUSY"]
        #expect(attributes.map(\.key) == ["name", "sip"])
        attributes["fs_cause"] = "NORMAL"
        attributes["sip"] = "487"
        attributes["name"] = nil
        attributes["absent"] = nil
        #expect(attributes.map { "\($0.key)=\($0.value)" } == ["fs_cause=NORMAL", "sip=487"])
        #expect(attributes["sip"] == "487" && attributes["name"] == nil && attributes.count == 2)
        #expect(attributes == ["sip": "487", "fs_cause": "NORMAL"])
    }

    @Test func cachedAttributesOutOfOrderOrTwiceReadAsDamage() throws {
        func encoded(_ pairs: [(String, String)]) -> [UInt8] {
            var w = BinaryWriter()
            w.write(pairs.count)
            for (key, value) in pairs { w.write(key); w.write(value) }
            return w.bytes
        }
        var sorted = BinaryReader(encoded([("fs_cause", "X"), ("sip", "486")]))
        #expect(try sorted.attributes() == ["sip": "486", "fs_cause": "X"])
        for damaged in [[("sip", "486"), ("fs_cause", "X")], [("sip", "486"), ("sip", "487")]] {
            var reader = BinaryReader(encoded(damaged))
            #expect(throws: BinaryReader.Failure.self) { try reader.attributes() }
        }
    }
}
