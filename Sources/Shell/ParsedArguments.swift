import TextSupport
/// A command's words split into positionals and flags against its `CommandSpec`.
public struct ParsedArguments: Equatable {
    public var positionals: [String]
    /// Flag values by name; a boolean flag has the value "true". Repeated flags keep every value.
    public var flags: [String: [String]]
    /// Whether any sensitive flag was used.
    public var usedSensitive: Bool

    public init(positionals: [String] = [], flags: [String: [String]] = [:], usedSensitive: Bool = false) {
        self.positionals = positionals
        self.flags = flags
        self.usedSensitive = usedSensitive
    }

    public func has(_ flag: String) -> Bool { flags[flag] != nil }
    public func value(_ flag: String) -> String? { flags[flag]?.last }
    public func values(_ flag: String) -> [String] { flags[flag] ?? [] }

    /// Parses `tokens` (the words after the command name). `--` ends flags; a lone `-` and
    /// negative numbers are positionals; `--name=value` and `--name value` are both accepted.
    public static func parse(_ tokens: [Token], for spec: CommandSpec) throws(CommandError) -> ParsedArguments {
        var result = ParsedArguments()
        var i = 0
        var flagsEnded = false
        while i < tokens.count {
            let token = tokens[i]
            let word = token.text
            i += 1
            if flagsEnded || word == "-" || !word.hasPrefix("-") || isNumber(word) {
                result.positionals.append(word)
                continue
            }
            if word == "--" { flagsEnded = true; continue }
            var name: String
            var inlineValue: String?
            var flag: FlagSpec?
            if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                if let eq = body.firstIndex(of: "=") {
                    name = String(body[..<eq])
                    inlineValue = String(body[body.index(after: eq)...])
                } else {
                    name = String(body)
                }
                flag = spec.flag(named: name)
            } else {
                let body = word.dropFirst()
                guard body.count == 1, let f = spec.flag(short: body.first!) else {
                    throw unknownFlag(word, spec: spec)
                }
                flag = f
                name = f.name
            }
            guard let flag else { throw unknownFlag(word, spec: spec) }
            if flag.sensitive { result.usedSensitive = true }
            let value: String
            if flag.takesValue {
                if let inlineValue {
                    value = inlineValue
                } else {
                    guard i < tokens.count else {
                        throw CommandError.usage("--\(flag.name) needs a value", hint: "usage: \(spec.synopsis)")
                    }
                    value = tokens[i].text
                    i += 1
                }
            } else {
                guard inlineValue == nil else { throw CommandError.usage("--\(flag.name) takes no value") }
                value = "true"
            }
            if result.flags[flag.name] != nil, !flag.repeatable, flag.takesValue {
                throw CommandError.usage("--\(flag.name) given more than once")
            }
            result.flags[flag.name, default: []].append(value)
        }
        return result
    }

    private static func isNumber(_ word: String) -> Bool {
        word.count > 1 && word.dropFirst().allSatisfy { $0.isNumber || $0 == "." }
    }

    private static func unknownFlag(_ word: String, spec: CommandSpec) -> CommandError {
        let names = spec.allFlags.map { "--" + $0.name }
        let near = EditDistance.suggestions(for: word, among: names, limit: 1)
        let hint = near.first.map { "did you mean \($0)?" } ?? "see 'help \(spec.name)'"
        return CommandError.usage("unknown flag \(word) for '\(spec.name)'", hint: hint)
    }

    /// Checks the positional count against the spec.
    public func checkArity(_ spec: CommandSpec) throws(CommandError) {
        let required = spec.arguments.filter { !$0.optional }.count
        let variadic = spec.arguments.contains { $0.variadic }
        if positionals.count < required {
            let missing = spec.arguments.filter { !$0.optional }[positionals.count].name.uppercased()
            throw CommandError.usage("missing \(missing)", hint: "usage: \(spec.synopsis)")
        }
        if !variadic, positionals.count > spec.arguments.count {
            throw CommandError.usage("unexpected argument '\(positionals[spec.arguments.count])'",
                                     hint: "usage: \(spec.synopsis)")
        }
    }
}
