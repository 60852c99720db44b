import Signing

/// What host functions need from the outside: plugin folders for `require`, the clock, the trace.
/// Reached from Lua through the state's extra space; used on the calling thread only.
final class HostContext {
    /// Folders `require` may read from (each holds plugin folders).
    var moduleRoots: [String]
    /// Current time in milliseconds since the epoch (pinned by tests and `--now`).
    var clock: () -> Int64
    /// Steps recorded while a traced call runs; nil when not tracing.
    var trace: [TraceStep]?
    /// Also record every primitive call (md5, hmac, hex, …), not only `cs.step`.
    var tracePrimitives = false
    /// For user scripts only: runs a shell command and returns its JSON document (`cs.exec`).
    var exec: ((String) -> String)?
    /// For user scripts only: where `print` writes.
    var print: ((String) -> Void)?

    init(moduleRoots: [String], clock: @escaping () -> Int64) {
        self.moduleRoots = moduleRoots
        self.clock = clock
    }

    func record(_ name: String, _ value: String) {
        guard trace != nil else { return }
        trace!.append(TraceStep(name: name, value: value))
    }

    func recordPrimitive(_ name: String, _ value: @autoclosure () -> String) {
        guard tracePrimitives, trace != nil else { return }
        trace!.append(TraceStep(name: name, value: value()))
    }
}
