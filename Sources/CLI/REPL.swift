import CTerminal
import FoundationEssentials
import Glibc
import LineEditor
import Shell

/// The interactive loop on a terminal.
struct REPL {
    let session: Session
    let out: OutputWriter
    let environment: [String: String]

    func run() -> ExitStatus {
        session.history.load()
        let registry = session.registry
        guard let reader = EditLineReader(programName: "callscope", historyEntries: session.history.entries,
                                          historySize: session.history.limit,
                                          complete: { [session] text in
                                              Completer.complete(text, session: session, registry: registry)
                                          }) else {
            let reason = EditLineReader.loadLibrary().map { ": \($0) (libedit2 is needed for the shell; scripts and -c work without it)" } ?? ""
            session.output.err("callscope: cannot start the line editor\(reason)\n")
            return .internalError
        }
        session.history.onAdd = { reader.addHistory($0) }
        session.history.onClear = { reader.clearHistory() }
        session.readSecret = { readWithoutEcho(prompt: $0) }
        session.readLine = { [reader] in reader.readLine(prompt: $0).lineText }
        session.editText = { [environment] in ExternalEditor.edit($0, environment: environment) }
        session.notify = { [reader] in reader.printAbove($0) }
        let renderer = HumanRenderer(color: session.color)
        session.output.out(renderer.paint(Span("callscope \(App.version) — 'help' lists commands, Tab completes, Ctrl-D quits\n", .dim)))
        out.flush()

        let runner = Runner(session: session, keepGoing: true, afterEach: { input, execution in
            out.flush()
            var entry = input.text
            if let body = input.heredoc { entry += "\n" + body.trimmingTrailingNewline() }
            if !execution.persistInHistory { session.history.markSensitive(entry) }
            session.history.add(entry, persist: execution.persistInHistory)
        })
        // The editor and the session refer to each other through these closures; undo that on the way out.
        defer {
            session.history.onAdd = nil
            session.history.onClear = nil
            session.readSecret = nil
            session.readLine = nil
            session.editText = nil
            session.notify = { _ in }
        }
        var assembler = InputAssembler(continues: session.inputContinues)
        while true {
            let prompt = assembler.isPending ? session.continuationPrompt : coloredPrompt(session.prompt)
            session.terminalWidth = cs_terminal_columns(1) > 0 ? Int(max(40, cs_terminal_columns(1))) : 100_000
            switch reader.readLine(prompt: prompt) {
            case .eof:
                // Ctrl-D at a continuation prompt drops the pending input; only an empty primary prompt ends the session.
                if assembler.isPending {
                    session.output.err("input discarded: \(assembler.pendingReason ?? "incomplete")\n")
                    assembler.reset()
                    out.flush()
                    continue
                }
                out.flush()
                return .ok
            case .interrupted:
                assembler.reset()
            case .line(let line):
                if let execution = runner.feed(line, into: &assembler), execution.quit {
                    out.flush()
                    return .ok
                }
            }
        }
    }

    /// The prompt with libedit's invisible-sequence markers (\u{1}) around colour codes.
    private func coloredPrompt(_ prompt: String) -> String {
        guard session.color else { return prompt }
        let name = prompt.hasSuffix("> ") ? String(prompt.dropLast(2)) : prompt
        return "\u{1}\u{1B}[1;36m\u{1}\(name)\u{1}\u{1B}[0m\u{1}> "
    }
}

extension String {
    func trimmingTrailingNewline() -> String { hasSuffix("\n") ? String(dropLast()) : self }
}
