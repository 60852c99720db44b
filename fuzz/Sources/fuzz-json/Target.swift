import FuzzSupport
import JSONText

/// The JSON reader: strict, lenient and NDJSON parsing, and writing back what was read.
@_cdecl("fuzz_json_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, test)
}

let test: FuzzTest = { data, size in
    let bytes = FuzzDriver.bytes(data, size)
    if let value = try? JSONParser.parse(bytes: bytes) {
        // What was read writes back and reads again to the same value.
        let again = try? JSONParser.parse(JSONWriter.compact(value))
        precondition(again == value, "JSON round trip changed the value")
    }
    _ = try? JSONParser.parseLenient(bytes: bytes)
    _ = try? JSONParser.parseSequence(bytes: bytes)
    return 0
}
