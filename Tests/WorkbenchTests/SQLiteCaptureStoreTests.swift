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

    /// Two stores on one file (two listeners): ids are numbered by each store, so the second
    /// one's first insert collides with the first one's rows and is numbered again.
    @Test func twoWritersOnOneFileKeepEveryDelivery() async throws {
        var template = Array("/tmp/callscope-store-XXXXXX".utf8CString)
        let folder = template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
        defer { _ = system("rm -rf '\(folder)'") }
        let path = folder + "/captures.sqlite3"
        let one = try await SQLiteCaptureStore.open(path: path)
        let two = try await SQLiteCaptureStore.open(path: path)
        func capture(_ label: String) -> Capture {
            Capture(receivedAt: 1, peer: label, request: HTTPMessage(kind: .request, method: "POST", target: "/", headers: [], body: Array(label.utf8)), summary: label)
        }
        var ids: [Int64: String] = [:]
        for n in 0..<20 {
            // Alternating: each store's next id was just taken by the other.
            for (store, label) in [(one, "one-\(n)"), (two, "two-\(n)")] {
                let id = try await store.append(capture(label))
                #expect(ids[id] == nil, "id \(id) given twice")
                ids[id] = label
            }
        }
        #expect(ids.count == 40)
        for (id, label) in ids {
            #expect(try await one.get(id)?.summary == label)
        }
        await one.close()
        await two.close()
    }
}
