import Adapters
import FoundationEssentials
import Testing

/// plugins/README.md documents every key the validator accepts, so a plugin author never meets a
/// key that is checked but not described.
@Suite struct SchemaDocumentationTests {
    @Test(arguments: SchemaSection.allCases)
    func everyAcceptedKeyIsDocumented(_ section: SchemaSection) throws {
        let readme = String(decoding: try #require(FileManager.default.contents(atPath: BundledPluginTests.pluginsFolder + "/README.md")), as: UTF8.self)
        let missing = section.keyList.filter { key in
            !readme.contains("`\(key)`") && !readme.contains("\(key) = ") && !readme.contains("`\(key)?`") && !readme.contains(" \(key)?")
                && !readme.contains("{ \(key),") && !readme.contains(", \(key),") && !readme.contains(", \(key) }")
        }
        #expect(missing.isEmpty, "plugins/README.md does not document \(section.rawValue) keys: \(missing.joined(separator: ", "))")
    }
}
