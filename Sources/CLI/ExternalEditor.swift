import FoundationEssentials
import Glibc

/// `$VISUAL` / `$EDITOR` (default `vi`) on a private temporary file, for `edit`.
enum ExternalEditor {
    /// The text after the user saved and quit; nil when the editor failed or could not start.
    static func edit(_ text: String, environment: [String: String]) -> String? {
        let editor = [environment["VISUAL"], environment["EDITOR"]].compactMap { $0 }.first { !$0.isEmpty } ?? "vi"
        var template = Array(((environment["TMPDIR"] ?? "/tmp") + "/callscope-edit-XXXXXX.txt").utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemps($0.baseAddress!, 4) }
        guard fd >= 0 else { return nil }
        let path = String(cString: template)
        // The body may hold a secret: the file is private (mkstemps makes it 0600) and removed after.
        defer { unlink(path) }
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress, $0.count) }
        close(fd)
        guard let pid = ShellCommand.spawn(editor + " \"$1\"", arguments: [path]) else { return nil }
        let status = ShellCommand.wait(pid)
        guard status == 0, let data = FileManager.default.contents(atPath: path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
