import Foundation
import Testing

/// The alibaba-aiccs signatures agree with Alibaba's own SDK code on random inputs
/// (bench/crosscheck_alibaba.py; skipped when the SDK packages are not installed).
@Suite struct CrossCheckTests {
    static var sdkAvailable: Bool {
        let probe = Process()
        probe.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        probe.arguments = ["python3", "-c", "import alibabacloud_openapi_util, aliyunsdkcore"]
        probe.standardOutput = FileHandle.nullDevice
        probe.standardError = FileHandle.nullDevice
        guard (try? probe.run()) != nil else { return false }
        probe.waitUntilExit()
        return probe.terminationStatus == 0
    }

    @Test(.enabled(if: sdkAvailable, "Alibaba SDK packages not installed (scripts/bootstrap installs them)"))
    func alibabaSignaturesAgreeWithTheOfficialSDK() throws {
        var root = #filePath
        for _ in 0..<3 { root = String(root[..<root.lastIndex(of: "/")!]) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", root + "/bench/crosscheck_alibaba.py", "200", "--binary", Harness.binary]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = out
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("200 passed, 0 failed"), "\(text)")
    }
}
