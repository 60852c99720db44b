import JSONText
import TextSupport

/// Builds the reports of `help`, `help COMMAND`, `COMMAND --help` and `help TEXT` from the registry.
public enum HelpFormatter {
    public static func overview(_ registry: CommandRegistry) -> Report {
        var blocks: [Block] = []
        var groups: [String] = []
        for c in registry.commands where !groups.contains(c.group) { groups.append(c.group) }
        for group in groups {
            blocks.append(.heading(String(group.prefix(1)).uppercased() + String(group.dropFirst())))
            let rows = registry.commands.filter { $0.group == group }.map { spec -> [Span] in
                let names = ([spec.name] + spec.aliases).joining(", ")
                return [Span(names, .cyan), Span(spec.summary)]
            }
            blocks.append(.table(Table(headers: [], rows: rows)))
            blocks.append(.blank)
        }
        blocks.append(.text("'help COMMAND' for details, 'help TEXT' to search; any unique prefix runs a command.", .dim))
        return Report(json: ["commands": .array(registry.commands.map(summaryJSON))], blocks: blocks)
    }

    public static func detail(_ spec: CommandSpec) -> Report {
        var blocks: [Block] = [.line([Span("usage: ", .bold), Span(spec.synopsis)]), .text(spec.summary)]
        if !spec.help.isEmpty {
            blocks.append(.blank)
            blocks.append(.indented(spec.help.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)))
        }
        if !spec.arguments.isEmpty {
            blocks.append(.blank)
            blocks.append(.heading("Arguments"))
            blocks.append(.pairs(spec.arguments.map { ($0.name.uppercased(), [Span($0.summary)]) }))
        }
        blocks.append(.blank)
        blocks.append(.heading("Flags"))
        blocks.append(.pairs(spec.allFlags.map { flag in
            var name = "--" + flag.name
            if let s = flag.short { name = "-\(s), " + name }
            if case .value(let placeholder) = flag.kind { name += " " + placeholder }
            return (name, [Span(flag.summary)])
        }))
        if !spec.examples.isEmpty {
            blocks.append(.blank)
            blocks.append(.heading("Examples"))
            blocks.append(.indented(spec.examples))
        }
        if !spec.aliases.isEmpty {
            blocks.append(.blank)
            blocks.append(.text("aliases: " + spec.aliases.joined(separator: ", "), .dim))
        }
        var json = summaryJSON(spec)
        if case .object(var members) = json {
            members.append(JSONMember("help", .string(spec.help)))
            members.append(JSONMember("flags", .array(spec.allFlags.map { flag in
                ["name": .string(flag.name), "takesValue": .bool(flag.takesValue), "summary": .string(flag.summary)]
            })))
            members.append(JSONMember("arguments", .array(spec.arguments.map { arg in
                ["name": .string(arg.name), "optional": .bool(arg.optional), "summary": .string(arg.summary)]
            })))
            members.append(JSONMember("examples", .array(spec.examples.map { .string($0) })))
            json = .object(members)
        }
        return Report(json: json, blocks: blocks)
    }

    public static func searchResults(_ text: String, _ found: [CommandSpec]) -> Report {
        let rows = found.map { [Span($0.name, .cyan), Span($0.summary)] }
        let blocks: [Block] = [.text("commands about '\(text)':"), .table(Table(headers: [], rows: rows))]
        return Report(json: ["query": .string(text), "commands": .array(found.map(summaryJSON))], blocks: blocks)
    }

    static func summaryJSON(_ spec: CommandSpec) -> JSONValue {
        [
            "name": .string(spec.name),
            "aliases": .array(spec.aliases.map { .string($0) }),
            "group": .string(spec.group),
            "summary": .string(spec.summary),
            "usage": .string(spec.synopsis),
        ]
    }
}
