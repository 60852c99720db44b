import FoundationEssentials
import Glibc

/// Where plugins come from, in override order: bundled, `CALLSCOPE_PLUGINS`, the user's data
/// folder, then `--plugins` folders. A later plugin with the same id replaces an earlier one.
public struct PluginRoot: Equatable, Sendable {
    public enum Origin: String, Sendable { case bundled, environment, user, commandLine = "command line" }
    public var path: String
    public var origin: Origin

    public init(path: String, origin: Origin) {
        self.path = path
        self.origin = origin
    }
}

public enum PluginLocator {
    /// The folders to search, existing ones only, duplicates (same real path) removed.
    public static func roots(executablePath: String, environment: [String: String], extra: [String]) -> [PluginRoot] {
        var candidates: [PluginRoot] = []
        if let bundled = bundledRoot(executablePath: executablePath) { candidates.append(PluginRoot(path: bundled, origin: .bundled)) }
        for path in (environment["CALLSCOPE_PLUGINS"] ?? "").split(separator: ":") where !path.isEmpty {
            candidates.append(PluginRoot(path: String(path), origin: .environment))
        }
        if let data = environment["XDG_DATA_HOME"].flatMap({ $0.hasPrefix("/") ? $0 : nil })
            ?? environment["HOME"].map({ $0 + "/.local/share" }) {
            candidates.append(PluginRoot(path: data + "/callscope/plugins", origin: .user))
        }
        for path in extra { candidates.append(PluginRoot(path: path, origin: .commandLine)) }
        var seen = Set<String>()
        return candidates.filter { root in
            guard isDirectory(root.path) else { return root.origin == .commandLine }
            return seen.insert(realPath(root.path)).inserted
        }
    }

    /// `plugins/` next to the executable, in `../share/callscope/`, or in the source tree above it.
    static func bundledRoot(executablePath: String) -> String? {
        var dir = parent(realPath(executablePath))
        for candidate in [dir + "/plugins", parent(dir) + "/share/callscope/plugins"] where isDirectory(candidate) {
            return candidate
        }
        while dir != "/" && !dir.isEmpty {
            if FileManager.default.fileExists(atPath: dir + "/Package.swift"), isDirectory(dir + "/plugins") {
                return dir + "/plugins"
            }
            dir = parent(dir)
        }
        return nil
    }

    /// Plugin folders (those holding a plugin.lua) directly inside `root`, sorted.
    public static func pluginFolders(in root: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: root)) ?? []
        return names.sorted().map { root + "/" + $0 }.filter { FileManager.default.fileExists(atPath: $0 + "/plugin.lua") }
    }

    /// stat(2) directly: FileManager's attribute lookup also reads the user and group databases.
    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    static func realPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
