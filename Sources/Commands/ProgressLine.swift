import Glibc

/// A progress line on stderr while a large input streams (only when stderr is a terminal).
struct ProgressLine {
    let total: Int?
    private var enabled: Bool
    private var last = timespec()
    private var started = timespec()
    private var shown = false

    /// Shown for inputs of 8 MB or more, or, with `always`, whenever stderr is a terminal.
    init(total: Int?, always: Bool = false) {
        self.total = total
        enabled = isatty(2) != 0 && (always || (total ?? 0) >= 8 << 20)
        clock_gettime(CLOCK_MONOTONIC, &started)
        last = started
    }

    mutating func update(_ bytes: Int) {
        guard enabled else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        guard seconds(last, now) >= 0.25 else { return }
        last = now
        let elapsed = max(0.001, seconds(started, now))
        let mb = Double(bytes) / 1_048_576
        var text = "\rdecoding  \(String(Int(mb))) MB  \(Int(mb / elapsed)) MB/s"
        if let total, total > 0 {
            let fraction = min(1, Double(bytes) / Double(total))
            let filled = Int(fraction * 30)
            text = "\rdecoding [" + String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
                + "] \(Int(fraction * 100))%  \(Int(mb / elapsed)) MB/s"
        }
        writeStderr(text + "\u{1B}[K")
        shown = true
    }

    /// Shows `text` as the progress (at most four times a second).
    mutating func note(_ text: String) {
        guard enabled else { return }
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        guard !shown || seconds(last, now) >= 0.25 else { return }
        last = now
        writeStderr("\r" + text + "\u{1B}[K")
        shown = true
    }

    mutating func finish() {
        if shown { writeStderr("\r\u{1B}[K") }
    }

    private func seconds(_ a: timespec, _ b: timespec) -> Double {
        Double(b.tv_sec - a.tv_sec) + Double(b.tv_nsec - a.tv_nsec) / 1e9
    }

    private func writeStderr(_ text: String) {
        var bytes = Array(text.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
