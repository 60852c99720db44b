/// Feeds lines from any source through the input assembler and runs each complete input.
public struct Runner {
    public let session: Session
    public let keepGoing: Bool
    /// Called after each input runs (flushes output, records history).
    public var afterEach: (Input, Execution) -> Void = { _, _ in }

    public init(session: Session, keepGoing: Bool, afterEach: @escaping (Input, Execution) -> Void = { _, _ in }) {
        self.session = session
        self.keepGoing = keepGoing
        self.afterEach = afterEach
    }

    /// Runs a command script's lines (`source`, `callscope test`), naming FILE:LINE on failures.
    public func runScript(lines: [String], name: String) -> ExitStatus {
        // A script's words are in its file, not in the process's argument list.
        let visible = session.commandsInArguments
        session.commandsInArguments = false
        defer { session.commandsInArguments = visible }
        var iterator = lines.makeIterator()
        var lineNumber = 0
        return runAll(from: {
            guard let line = iterator.next() else { return nil }
            lineNumber += 1
            return line
        }, location: { "\(name):\(lineNumber)" })
    }

    /// Runs every complete input in `text`. A multi-line paste whose first line is a command
    /// without a body continues with its remaining lines as further input.
    /// Returns the execution of the last input run, or nil if the text did not complete one.
    public func feed(_ text: String, into assembler: inout InputAssembler) -> Execution? {
        var last: Execution?
        var pending = [text]
        while !pending.isEmpty {
            guard let input = assembler.feed(pending.removeFirst()) else { continue }
            let execution = Interpreter.execute(input, in: session)
            afterEach(input, execution)
            last = execution
            if execution.quit || (execution.status != .ok && !keepGoing) { break }
            if let rest = execution.leftover { pending.insert(rest, at: 0) }
        }
        return last
    }

    /// Runs all lines from `reader` until EOF, `quit`, or (unless keepGoing) the first failure.
    /// `location` names the source for error messages ("script.cs:3").
    public func runAll(from reader: () -> String?, location: (() -> String)? = nil) -> ExitStatus {
        var assembler = InputAssembler(continues: session.inputContinues)
        var status = ExitStatus.ok
        while let line = reader() {
            guard let execution = feed(line, into: &assembler) else { continue }
            if execution.status != .ok {
                status = execution.status
                if let location { session.output.err("  at \(location())\n") }
                if !keepGoing { return status }
            }
            if execution.quit { return status }
        }
        if let reason = assembler.pendingReason {
            Interpreter.report(CommandError(.usage, "incomplete input at end: \(reason)"), session: session)
            return .usage
        }
        return status
    }
}
