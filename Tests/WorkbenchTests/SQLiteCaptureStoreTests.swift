import Captures
import Glibc
import Testing
import Wire
import Workbench

@Suite struct SQLiteCaptureStoreTests {
    /// Concurrent appends are committed in batches; each must get the id of its own row.
    @Test func everyAppendGetsTheIDOfItsOwnRow() async throws {
        var template = Array("/tmp/callscope-store-XXXXXX".utf8CString)
        let folder = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        defer { _ = system("rm -rf '\(folder)'") }
        let store = try await SQLiteCaptureStore.open(path: folder + "/captures.sqlite3")
        // Rows written before: the batch's ids do not start at 1.
        _ = try await store.append(Capture(receivedAt: 1, peer: "earlier", request: HTTPMessage(kind: .request, method: "POST", target: "/", headers: [], body: [])))
        let appended = try await withThrowingTaskGroup(of: (Int64, Int).self) { group in
            for n in 0..<400 {
                group.addTask {
                    let request = HTTPMessage(kind: .request, method: "POST", target: "/hook/\(n)", headers: [("X-N", "\(n)")], body: Array("{\"n\":\(n)}".utf8))
                    return (try await store.append(Capture(receivedAt: Int64(n), peer: "p\(n)", request: request, summary: "delivery \(n)")), n)
                }
            }
            var out: [(Int64, Int)] = []
            for try await pair in group { out.append(pair) }
            return out
        }
        #expect(Set(appended.map(\.0)).count == 400)
        for (id, n) in appended {
            let stored = try await store.get(id)
            #expect(stored?.summary == "delivery \(n)" && stored?.request.target == "/hook/\(n)" && stored?.request.body == Array("{\"n\":\(n)}".utf8),
                    "capture \(id) holds \(stored?.summary ?? "nothing"), expected delivery \(n)")
        }
        await store.close()
    }
}
