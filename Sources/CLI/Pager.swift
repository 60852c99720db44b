import CTerminal
import Glibc
import TextSupport

/// Long output through `$PAGER` (default `less -R`) when stdout is a terminal and the text is
/// taller than it; `PAGER=` (empty) or `--no-pager` turns it off.
struct Pager {
    let command: String

    init?(environment: [String: String], disabled: Bool) {
        guard !disabled, isatty(1) != 0 else { return nil }
        let command = environment["PAGER"] ?? "less -R"
        guard !command.trimmingBlanks().isEmpty, command != "cat" else { return nil }
        self.command = command
    }

    /// Pages `text` when it has more lines than the terminal has rows; false otherwise.
    func page(_ text: String, flushFirst: () -> Void) -> Bool {
        let rows = Int(cs_terminal_rows(1))
        guard rows > 0, text.utf8.lazy.filter({ $0 == 0x0A }).count >= rows else { return false }
        flushFirst()
        var pipeFDs: [Int32] = [0, 0]
        guard pipe(&pipeFDs) == 0 else { return false }
        fcntl(pipeFDs[1], F_SETFD, FD_CLOEXEC)
        guard let pid = ShellCommand.spawn(command, stdin: pipeFDs[0]) else { close(pipeFDs[1]); return false }
        // The pager may quit before reading everything (q): a broken pipe only ends the write.
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(pipeFDs[1], $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if n < 0, errno == EINTR { continue }; break }
            offset += n
        }
        close(pipeFDs[1])
        _ = ShellCommand.wait(pid)
        return true
    }
}
