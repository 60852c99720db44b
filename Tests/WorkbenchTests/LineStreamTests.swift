import Glibc
import Testing
import Workbench

@Suite struct LineStreamTests {
    /// Lines are handed out whole wherever the blocks they were read in end: short and empty ones,
    /// CRLF endings, a line longer than a block, a prefix already read, a last line without a newline.
    @Test func handsOutEveryLineWhereverTheBlocksEnd() throws {
        var lines: [[UInt8]] = [Array("{\"a\":1}".utf8), [], Array("x\r".utf8)]
        var state: UInt64 = 7
        for n in 0..<20_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let length = n == 9_000 ? 1_500_000 : Int(state >> 33) % 400
            lines.append((0..<length).map { UInt8(ascii: "a") + UInt8(($0 + n) % 26) })
        }
        lines.append(Array("last".utf8))
        let text = Array(lines.map { $0 + [0x0A] }.joined().dropLast())
        let prefix = Array(text[..<5])
        let path = "/tmp/callscope-linestream-\(getpid()).ndjson"
        defer { unlink(path) }
        let fd = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        #expect(text[5...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == text.count - 5)
        close(fd)
        let stream = LineStream(fd: open(path, O_RDONLY), prefix: prefix)
        var read: [[UInt8]] = []
        while let line = stream.next() { read.append(Array(line)) }
        // A CR before the newline is not part of the line.
        lines[2] = Array("x".utf8)
        #expect(read.count == lines.count)
        #expect(read == lines)
        #expect(stream.bytesRead == text.count && stream.lineNumber == lines.count && !stream.overlong)
    }
}
