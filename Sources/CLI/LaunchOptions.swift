import Shell

/// The process's own options (before any command words).
public struct LaunchOptions: Equatable {
    public enum ColorMode: String, Equatable { case auto, always, never }

    public var commands: [String] = []
    public var scriptPath: String?
    public var color: ColorMode = .auto
    public var pluginDirectories: [String] = []
    public var keepGoing = false
    public var noPager = false
    public var showVersion = false
    public var showHelp = false
    /// `callscope COMMAND ARGS…`: the words of a one-shot command.
    public var oneShot: [String] = []

    public static let usage = """
    usage: callscope [OPTIONS]                  interactive shell (or commands from a pipe)
           callscope [OPTIONS] COMMAND [ARGS…]  run one command and exit
           callscope [OPTIONS] -c 'COMMAND'…    run commands and exit
           callscope [OPTIONS] -f FILE          run a command script

    options:
      -c COMMAND            run COMMAND (repeatable); stops at the first failure
      -f FILE               run the commands in FILE (- for stdin)
      --keep-going          with -c, -f or a pipe: run every command even after a failure
      --color WHEN          auto (default), always or never; NO_COLOR is honoured
      --no-pager            never page long output ($PAGER, default 'less -R', on a terminal)
      --plugins DIR         load adapters from DIR too (repeatable)
      --version             print the version
      -h, --help            print this help

    exit status: 0 ok, 1 negative answer, 64 usage, 65 unparsable input, 69 network unavailable,
                 70 internal error, 78 bad configuration or plugin
    """

    public static func parse(_ arguments: [String]) throws(CommandError) -> LaunchOptions {
        var options = LaunchOptions()
        var i = 0
        func value(_ flag: String) throws(CommandError) -> String {
            guard i + 1 < arguments.count else { throw CommandError.usage("\(flag) needs a value") }
            i += 1
            return arguments[i]
        }
        while i < arguments.count {
            let word = arguments[i]
            switch word {
            case "-c": options.commands.append(try value(word))
            case "-f": options.scriptPath = try value(word)
            case "--keep-going": options.keepGoing = true
            case "--no-pager": options.noPager = true
            case "--plugins": options.pluginDirectories.append(try value(word))
            case "--version", "-V": options.showVersion = true
            case "--help", "-h": options.showHelp = true
            case "--color":
                let v = try value(word)
                guard let mode = ColorMode(rawValue: v) else {
                    throw CommandError.usage("--color takes auto, always or never, not '\(v)'")
                }
                options.color = mode
            case "--":
                options.oneShot = Array(arguments[(i + 1)...])
                return options
            default:
                if word.hasPrefix("--color=") {
                    let v = String(word.dropFirst("--color=".count))
                    guard let mode = ColorMode(rawValue: v) else {
                        throw CommandError.usage("--color takes auto, always or never, not '\(v)'")
                    }
                    options.color = mode
                } else if word.hasPrefix("--plugins=") {
                    options.pluginDirectories.append(String(word.dropFirst("--plugins=".count)))
                } else if word.hasPrefix("-"), word != "-" {
                    throw CommandError.usage("unknown option \(word)", hint: "see 'callscope --help'")
                } else {
                    options.oneShot = Array(arguments[i...])
                    return options
                }
            }
            i += 1
        }
        return options
    }
}
