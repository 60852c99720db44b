import TextSupport
import CEditLine
import CTerminal
import FoundationEssentials
import Glibc
import Shell

/// The interactive line editor on libedit: emacs bindings, `~/.editrc` / `$EDITRC` under the
/// program name `callscope`, persistent history with Ctrl-R search, Tab completion through a pure
/// completer, bracketed paste as one literal input, and `printAbove` for output that arrives while
/// the user is typing.
///
/// Thread safety: `printAbove` may be called from any thread; everything else from the thread
/// that reads lines.
public final class EditLineReader: LineReader, @unchecked Sendable {
    private let editLine: OpaquePointer
    private let history: OpaquePointer
    private var promptPointer: UnsafeMutablePointer<CChar>?
    private let complete: (String) -> CompletionResult
    private let noticeLock = Lock()
    private var pendingNotices: [String] = []
    private var isReading = false
    private var wakePipe: [Int32] = [-1, -1]
    private var input: Int32 = 0

    static let bracketedPasteOn = "\u{1B}[?2004h"
    static let bracketedPasteOff = "\u{1B}[?2004l"

    /// Opens libedit (only the shell needs it); nil when it worked, otherwise why not.
    public static func loadLibrary() -> String? {
        cs_editline_load().map { String(cString: $0) }
    }

    /// Nil when libedit cannot be opened (`loadLibrary` says why) or cannot start.
    /// - Parameters:
    ///   - historyEntries: entries to preload for Up/Down and Ctrl-R.
    ///   - complete: text before the cursor -> candidates.
    public init?(programName: String, historyEntries: [String], historySize: Int,
                 complete: @escaping (String) -> CompletionResult) {
        guard EditLineReader.loadLibrary() == nil, let fin = fdopen(0, "r"), let fout = fdopen(1, "w"), let ferr = fdopen(2, "w"),
              let el = cs_el_init(programName, fin, fout, ferr), let hist = cs_history_init() else { return nil }
        editLine = el
        history = hist
        self.complete = complete
        pipe(&wakePipe)
        for fd in wakePipe { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }

        cs_history_setsize(hist, Int32(historySize))
        cs_history_setunique(hist, 1)
        for entry in historyEntries { cs_history_enter(hist, entry) }

        cs_el_set_clientdata(el, Unmanaged.passUnretained(self).toOpaque())
        cs_el_set_editor(el, "emacs")
        cs_el_set_signal(el, 1)
        cs_el_set_hist(el, hist)
        cs_el_set_prompt_esc(el, { el in
            guard let el, let data = cs_el_get_clientdata(el) else { return nil }
            return Unmanaged<EditLineReader>.fromOpaque(data).takeUnretainedValue().promptPointer
        }, 1)
        cs_el_set_getcfn(el, { el, ch in
            guard let el, let ch, let data = cs_el_get_clientdata(el) else { return -1 }
            return Unmanaged<EditLineReader>.fromOpaque(data).takeUnretainedValue().readCharacter(into: ch)
        })
        cs_el_add_fn(el, "cs-complete", "complete the word before the cursor", { el, _ in
            guard let el, let data = cs_el_get_clientdata(el) else { return CS_CC_ERROR }
            return Unmanaged<EditLineReader>.fromOpaque(data).takeUnretainedValue().completeWord()
        })
        cs_el_add_fn(el, "cs-bracketed-paste", "insert a bracketed paste literally", { el, _ in
            guard let el, let data = cs_el_get_clientdata(el) else { return CS_CC_ERROR }
            return Unmanaged<EditLineReader>.fromOpaque(data).takeUnretainedValue().insertPaste()
        })
        // Keep CR as CR while editing, so a pasted CRLF is not doubled into two newlines
        // (Enter, ^M, is bound to ed-newline like ^J).
        cs_el_setty(el, "-d", "-icrnl")
        cs_el_setty(el, "-d", "-inlcr")
        cs_el_bind(el, "^I", "cs-complete")
        cs_el_bind(el, "\\e[200~", "cs-bracketed-paste")
        cs_el_bind(el, "^R", "em-inc-search-prev")
        // The user's bindings come last so they win: $EDITRC, else ~/.editrc (scoped by "callscope:").
        cs_el_source(el, nil)
        cs_set_terminal_restore(EditLineReader.bracketedPasteOff)
    }

    deinit {
        cs_el_end(editLine)
        cs_history_end(history)
        free(promptPointer)
        for fd in wakePipe where fd >= 0 { close(fd) }
    }

    /// Adds an entry to the editor's in-memory history (Up/Down, Ctrl-R).
    public func addHistory(_ entry: String) { cs_history_enter(history, entry) }
    public func clearHistory() { cs_history_clear(history) }

    public func readLine(prompt: String) -> ReadResult {
        free(promptPointer)
        promptPointer = strdup(prompt)
        writeAll(EditLineReader.bracketedPasteOn)
        noticeLock.lock()
        isReading = true
        let queued = pendingNotices
        pendingNotices = []
        noticeLock.unlock()
        if !queued.isEmpty { writeAll(queued.joined()) }
        _ = cs_take_interrupt()
        var count: Int32 = 0
        let line = cs_el_gets(editLine, &count)
        noticeLock.lock()
        isReading = false
        noticeLock.unlock()
        writeAll(EditLineReader.bracketedPasteOff)
        if let line {
            var text = String(cString: line)
            if text.hasSuffix("\n") { text.removeLast() }
            return .line(text)
        }
        if cs_take_interrupt() != 0 {
            writeAll("^C\n")
            return .interrupted
        }
        writeAll("\n")
        return .eof
    }

    /// Prints `text` above the prompt without garbling a half-typed line: the prompt and the
    /// line are redrawn below it. Safe to call from any thread.
    public func printAbove(_ text: String) {
        let line = text.hasSuffix("\n") ? text : text + "\n"
        noticeLock.lock()
        if isReading {
            pendingNotices.append(line)
            noticeLock.unlock()
            var byte: UInt8 = 1
            _ = Glibc.write(wakePipe[1], &byte, 1)
        } else {
            noticeLock.unlock()
            writeAll(line)
        }
    }

    // MARK: - libedit callbacks

    /// Reads one character (UTF-8 decoded) from the terminal, waking up to print notices.
    private func readCharacter(into ch: UnsafeMutablePointer<wchar_t>) -> Int32 {
        while true {
            if cs_peek_interrupt() != 0 {
                errno = EINTR
                return -1
            }
            var fds = [pollfd(fd: input, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: wakePipe[0], events: Int16(POLLIN), revents: 0),
                       pollfd(fd: cs_interrupt_fd(), events: Int16(POLLIN), revents: 0)]
            let ready = poll(&fds, 3, -1)
            if ready < 0 {
                if errno == EINTR { continue }
                return -1
            }
            // Ctrl-C (SIGINT) wakes the poll through the self-pipe, whenever it arrived.
            if fds[2].revents & Int16(POLLIN) != 0 { continue }
            if fds[1].revents & Int16(POLLIN) != 0 { drawNotices() }
            if fds[0].revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                return readUTF8Scalar(into: ch)
            }
        }
    }

    private func readUTF8Scalar(into ch: UnsafeMutablePointer<wchar_t>) -> Int32 {
        var lead: UInt8 = 0
        while true {
            let n = Glibc.read(input, &lead, 1)
            if n == 1 { break }
            if n == 0 { return 0 }
            if errno == EINTR, cs_peek_interrupt() == 0 { continue }
            return -1
        }
        let extra: Int
        var value: UInt32
        switch lead {
        case 0x00..<0x80: ch.pointee = wchar_t(lead); return 1
        case 0xC0..<0xE0: extra = 1; value = UInt32(lead & 0x1F)
        case 0xE0..<0xF0: extra = 2; value = UInt32(lead & 0x0F)
        case 0xF0..<0xF8: extra = 3; value = UInt32(lead & 0x07)
        default: ch.pointee = 0xFFFD; return 1
        }
        for _ in 0..<extra {
            var next: UInt8 = 0
            var n = Glibc.read(input, &next, 1)
            while n < 0, errno == EINTR { n = Glibc.read(input, &next, 1) }
            guard n == 1, next & 0xC0 == 0x80 else { ch.pointee = 0xFFFD; return 1 }
            value = value << 6 | UInt32(next & 0x3F)
        }
        ch.pointee = wchar_t(bitPattern: value)
        return 1
    }

    private func drawNotices() {
        var sink = [UInt8](repeating: 0, count: 64)
        while Glibc.read(wakePipe[0], &sink, sink.count) > 0 {}
        noticeLock.lock()
        let queued = pendingNotices
        pendingNotices = []
        noticeLock.unlock()
        guard !queued.isEmpty else { return }
        // Clear the prompt line, print the notices, then let libedit redraw prompt and buffer.
        writeAll("\r\u{1B}[K" + queued.joined())
        cs_el_refresh(editLine)
    }

    private func completeWord() -> UInt8 {
        guard let info = cs_el_line(editLine)?.pointee else { return CS_CC_ERROR }
        let length = info.cursor - info.buffer
        let before = String(decoding: UnsafeRawBufferPointer(start: info.buffer, count: length), as: UTF8.self)
        let result = complete(before)
        guard !result.candidates.isEmpty else { return CS_CC_ERROR }
        let replacement: String
        if result.candidates.count == 1 {
            replacement = EditLineReader.escape(result.candidates[0]) + (result.appendSpace ? " " : "")
        } else {
            let prefix = result.commonPrefix
            let current = String(before.unicodeScalars.suffix(result.replaceLength))
            if prefix.unicodeScalars.count > current.unicodeScalars.count, !prefix.isEmpty {
                replacement = EditLineReader.escape(prefix)
            } else {
                let width = Int(cs_terminal_columns(1))
                writeAll("\n" + (result.descriptions.isEmpty ? EditLineReader.columns(result.candidates, width: width)
                                                              : EditLineReader.described(result.candidates, result.descriptions, width: width)))
                return CS_CC_REDISPLAY
            }
        }
        if result.replaceLength > 0 { cs_el_deletestr(editLine, Int32(result.replaceLength)) }
        cs_el_insertstr(editLine, replacement)
        return CS_CC_REFRESH
    }

    /// Reads a bracketed paste up to `ESC[201~` and inserts it literally (newlines and tabs kept).
    private func insertPaste() -> UInt8 {
        let terminator: [wchar_t] = [0x1B, 0x5B, 0x32, 0x30, 0x31, 0x7E]
        var text: [wchar_t] = []
        var ch: wchar_t = 0
        while cs_el_wgetc(editLine, &ch) == 1 {
            text.append(ch)
            if text.count >= terminator.count, Array(text.suffix(terminator.count)) == terminator {
                text.removeLast(terminator.count)
                break
            }
        }
        // CRLF and lone CR become LF; a final newline is dropped so Enter still confirms the paste.
        var normalized: [wchar_t] = []
        normalized.reserveCapacity(text.count + 1)
        var i = 0
        while i < text.count {
            if text[i] == 0x0D {
                normalized.append(0x0A)
                if i + 1 < text.count, text[i + 1] == 0x0A { i += 1 }
            } else {
                normalized.append(text[i])
            }
            i += 1
        }
        if normalized.last == 0x0A { normalized.removeLast() }
        guard !normalized.isEmpty else { return CS_CC_NORM }
        normalized.append(0)
        cs_el_winsertstr(editLine, normalized)
        return CS_CC_REFRESH
    }

    static func escape(_ word: String) -> String {
        var out = ""
        for c in word {
            if " \t'\"\\$#".contains(c) { out.append("\\") }
            out.append(c)
        }
        return out
    }

    /// Candidates laid out in columns that fit `width`.
    static func columns(_ items: [String], width: Int) -> String {
        let cell = (items.map { TextWidth.of($0) }.max() ?? 0) + 2
        let perRow = max(1, (width > 0 ? width : 80) / cell)
        var out = ""
        for (i, item) in items.enumerated() {
            out += TextWidth.pad(item, to: cell)
            if (i + 1) % perRow == 0 || i == items.count - 1 { out = String(out.reversed().drop(while: { $0 == " " }).reversed()) + "\n" }
        }
        return out
    }

    /// One candidate a line with what it is beside it ("17  Normal end – user hung up"), cut to the width.
    static func described(_ items: [String], _ descriptions: [String: String], width: Int) -> String {
        let cell = min(24, (items.map { TextWidth.of($0) }.max() ?? 0) + 2)
        let room = max(20, (width > 0 ? width : 80) - cell - 1)
        return items.map { item in
            let text = TextWidth.pad(item, to: cell) + TextWidth.truncate(ControlCharacters.escaped(descriptions[item] ?? ""), to: room)
            return String(text.reversed().drop { $0 == " " }.reversed()) + "\n"
        }.joined()
    }

    private func writeAll(_ text: String) { LineEditor.writeAll(1, text) }

}
