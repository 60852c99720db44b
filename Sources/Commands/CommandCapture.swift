import JSONText
import Shell

/// Runs one command line quietly and keeps its JSON document as a value: what `cs.exec` returns
/// to a script and what `let NAME = COMMAND …` stores. A stream of documents is a list; a failed
/// command is `{ error = message, status = exit status }`.
enum CommandCapture {
    struct Captured {
        var value: JSONValue
        var status: ExitStatus
        /// What the command wrote on stderr (its error line, warnings).
        var errors: String
        /// The command failed without a document of its own: `value` is only `{ error, status }`.
        var failed = false
    }

    static func run(_ line: String, in session: Session) -> Captured {
        let head = line.prefix { !$0.isWhitespace }
        let withJSON = head + " --json" + line.dropFirst(head.count)
        var out = ""
        var err = ""
        let saved = session.output
        session.output = OutputSink(out: { out += $0 }, err: { err += $0 })
        let execution = Interpreter.execute(Input(text: String(withJSON)), in: session)
        session.output = saved
        guard execution.status == .ok || !out.isEmpty else {
            let message = err.split(separator: "\n").first.map { String($0.dropFirst($0.hasPrefix("error: ") ? 7 : 0)) } ?? "failed"
            return Captured(value: ["error": .string(message), "status": .int(execution.status.rawValue)], status: execution.status, errors: err, failed: true)
        }
        guard let values = try? JSONParser.parseSequence(bytes: Array(out.utf8)), !values.isEmpty else {
            return Captured(value: .null, status: execution.status, errors: err, failed: execution.status != .ok)
        }
        // A failed command's error document becomes { error = message, status = … }.
        if values.count == 1, case .object(let members) = values[0], members.count == 1, case .object(let error) = members[0].value,
           members[0].key == "error" {
            return Captured(value: ["error": error.first { $0.key == "message" }?.value ?? .string("failed"),
                                    "status": .int(execution.status.rawValue)], status: execution.status, errors: err, failed: true)
        }
        return Captured(value: values.count == 1 ? values[0] : .array(values), status: execution.status, errors: err)
    }
}
