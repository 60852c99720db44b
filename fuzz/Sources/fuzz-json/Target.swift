import FuzzSupport
import JSONText

/// The JSON reader: strict, lenient and NDJSON parsing, the tape index against the parser, and
/// writing back what was read.
@_cdecl("fuzz_json_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, test)
}

let test: FuzzTest = { data, size in
    let bytes = FuzzDriver.bytes(data, size)
    let value = try? JSONParser.parse(bytes: bytes)
    // The tape index accepts exactly what the parser accepts.
    var tape = JSONTape()
    let indexed = bytes.withUnsafeBufferPointer { tape.index($0) }
    precondition(indexed == (value != nil), "the tape and the parser disagree")
    if value != nil {
        // Each member or element of a container is one level deeper than it.
        tape.withEntries { entries in
            precondition(entries.first?.depth == 0, "the text's value is not at depth 0")
            for (i, entry) in entries.enumerated() where entry.kind == .object || entry.kind == .array {
                var child = i + 1
                for _ in 0..<entry.count {
                    precondition(entries[child].depth == entry.depth + 1, "a member's depth is not its container's plus one")
                    child = entries[child].next
                }
                precondition(child == entry.next, "a container's members do not end where it does")
            }
        }
        // A plain string or container is written by the writer exactly as it stands.
        for entry in tape.entries where entry.plain && (entry.kind == .object || entry.kind == .array || entry.kind == .string) {
            let text = Array(bytes[entry.start..<entry.end])
            guard let part = try? JSONParser.parse(bytes: text) else { preconditionFailure("a value inside a valid text does not parse") }
            precondition(Array(JSONWriter.compact(part).utf8) == text, "a plain value is not written as it stands")
        }
    }
    if let value {
        // What was read writes back and reads again to the same value.
        let again = try? JSONParser.parse(JSONWriter.compact(value))
        precondition(again == value, "JSON round trip changed the value")
    }
    _ = try? JSONParser.parseLenient(bytes: bytes)
    _ = try? JSONParser.parseSequence(bytes: bytes)
    return 0
}
