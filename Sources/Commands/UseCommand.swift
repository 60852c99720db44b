import JSONText
import Shell

/// `use VENDOR|PROFILE`: sets the session's vendor, or a config.toml profile (its vendor, base URL
/// and credentials), shown in the prompt; `use` alone clears it.
public var useCommand: CommandSpec {
    CommandSpec(
        name: "use", group: "plugins", summary: "set the vendor or profile commands default to (shown in the prompt)",
        help: """
        With an adapter id, commands that take a vendor use it when none is named. With the name of
        a profile from $XDG_CONFIG_HOME/callscope/config.toml, sign and send also take its base URL
        and credentials. With no argument, clears both.
        """,
        examples: ["use nxlink", "use staging", "use"],
        arguments: [ArgumentSpec("vendor", summary: "an adapter id (see 'plugins') or a profile name", optional: true, completion: AdapterCompletion.vendorIDs)]
    ) { context throws(CommandError) in
        let session = context.session
        guard let id = context.positional(0) else {
            session.vendor = nil
            session.profile = nil
            return .ok(Report(json: ["vendor": .null], blocks: [.text("no vendor in use", .dim)]))
        }
        if session.adapterNamed(id) == nil, let profile = try session.profiles()?.profile(id) {
            let adapter = try session.adapter(profile.vendor)
            session.vendor = adapter.id
            session.profile = profile.name
            return .ok(Report(json: ["profile": .string(profile.name), "vendor": .string(adapter.id), "base_url": profile.baseURL.map { .string($0) } ?? .null],
                              blocks: [.line([Span("using profile "), Span(profile.name, .cyan), Span(" — \(adapter.id)\(profile.baseURL.map { " at " + $0 } ?? "")", .dim)])]))
        }
        let adapter = try session.adapter(id)
        session.vendor = adapter.id
        session.profile = nil
        return .ok(Report(json: ["vendor": .string(adapter.id), "name": .string(adapter.name)],
                          blocks: [.line([Span("using "), Span(adapter.id, .cyan), Span(" — \(adapter.name)", .dim)])]))
    }
}
