import CTerminal
import FoundationEssentials
import Glibc

/// Reads one line from the terminal with echo off (for secrets); nil when stdin is no terminal.
public func readWithoutEcho(prompt: String) -> String? {
    guard isatty(0) != 0 else { return nil }
    guard cs_set_echo(0, 0) == 0 else { return nil }
    writeAll(2, prompt)
    defer {
        _ = cs_set_echo(0, 1)
        writeAll(2, "\n")
    }
    var bytes: [UInt8] = []
    var byte: UInt8 = 0
    // Only a line ended by Enter is a value: Ctrl-D (end of input) or Ctrl-C (the read is
    // interrupted) cancels, so an empty secret is never stored by accident.
    while true {
        let n = Glibc.read(0, &byte, 1)
        guard n == 1 else { return nil }
        if byte == 0x0A { break }
        bytes.append(byte)
    }
    if bytes.last == 0x0D { bytes.removeLast() }
    return String(decoding: bytes, as: UTF8.self)
}
