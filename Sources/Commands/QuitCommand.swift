import Shell

/// `quit` / `exit`: leaves the shell, history saved.
public var quitCommand: CommandSpec {
    CommandSpec(
    name: "quit", aliases: ["exit"], summary: "leave the shell (Ctrl-D does the same)"
) { _ throws(CommandError) in
    Outcome(status: .ok, report: nil, quit: true)
}
}
