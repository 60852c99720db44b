import Signing
import FoundationEssentials
import Glibc

/// Writes plugin folders into a fresh temporary root for one test.
struct PluginFixtures {
    let root: String

    init() {
        var template = Array("/tmp/callscope-plugins-XXXXXX".utf8CString)
        root = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)!) }
    }

    /// Creates `<root>/<folder>/<file>` with `source`.
    @discardableResult
    func write(_ folder: String, _ source: String, file: String = "plugin.lua") -> String {
        let dir = root + "/" + folder
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + file
        FileManager.default.createFile(atPath: path, contents: Data(source.utf8))
        return path
    }

    /// A minimal valid plugin whose `sign` body is `signBody` (Lua statements returning a table).
    func minimal(_ id: String, extra: String = "", signBody: String? = nil) -> String {
        var text = "return {\n  schema = 1, id = \"\(id)\", name = \"\(id) test\",\n"
        text += extra
        if let signBody { text += "  sign = function(req, cred)\n\(signBody)\n  end,\n" }
        text += "}\n"
        return text
    }

    /// The 1-based line of the first line of `path` that contains `text`.
    func lineOf(_ text: String, in path: String) -> Int {
        let source = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        return (source.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains(text) } ?? -1) + 1
    }
}
