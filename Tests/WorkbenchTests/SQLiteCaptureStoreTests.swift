@testable import Captures
import Foundation
import Glibc
import SQLiteNIO
import Testing
import Wire
import Workbench

@Suite struct SQLiteCaptureStoreTests {
    /// Concurrent appends are committed in batches; each must get the id of its own row.
    @Test func everyAppendGetsTheIDOfItsOwnRow() async throws {
        let folder = try Self.folder()
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

    /// Two stores on one file (two listeners): each gives ids from its own reserved block, so
    /// alternating appends never give an id twice, and every delivery is in the table after.
    @Test func twoWritersOnOneFileKeepEveryDelivery() async throws {
        let folder = try Self.folder()
        defer { _ = system("rm -rf '\(folder)'") }
        let path = folder + "/captures.sqlite3"
        let one = try await SQLiteCaptureStore.open(path: path)
        let two = try await SQLiteCaptureStore.open(path: path)
        var ids: [Int64: String] = [:]
        for n in 0..<20 {
            for (store, label) in [(one, "one-\(n)"), (two, "two-\(n)")] {
                let id = try await store.append(Self.capture(label))
                #expect(ids[id] == nil, "id \(id) given twice")
                ids[id] = label
            }
        }
        #expect(ids.count == 40)
        await one.close()
        await two.close()
        let again = try await SQLiteCaptureStore.open(path: path)
        for (id, label) in ids {
            #expect(try await again.get(id)?.summary == label)
        }
        // Closed stores hand back the ids they did not give: the next one goes on from the last.
        #expect(try await again.append(Self.capture("next")) == ids.keys.max()! + 1)
        await again.close()
        #expect(try Self.pendingFiles(folder).isEmpty, "a store closed cleanly leaves no pending file")
    }

    /// A process that died after acknowledging: its pending file (nobody holds its lock) is read
    /// by the next store opened on the path, up to a torn last record, and the table gets every
    /// whole record; a file whose process lives (locked) is left alone.
    @Test func theNextStoreFillsTheTableFromADeadProcesssPendingFile() async throws {
        let folder = try Self.folder()
        defer { _ = system("rm -rf '\(folder)'") }
        let path = folder + "/captures.sqlite3"
        await (try await SQLiteCaptureStore.open(path: path)).close()
        // The dead one: records written and synced, the lock let go without filling the table.
        let dead = try PendingCaptures(storePath: path, number: 0)
        let whole = try dead.write((1...3).map { Self.capture("dead-\($0)", id: Int64(9 + $0)) }, rewind: false)
        let end = try dead.write([Self.capture("torn", id: 13)], rewind: false)
        // The last record cut short, as a write the process did not live to finish.
        let fd = open(dead.path, O_RDWR)
        _ = pwrite(fd, [UInt8](repeating: 0, count: 8), 8, off_t(end - 8))
        close(fd)
        #expect(whole < end - 8)
        let deadPath = dead.path
        // A copy of its descriptor outlives it (a child another thread was starting holds one until
        // its `exec`): the file let go is still free for the next opener.
        let copy = dup(dead.fd)
        defer { close(copy) }
        dead.abandon()
        // The live one holds its lock.
        let live = try PendingCaptures(storePath: path, number: 1)
        _ = try live.write([Self.capture("alive", id: 20)], rewind: false)

        let store = try await SQLiteCaptureStore.open(path: path)
        #expect(try await store.list(vendor: nil, since: nil, limit: 10).map(\.summary) == ["dead-1", "dead-2", "dead-3"])
        #expect(try Self.pendingFiles(folder) == [String(live.path.split(separator: "/").last!)], "the dead one's file removed, the live one's kept")
        #expect(access(deadPath, F_OK) != 0)
        live.abandon()
        await store.close()
    }

    /// A capture deleted after it was filled, while its listener's pending file still held it,
    /// stays deleted when that listener dies and the next store fills the table from its file
    /// (one deleted, then all); the kept ids are let go once no pending file is left.
    @Test func aDeletedCaptureDoesNotComeBackFromADeadListenersPendingFile() async throws {
        let folder = try Self.folder()
        defer { _ = system("rm -rf '\(folder)'") }
        let path = folder + "/captures.sqlite3"
        for deleting in [[Int64(11)], [10, 11, 12]] {
            // A listener (its file held) that wrote 10–12 and filled the table with them.
            let listener = try PendingCaptures(storePath: path, number: 0)
            let captures = (10...12).map { Self.capture("c-\($0)", id: Int64($0)) }
            _ = try listener.write(captures, rewind: false)
            let store = try await SQLiteCaptureStore.open(path: path)
            let table = try await SQLiteConnection.open(storage: .file(path: path))
            let filler = try CaptureRowWriter(path: path)
            try filler.insert(captures[...], synced: false)
            filler.close()
            if deleting.count == 1 {
                #expect(try await store.delete(deleting[0]) == 1)
            } else {
                #expect(try await store.delete(nil) == 3)
            }
            await store.close()
            listener.abandon()   // it dies
            let next = try await SQLiteCaptureStore.open(path: path)
            let left = try await next.list(vendor: nil, since: nil, limit: 10).compactMap(\.id)
            #expect(left == (deleting.count == 1 ? [10, 12] : []), "after deleting \(deleting): \(left)")
            #expect(try Self.pendingFiles(folder).isEmpty)
            let kept = try await table.query("SELECT count(*) AS n FROM deleted_captures").first?.column("n")?.integer
            #expect(kept == 0, "ids of deleted captures kept with no pending file left")
            try await table.close()
            await next.close()
        }
    }

    /// A table that takes no rows (here a trigger refuses them): appends are still kept in the
    /// pending file until `maxUnfilled` wait for the table, then refused with the reason; once the
    /// table takes rows again, the kept ones are filled and appends are taken again.
    @Test func aTableThatTakesNoRowsRefusesAppendsOnceTheBacklogIsFull() async throws {
        let folder = try Self.folder()
        defer { _ = system("rm -rf '\(folder)'") }
        let path = folder + "/captures.sqlite3"
        let store = try await SQLiteCaptureStore.open(path: path, maxUnfilled: 4)
        let other = try await SQLiteConnection.open(storage: .file(path: path))
        _ = try await other.query("CREATE TRIGGER refuse BEFORE INSERT ON captures BEGIN SELECT RAISE(FAIL, 'no room'); END")
        for n in 0..<4 { _ = try await store.append(Self.capture("kept-\(n)")) }
        // Returns once the fill has tried and failed.
        #expect(try await store.list(vendor: nil, since: nil, limit: 10).isEmpty)
        do {
            _ = try await store.append(Self.capture("refused"))
            Issue.record("an append beyond the backlog was taken while the table takes no rows")
        } catch {
            #expect("\(error)".contains("the capture table takes no rows") && "\(error)".contains("no room"), "\(error)")
        }
        _ = try await other.query("DROP TRIGGER refuse")
        var taken: Int64?
        for _ in 0..<200 where taken == nil {
            taken = try? await store.append(Self.capture("after"))
            if taken == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(taken != nil, "appends not taken again once the table takes rows")
        #expect(try await store.list(vendor: nil, since: nil, limit: 10).map(\.summary) == ["kept-0", "kept-1", "kept-2", "kept-3", "after"])
        try await other.close()
        await store.close()
    }

    /// A rewound file is read from its start, under the new generation only: the older records
    /// behind the new ones (in the table already) are not read again.
    @Test func aRewoundPendingFileReadsOnlyItsNewRecords() throws {
        let folder = try Self.folder()
        defer { _ = system("rm -rf '\(folder)'") }
        let file = try PendingCaptures(storePath: folder + "/captures.sqlite3", number: 0)
        defer { file.remove() }
        _ = try file.write((1...4).map { Self.capture("old-\($0)", id: Int64($0)) }, rewind: false)
        #expect(PendingCaptures.records(try Self.contents(file.path)).map(\.summary) == ["old-1", "old-2", "old-3", "old-4"])
        _ = try file.write([Self.capture("new-5", id: 5)], rewind: true)
        _ = try file.write([Self.capture("new-6", id: 6)], rewind: false)
        let records = PendingCaptures.records(try Self.contents(file.path))
        #expect(records.map(\.summary) == ["new-5", "new-6"])
        #expect(records.map(\.id) == [5, 6])
    }

    /// Every field of a capture comes back from its record as it went in.
    @Test func aPendingRecordKeepsEveryField() {
        let capture = Capture(id: 7, receivedAt: 1_700_000_000_123, peer: "127.0.0.1:5000",
                              request: HTTPMessage(kind: .request, method: "POST", target: "/hook?x=1", headers: [("Sign", "ab"), ("ts", "1")], body: Array("{\"a\":1}".utf8)),
                              vendor: "nxlink", kind: "callRecordCallback", verdict: "mismatch", summary: "s · t", answeredStatus: 200)
        var bytes: [UInt8] = []
        PendingCaptures.frame(capture, generation: 3, into: &bytes)
        let back = PendingCaptures.records(bytes)
        #expect(back.count == 1)
        let c = back[0]
        #expect(c.id == 7 && c.receivedAt == 1_700_000_000_123 && c.peer == "127.0.0.1:5000" && c.request == capture.request
                && c.vendor == "nxlink" && c.kind == "callRecordCallback" && c.verdict == "mismatch" && c.summary == "s · t" && c.answeredStatus == 200)
        // One byte changed anywhere in the payload: not a record.
        for at in stride(from: PendingCaptures.headerSize, to: bytes.count, by: 7) {
            var damaged = bytes
            damaged[at] ^= 0x20
            #expect(PendingCaptures.records(damaged).isEmpty, "byte \(at) changed and still read")
        }
    }

    /// A capture read back from the table has every field as appended: empty strings and an
    /// empty body stay empty (not NULL), absent ones stay absent, text beyond ASCII intact.
    @Test func theTableKeepsEveryFieldOfACapture() async throws {
        let folder = try Self.folder()
        defer { _ = system("rm -rf '\(folder)'") }
        let store = try await SQLiteCaptureStore.open(path: folder + "/captures.sqlite3")
        let full = Capture(receivedAt: 1_700_000_000_123, peer: "[::1]:5000",
                           request: HTTPMessage(kind: .request, method: "POST", target: "/hook?x=1",
                                                headers: [("Sign", "ab"), ("X-Note", "通话 \"quoted\"")], body: [0, 0xFF, 0x7B, 0x0A]),
                           vendor: "nxlink", kind: "callRecordCallback", verdict: "mismatch", summary: "nxlink · 通话结束", answeredStatus: 200)
        let bare = Capture(receivedAt: 2, peer: "", request: HTTPMessage(kind: .request, method: nil, target: nil, headers: [], body: []),
                           summary: "", answeredStatus: 400)
        var ids: [Int64] = []
        for capture in [full, bare] { ids.append(try await store.append(capture)) }
        for (id, sent) in zip(ids, [full, bare]) {
            let c = try #require(try await store.get(id))
            #expect(c.id == id && c.receivedAt == sent.receivedAt && c.peer == sent.peer && c.request == sent.request
                    && c.vendor == sent.vendor && c.kind == sent.kind && c.verdict == sent.verdict && c.summary == sent.summary
                    && c.answeredStatus == sent.answeredStatus, "\(c)")
        }
        await store.close()
    }

    static func folder() throws -> String {
        var template = Array("/tmp/callscope-store-XXXXXX".utf8CString)
        return template.withUnsafeMutableBufferPointer { String(cString: mkdtemp($0.baseAddress!)) }
    }

    static func capture(_ label: String, id: Int64? = nil) -> Capture {
        Capture(id: id, receivedAt: 1, peer: label, request: HTTPMessage(kind: .request, method: "POST", target: "/", headers: [], body: Array(label.utf8)), summary: label)
    }

    static func pendingFiles(_ folder: String) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.contains(".pending-") }.sorted()
    }

    static func contents(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
