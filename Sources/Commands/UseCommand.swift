import JSONText
import Shell

/// `use VENDOR`: sets the session's vendor (shown in the prompt); `use` alone clears it.
public var useCommand: CommandSpec {
    CommandSpec(
        name: "use", group: "plugins", summary: "set the vendor commands default to (shown in the prompt)",
        help: "With no argument, clears the vendor in use. Commands that take a vendor use this one when none is named.",
        examples: ["use nxlink", "use"],
        arguments: [ArgumentSpec("vendor", summary: "an adapter id (see 'plugins')", optional: true, completion: AdapterCompletion.vendorIDs)]
    ) { context throws(CommandError) in
        guard let id = context.positional(0) else {
            context.session.vendor = nil
            return .ok(Report(json: ["vendor": .null], blocks: [.text("no vendor in use", .dim)]))
        }
        let adapter = try context.session.adapter(id)
        context.session.vendor = adapter.id
        return .ok(Report(json: ["vendor": .string(adapter.id), "name": .string(adapter.name)],
                          blocks: [.line([Span("using "), Span(adapter.id, .cyan), Span(" — \(adapter.name)", .dim)])]))
    }
}
