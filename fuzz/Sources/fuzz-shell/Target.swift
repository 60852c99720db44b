import FuzzSupport
import Shell

/// The tokenizer and the input assembler, fed line by line as the shell feeds them.
@_cdecl("fuzz_shell_main")
public func entry(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    FuzzDriver.run(argc, argv, test)
}

let test: FuzzTest = { data, size in
    let text = String(decoding: FuzzDriver.bytes(data, size), as: UTF8.self)
    var assembler = InputAssembler()
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        guard let input = assembler.feed(String(line)) else { continue }
        var tokenizer = Tokenizer(input.text, lookup: { name in name == "x" ? "expanded value" : nil })
        _ = tokenizer.takeJSONValueBeforeFlags()
        while let token = try? tokenizer.next() { _ = token.text }
    }
    _ = assembler.pendingReason
    _ = try? Tokenizer.tokenize(text)
    return 0
}
