import Adapters
import Config
import FoundationEssentials
import Shell
import Workbench

/// The session's config.toml profiles, read on first use.
final class LoadedProfiles {
    let file: ProfileFile?
    init(file: ProfileFile?) { self.file = file }
}

extension Session {
    /// The profiles file (nil when there is none); its warnings are printed once.
    func profiles() throws(CommandError) -> ProfileFile? {
        if let loaded = service(LoadedProfiles.self) { return loaded.file }
        let environment = ProcessInfo.processInfo.environment
        let path = environment["CALLSCOPE_CONFIG"] ?? ProfileFile.defaultPath(environment: environment)
        let file: ProfileFile?
        do { file = try ProfileFile.load(path: path, environment: environment, adapters: adapters) } catch {
            throw CommandError(.config, error.message, hint: error.hint)
        }
        register(LoadedProfiles(file: file))
        for warning in file?.warnings ?? [] { output.err("warning: \(warning)\n") }
        return file
    }

    func profile(named name: String) throws(CommandError) -> Profile {
        guard let file = try profiles() else {
            throw CommandError(.config, "no profile '\(name)': there is no \(ProfileFile.defaultPath(environment: ProcessInfo.processInfo.environment))",
                               hint: "create it with [profile.\(name)] vendor = \"…\", base_url = \"…\" and the credentials")
        }
        guard let profile = file.profile(name) else {
            throw CommandError(.config, "no profile '\(name)' in \(file.path)",
                               hint: file.profiles.isEmpty ? "it defines no [profile.NAME] table" : "profiles: \(file.profiles.map(\.name).joined(separator: ", "))")
        }
        return profile
    }

    /// Puts a profile's credentials in the store (references resolved), without overriding ones
    /// given on the command line.
    func applyCredentials(of profile: Profile, adapter: Adapter, except given: Set<String>) throws(CommandError) {
        for (name, written) in profile.credentials where !given.contains(name) {
            let value = try CommandError.wrap { () throws(WorkbenchError) in try CredentialReference.dereference(written, name: name) }
            credentialStore.set(adapter.id, name, value)
            if adapter.credentials.first(where: { $0.name == name })?.secret == true { addSecret(value, name: name) }
        }
    }
}
