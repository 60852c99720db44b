import Dispatch
import Glibc
import JSONText
import Shell

/// `echo [--after SECONDS] TEXT…`: prints text now, or later in the background (a reminder),
/// above the prompt without disturbing what is being typed.
public var echoCommand: CommandSpec {
    CommandSpec(
        name: "echo", summary: "print text (after expansion), now or later as a background reminder",
        help: """
        Prints its words joined by spaces, after quote removal and $NAME expansion — handy to check
        what a variable holds. With --after, returns at once and prints the text later, above the
        prompt, leaving the line being typed intact (in scripts it waits, then prints).
        """,
        examples: ["echo $task", "echo --after 300 \"re-run the failed batch\""],
        flags: [FlagSpec("after", .value(placeholder: "SECONDS"), summary: "print later, in the background")],
        arguments: [ArgumentSpec("text", summary: "words to print", optional: true, variadic: true)]
    ) { context throws(CommandError) in
        let text = context.positionals.joined(separator: " ")
        guard let after = context.arguments.value("after") else {
            return .ok(Report(json: ["text": .string(text)], blocks: [.text(text)]))
        }
        guard let seconds = Double(after), seconds >= 0, seconds <= 86_400 else {
            throw CommandError.usage("--after takes a number of seconds from 0 to 86400, not '\(after)'")
        }
        if context.session.interactive {
            let notify = context.session.notify
            DispatchQueue.global().asyncAfter(deadline: .now() + seconds) { notify(text) }
            return .ok(Report(json: ["text": .string(text), "after": .double(seconds)], blocks: []))
        }
        var remaining = seconds
        while remaining > 0, !context.session.interruptRequested() {
            usleep(UInt32(min(remaining, 0.1) * 1_000_000))
            remaining -= 0.1
        }
        if context.session.interruptRequested() { throw CommandError(.interrupted, "interrupted") }
        return .ok(Report(json: ["text": .string(text)], blocks: [.text(text)]))
    }
}
