/// What reading one line produced.
public enum ReadResult: Equatable {
    case line(String)
    /// Ctrl-C at the prompt: the half-typed line is dropped.
    case interrupted
    case eof
}

/// A source of input lines: the libedit editor on a terminal, or plain text from a pipe or script.
public protocol LineReader: AnyObject {
    func readLine(prompt: String) -> ReadResult
}
