import Adapters
import Shell
import Workbench

extension Session {
    /// The session's credentials, shared with the servers it starts.
    public var credentialStore: CredentialStore { shared { CredentialStore() } }
}

enum CredentialResolver {
    /// Resolves `--cred` flags, fills the rest from the session or a prompt, and remembers them.
    /// `required` names must end up present.
    static func resolve(_ flags: [String], for adapter: Adapter, session: Session, required: [String]) throws(CommandError) -> [String: String] {
        let store = session.credentialStore
        for flag in flags {
            let (name, value) = try CommandError.wrap { () throws(WorkbenchError) in try CredentialReference.parse(flag, for: adapter) }
            store.set(adapter.id, name, value)
            if adapter.credentials.first(where: { $0.name == name })?.secret == true {
                session.addSecret(value, name: name)
                if session.commandsInArguments, CredentialReference.isInline(String(flag.drop { $0 != "=" }.dropFirst())) {
                    session.output.err("warning: --cred \(name)=… on the command line can be read by anyone on this machine "
                                       + "(the process list); use \(name)=env:VAR, \(name)=file:PATH or the shell's prompt\n")
                }
            }
        }
        var credentials = store.get(adapter.id)
        for name in required where credentials[name] == nil {
            let secret = adapter.credentials.first { $0.name == name }?.secret ?? false
            // Key ids and app ids are not secret: their prompt echoes what is typed.
            let ask = secret ? session.readSecret : (session.readLine ?? session.readSecret)
            guard let read = ask?("\(adapter.id) \(name)\(secret ? " (not echoed)" : ""): "), !read.isEmpty else {
                throw CommandError.usage("missing credential \(name) for \(adapter.id)",
                                         hint: "give --cred \(name)=VALUE (VALUE may be env:VAR or file:PATH)")
            }
            store.set(adapter.id, name, read)
            if secret { session.addSecret(read, name: name) }
            credentials[name] = read
        }
        return credentials
    }
}

extension CommandError {
    /// The one place a use-case's error becomes an exit status.
    init(_ error: WorkbenchError) {
        let status: ExitStatus
        switch error.kind {
        case .usage: status = .usage
        case .data: status = .dataError
        case .negative: status = .negative
        case .config: status = .config
        case .interrupted: status = .interrupted
        case .unavailable: status = .unavailable
        }
        self.init(status, error.message, context: error.context, hint: error.hint)
    }

    /// Runs a use-case, turning its error into a command error.
    static func wrap<T>(_ body: () throws(WorkbenchError) -> T) throws(CommandError) -> T {
        do { return try body() } catch { throw CommandError(error) }
    }
}
