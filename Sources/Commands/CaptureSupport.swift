import Dispatch
import Shell
import Synchronization
import Wire
import Workbench

/// Opens the capture store (registered by the launcher); the session keeps it open once opened.
public final class CaptureStoreService {
    public let path: String
    let open: @Sendable () async throws -> any CaptureStore
    var opened: (any CaptureStore)?
    public init(path: String, open: @escaping @Sendable () async throws -> any CaptureStore) {
        self.path = path
        self.open = open
    }

    /// Closes the store if it was opened (servers first: nothing may be writing).
    public func close() {
        guard let store = opened else { return }
        opened = nil
        _ = try? Blocking.run { await store.close() }
    }
}

extension Session {
    func captureStore() throws(CommandError) -> any CaptureStore {
        guard let service = service(CaptureStoreService.self) else { throw CommandError(.config, "this callscope keeps no captures") }
        if let store = service.opened { return store }
        let open = service.open
        do {
            let store = try Blocking.run { try await open() }
            service.opened = store
            return store
        } catch {
            throw CommandError(.config, "cannot open the capture store \(service.path): \(error)")
        }
    }

    /// `@capture:ID` as the raw HTTP request it was, for commands that take an input.
    func captureInput(_ word: String?) throws(CommandError) -> String? {
        guard let word, word.hasPrefix("@capture:") else { return nil }
        guard let id = Int64(word.dropFirst("@capture:".count)) else { throw CommandError.usage("@capture: takes a capture id, not '\(word)'") }
        let store = try captureStore()
        let capture: Capture?
        do { capture = try Blocking.run { try await store.get(id) } } catch { throw CommandError(.config, "reading capture \(id): \(error)") }
        guard let capture else { throw CommandError(.negative, "no capture \(id)", hint: "see 'captures list'") }
        return RawHTTP.text(capture.request)
    }
}

/// A request as raw HTTP/1.1 text: request line, headers in order, blank line, body.
enum RawHTTP {
    static func text(_ m: HTTPMessage) -> String {
        var text = "\(m.method ?? "POST") \(m.target ?? "/") HTTP/1.1\r\n"
        for h in m.headers { text += "\(h.name): \(h.value)\r\n" }
        return text + "\r\n" + String(decoding: m.body, as: UTF8.self)
    }
}

/// What a session leaves behind when it ends: its servers stopped, then the store closed.
public enum SessionShutdown {
    public static func run(_ session: Session) {
        session.service(RunningListener.self)?.server?.stop()
        for entry in session.service(RunningMocks.self)?.entries ?? [] { entry.server.stop() }
        session.service(CaptureStoreService.self)?.close()
    }
}
