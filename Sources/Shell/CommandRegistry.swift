import TextSupport
/// All commands of a session. Help, prefix execution, "did you mean" and completion derive from it.
public struct CommandRegistry {
    public private(set) var commands: [CommandSpec] = []

    public init(_ commands: [CommandSpec] = []) {
        for c in commands { register(c) }
    }

    /// Adds a command, replacing one with the same name.
    public mutating func register(_ spec: CommandSpec) {
        commands.removeAll { $0.name == spec.name }
        commands.append(spec)
    }

    public enum Resolution {
        case found(CommandSpec)
        case ambiguous([String])
        case unknown(suggestions: [String])
    }

    /// Every name and alias.
    public var allNames: [String] { commands.flatMap { [$0.name] + $0.aliases }.sorted() }

    public func command(named name: String) -> CommandSpec? {
        commands.first { $0.name == name || $0.aliases.contains(name) }
    }

    /// Exact name or alias first, then a unique prefix; otherwise near names.
    public func resolve(_ word: String) -> Resolution {
        if let exact = command(named: word) { return .found(exact) }
        let matches = commands.filter { spec in ([spec.name] + spec.aliases).contains { $0.hasPrefix(word) } }
        if matches.count == 1 { return .found(matches[0]) }
        if matches.count > 1 { return .ambiguous(matches.map(\.name).sorted()) }
        return .unknown(suggestions: EditDistance.suggestions(for: word, among: allNames))
    }

    /// Commands whose name, summary, help or flags mention every word of `text`.
    public func search(_ text: String) -> [CommandSpec] {
        let words = text.lowercased().split(separator: " ").map(String.init)
        return commands.filter { spec in
            let haystack = ([spec.name, spec.summary, spec.help] + spec.aliases + spec.examples
                + spec.flags.map { $0.name + " " + $0.summary }).joined(separator: " ").lowercased()
            return words.allSatisfy { haystack.contains($0) }
        }
    }
}
