import CTerminal
import Captures
import Commands
import FoundationEssentials
import Glibc
import LineEditor
import LuaHost
import Shell
import Net


/// The process: parses launch options, builds the session, and runs the chosen mode.
public enum App {
    public static let version = "0.1.0"

    public static func main(arguments: [String], environment: [String: String]) -> Int32 {
        // Only the character type matters (UTF-8 editing and display); numbers stay "C".
        setlocale(LC_CTYPE, "")
        let out = OutputWriter(fd: 1)
        let sink = OutputSink(out: { out.write($0) }, err: { text in
            out.flush()
            writeAll(2, text)
        }, outBytes: { out.write(buffer: $0) }, flush: { out.flush() })
        let options: LaunchOptions
        do {
            options = try LaunchOptions.parse(arguments)
        } catch {
            sink.err("callscope: \(error.message)\n" + (error.hint.map { "hint: \($0)\n" } ?? ""))
            return ExitStatus.usage.rawValue
        }
        if options.showVersion { sink.out("callscope \(version)\n"); out.flush(); return 0 }
        if options.showHelp { sink.out(LaunchOptions.usage + "\n"); out.flush(); return 0 }

        let stdinIsTerminal = isatty(0) != 0
        let interactive = options.commands.isEmpty && options.scriptPath == nil && options.oneShot.isEmpty && stdinIsTerminal
        let pipedCommands = options.commands.isEmpty && options.scriptPath == nil && options.oneShot.isEmpty && !stdinIsTerminal
        let session = Session(registry: BuiltinCommands.registry(),
                              history: HistoryStore(path: interactive ? HistoryStore.defaultPath(environment: environment) : nil),
                              output: sink,
                              color: colorEnabled(options.color, environment: environment, piped: pipedCommands),
                              interactive: interactive,
                              // Off a terminal nothing is cut: lines are as long as their content.
                              terminalWidth: cs_terminal_columns(1) > 0 ? Int(max(40, cs_terminal_columns(1))) : 100_000)
        // Never released: the process ends when main returns, and freeing every adapter table and
        // command spec first cost more than a one-shot command's own work (1.5 M instructions).
        _ = Unmanaged.passRetained(session)
        let host = PluginHost(roots: PluginLocator.roots(executablePath: executablePath(), environment: environment,
                                                         extra: options.pluginDirectories),
                              cachePath: AdapterCache.defaultPath(environment: environment))
        host.version = version + " " + buildStamp()
        host.onLoad = { [unowned session] host in
            PluginShellCommands.register(from: host, into: session)
            for diagnostic in host.diagnostics { sink.err("callscope: plugin skipped: \(diagnostic)\n") }
            if interactive { for notice in host.notices { sink.err("callscope: \(notice)\n") } }
        }
        session.register(host)
        session.register(TransportService(HTTPTransport(environment: environment)))
        let capturesPath = environment["CALLSCOPE_CAPTURES"] ?? SQLiteCaptureStore.defaultPath(environment: environment)
        let captures = CaptureStoreService(path: capturesPath) { try await SQLiteCaptureStore.open(path: capturesPath) }
        session.register(captures)
        defer { SessionShutdown.run(session) }
        session.register(ServerFactory { host, port, limits, handler in
            RunningServer(try HTTPServer(host: host, port: port, maxBodyBytes: limits.maxBodyBytes, idleTimeoutSeconds: limits.idleTimeoutSeconds,
                                         maxConcurrent: limits.maxConcurrent) { message, peer in
                let answer = await handler(message, peer)
                return HTTPServer.Answer(status: answer.status, headers: answer.headers, body: answer.body, delayMilliseconds: answer.delayMilliseconds)
            })
        })
        session.loadMoreCommands = { [unowned host] in host.loadIfNeeded(); return true }
        // The shell loads adapters up front (completion needs them); other modes on first use.
        if interactive { host.load() }
        cs_install_signal_handlers()
        session.interruptRequested = { cs_peek_interrupt() != 0 }
        LuaSandbox.watchInterrupts(cs_peek_interrupt)
        session.clearInterrupt = { _ = cs_take_interrupt() }
        defer { out.flush() }

        // What the completion scripts ask at each Tab: the shell's own completer on the words so far.
        if options.oneShot.first == "__complete" {
            host.load()
            let text = options.oneShot.dropFirst().joined(separator: " ")
            for candidate in Completer.complete(text, session: session, registry: session.registry).candidates { sink.out(candidate + "\n") }
            out.flush()
            return 0
        }
        // Long output is paged on a terminal: in the shell, and for one command run from the shell's own prompt.
        if interactive || !options.oneShot.isEmpty, let pager = Pager(environment: environment, disabled: options.noPager) {
            session.pager = { pager.page($0, flushFirst: { out.flush() }) }
        }
        SessionLua.loadInit(session, environment: environment)
        session.inputContinues = SessionLua.continuesInput(session)
        session.commandsInArguments = !options.oneShot.isEmpty || !options.commands.isEmpty
        if !options.oneShot.isEmpty {
            let execution = Interpreter.execute(words: options.oneShot, in: session)
            return execution.status.rawValue
        }
        let runner = Runner(session: session, keepGoing: options.keepGoing, afterEach: { _, _ in out.flush() })
        if !options.commands.isEmpty {
            var lines = options.commands.makeIterator()
            return runner.runAll(from: { lines.next() }).rawValue
        }
        if let path = options.scriptPath {
            guard let reader = path == "-" ? PlainReader(fd: 0) : PlainReader(path: path) else {
                sink.err("callscope: cannot read \(path): \(String(cString: strerror(errno)))\n")
                return ExitStatus.dataError.rawValue
            }
            session.readSecret = { _ in reader.readLine(prompt: "").lineText }
            return runner.runAll(from: { reader.readLine(prompt: "").lineText },
                                 location: { "\(path):\(reader.lineNumber)" }).rawValue
        }
        if pipedCommands {
            guard let reader = PlainReader(fd: 0) else { return ExitStatus.internalError.rawValue }
            session.readSecret = { _ in reader.readLine(prompt: "").lineText }
            return runner.runAll(from: { reader.readLine(prompt: "").lineText },
                                 location: { "stdin:\(reader.lineNumber)" }).rawValue
        }
        return REPL(session: session, out: out, environment: environment).run().rawValue
    }

    /// Size and modification time of the executable: a new build never reads an old build's cache.
    static func buildStamp() -> String {
        var info = stat()
        guard stat(executablePath(), &info) == 0 else { return "" }
        return "\(info.st_size).\(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }

    /// The running executable's path (for finding the bundled plugins next to it).
    static func executablePath() -> String {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        return n > 0 ? String(decoding: buffer[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self) : CommandLine.arguments[0]
    }

    static func colorEnabled(_ mode: LaunchOptions.ColorMode, environment: [String: String], piped: Bool) -> Bool {
        switch mode {
        case .always: return true
        case .never: return false
        case .auto:
            if let noColor = environment["NO_COLOR"], !noColor.isEmpty { return false }
            if environment["TERM"] == "dumb" || piped { return false }
            return isatty(1) != 0
        }
    }
}

extension ReadResult {
    var lineText: String? {
        if case .line(let text) = self { return text }
        return nil
    }
}

/// An HTTP server of the network edge, as commands hold it.
final class RunningServer: NetworkServer {
    let server: HTTPServer
    init(_ server: HTTPServer) { self.server = server }
    var baseURL: String { server.baseURL }
    func stop() { server.stop() }
}
