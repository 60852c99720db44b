import Adapters
import Glibc
import JSONText

/// A named set of vendor, base URL and credentials from `config.toml`:
///
///     [profile.staging]
///     vendor = "nxlink"
///     base_url = "https://api-hk.nxlink.ai"
///     accessKey = "AK-1"
///     accessSecret = "env:NX_SECRET"
public struct Profile: Sendable, Equatable {
    public var name: String
    public var vendor: String
    public var baseURL: String?
    public var region: String?
    /// Credential values as written: `env:VAR`, `file:PATH`, or the value itself.
    public var credentials: [String: String]
}

/// The profiles of `$XDG_CONFIG_HOME/callscope/config.toml`, read once per session on first use.
public struct ProfileFile: Sendable {
    public var path: String
    public var profiles: [Profile]
    /// Things to tell the user (a plain secret in a file others can read).
    public var warnings: [String]

    public static func defaultPath(environment: [String: String]) -> String {
        let base = environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "") + "/.config")
        return base + "/callscope/config.toml"
    }

    /// nil when the file does not exist.
    public static func load(path: String, environment: [String: String], adapters: [Adapter]) throws(ConfigError) -> ProfileFile? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let document = try TOMLReader.read(path: path, environment: environment)
        var file = ProfileFile(path: path, profiles: [], warnings: [])
        guard case .object(let top)? = document["profile"] else { return file }
        let readableByOthers = info.st_mode & (S_IRGRP | S_IROTH) != 0
        for member in top {
            guard case .object(let fields) = member.value else { throw ConfigError("\(path): profile.\(member.key) must be a table") }
            var values: [String: String] = [:]
            for field in fields {
                guard case .string(let text) = field.value else { throw ConfigError("\(path): profile.\(member.key).\(field.key) must be a string") }
                values[field.key] = text
            }
            guard let vendor = values.removeValue(forKey: "vendor") else {
                throw ConfigError("\(path): profile.\(member.key) has no vendor", hint: "add vendor = \"ADAPTER\" (see 'plugins')")
            }
            guard let adapter = adapters.first(where: { $0.id == vendor }) else {
                throw ConfigError("\(path): profile.\(member.key): no adapter '\(vendor)'", hint: "adapters: \(adapters.map(\.id).joined(separator: ", "))")
            }
            let baseURL = values.removeValue(forKey: "base_url")
            let region = values.removeValue(forKey: "region")
            for name in values.keys.sorted() {
                guard let credential = adapter.credentials.first(where: { $0.name == name }) else {
                    throw ConfigError("\(path): profile.\(member.key): \(vendor) has no credential '\(name)'",
                                      hint: "its credentials: \(adapter.credentials.map(\.name).joined(separator: ", ")); also vendor, base_url, region")
                }
                let value = values[name]!
                if credential.secret, readableByOthers, !value.hasPrefix("env:"), !value.hasPrefix("file:") {
                    file.warnings.append("\(path) holds profile.\(member.key).\(name) as plain text and others can read the file: chmod 600 it, or use env:VAR / file:PATH")
                }
            }
            file.profiles.append(Profile(name: member.key, vendor: vendor, baseURL: baseURL, region: region, credentials: values))
        }
        return file
    }

    public func profile(_ name: String) -> Profile? { profiles.first { $0.name == name } }
}
