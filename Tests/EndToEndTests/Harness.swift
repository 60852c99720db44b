import CTerminal
import Foundation
import Testing

/// Runs the built `callscope` binary as a user would, with its own HOME and XDG directories.
struct Harness {
    let home: URL

    init() {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("callscope-e2e-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    static var binary: String {
        if let override = ProcessInfo.processInfo.environment["CALLSCOPE_BIN"] { return override }
        // The test bundle lives in the same products directory as the executable.
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var dir = runner.deletingLastPathComponent()
        while dir.path != "/" {
            let candidate = dir.appendingPathComponent("callscope")
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDir), !isDir.boolValue {
                return candidate.path
            }
            dir = dir.deletingLastPathComponent()
        }
        return ".build/debug/callscope"
    }

    var environment: [String: String] {
        // Sanitizer settings of the test run reach the binary too (CI runs the suite under ASan).
        let sanitizer = ProcessInfo.processInfo.environment.filter { $0.key == "ASAN_OPTIONS" || $0.key == "LSAN_OPTIONS" }
        return sanitizer.merging([
            "HOME": home.path,
            "XDG_STATE_HOME": home.appendingPathComponent("state").path,
            "XDG_CONFIG_HOME": home.appendingPathComponent("config").path,
            "XDG_DATA_HOME": home.appendingPathComponent("data").path,
            "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8",
            "TERM": "xterm-256color",
            // Secrets reach the binary as users are told to pass them: by reference, never inline.
            "NX_TEST_SECRET": "s3cret-value",
            // Output is never paged unless a test asks for a pager.
            "PAGER": "",
        ]) { $1 }
    }

    var historyPath: String { home.appendingPathComponent("state/callscope/history").path }

    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the binary with `arguments`, feeding `stdin` (or /dev/null).
    func run(_ arguments: [String], stdin: String? = nil, extraEnvironment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Harness.binary)
        process.arguments = arguments
        process.environment = environment.merging(extraEnvironment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            let input = Pipe()
            process.standardInput = input
            try process.run()
            input.fileHandleForWriting.write(Data(stdin.utf8))
            try input.fileHandleForWriting.close()
        } else {
            process.standardInput = FileHandle.nullDevice
            try process.run()
        }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                      stderr: String(decoding: errData, as: UTF8.self))
    }

    /// Waits (at most `timeout`) until process `pid` has run `milliseconds` of CPU time: a script
    /// that spins is then past start-up and inside its loop, whatever the machine's load.
    static func waitForCPU(of pid: pid_t, milliseconds: Int = 200, timeout: TimeInterval = 10) {
        let deadline = Date().addingTimeInterval(timeout)
        let ticksPerSecond = Int(sysconf(Int32(_SC_CLK_TCK)))
        while Date() < deadline {
            // Fields 14 and 15 of /proc/PID/stat (after the parenthesised name): user and system ticks.
            guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                  let fields = stat.split(separator: ")").last?.split(separator: " "), fields.count > 13,
                  let user = Int(fields[11]), let system = Int(fields[12]) else { return }
            if (user + system) * 1000 >= milliseconds * ticksPerSecond { return }
            usleep(10_000)
        }
    }

    func write(_ name: String, _ contents: String) throws -> String {
        let url = home.appendingPathComponent(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

/// The binary under a real pseudo-terminal: type, read the screen, wait for exit.
final class PTYSession {
    let pid: pid_t
    let master: Int32
    private(set) var transcript = ""

    init(arguments: [String] = [], environment: [String: String], rows: UInt16 = 30, cols: UInt16 = 100) throws {
        let argv = ([Harness.binary] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var fd: Int32 = -1
        pid = cs_spawn_in_pty(Harness.binary, argv, envp, rows, cols, &fd)
        guard pid > 0 else { throw POSIXError(.ECHILD) }
        master = fd
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, WNOHANG)
        close(master)
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(master, $0.baseAddress, $0.count) }
    }

    /// Reads output until `text` has appeared after `from` or `timeout` passes; returns whether it did.
    @discardableResult
    func expect(_ text: String, timeout: TimeInterval = 5) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if transcript.contains(text) { return true }
            readAvailable(waitMillis: 50)
        }
        return transcript.contains(text)
    }

    func readAvailable(waitMillis: Int32) {
        var pfd = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&pfd, 1, waitMillis) > 0 else { return }
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = Glibc.read(master, &buffer, buffer.count)
        if n > 0 { transcript += String(decoding: buffer[0..<n], as: UTF8.self) }
    }

    /// Waits for the process to exit; returns its exit status, or nil on timeout.
    func waitForExit(timeout: TimeInterval = 5) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            readAvailable(waitMillis: 20)
            var status: Int32 = 0
            let waited = waitpid(pid, &status, WNOHANG)
            if waited == pid {
                return (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            }
        }
        return nil
    }

    /// Whether the process is still running.
    var isAlive: Bool { kill(pid, 0) == 0 && !isZombie }

    private var isZombie: Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return true }
        return stat.split(separator: ")").last?.split(separator: " ").first == "Z"
    }

    func clearTranscript() { transcript = "" }

    /// libedit prints the prompt a moment before it switches the terminal to raw mode; a control
    /// key sent inside that window is taken by the kernel's line discipline, as it would be for a
    /// user typing ahead. Waiting briefly puts the test where a human is.
    func settle() {
        usleep(100_000)
        readAvailable(waitMillis: 0)
    }

    /// Types `line` + Enter at a fresh prompt and waits for `output` and the next prompt, as a user would.
    @discardableResult
    func command(_ line: String, expecting output: String, prompt: String = "callscope> ") -> Bool {
        clearTranscript()
        send(line + "\r")
        guard expect(output) else { return false }
        guard let range = transcript.range(of: output) else { return false }
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !transcript[range.upperBound...].contains(prompt) { readAvailable(waitMillis: 20) }
        settle()
        return transcript[range.upperBound...].contains(prompt)
    }
}
