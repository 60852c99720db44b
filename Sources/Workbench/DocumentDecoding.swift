import Inspect
import JSONText
import Signing
import TextSupport
import Wire

/// One decoded document: its records, the HTTP message around them, and the signature verdict
/// when the message carried one and the secrets are known.
public struct DecodedDocument: Sendable {
    public var records: [DecodedRecord]
    public var message: HTTPMessage?
    public var verification: Verification?
    /// For a document no adapter recognises as a record: a vendor's reply or a request body it fits.
    public var origins: [PayloadOrigin] = []

    /// Warnings in a record (an unrecognised one is fine when it is a known reply or request
    /// body), or a signature that does not match.
    public var hasProblems: Bool {
        (origins.isEmpty && records.contains { !$0.warnings.isEmpty }) || verification?.verdict == .mismatch
    }
}

/// The "decode a document" use-case: JSON, a raw HTTP message or a curl command, as bytes.
public enum DocumentDecoding {
    public static func decode(_ input: [UInt8], origin: String, decoder: inout PayloadDecoder,
                              verifier: MessageVerifier? = nil, credentials: CredentialStore? = nil) throws(WorkbenchError) -> DecodedDocument {
        var body = input
        var message: HTTPMessage?
        let start = input.firstNonBlank()
        let trimmed = start == 0 ? input : Array(input[start...])
        if HTTPParser.looksLikeHTTP(trimmed) {
            do { message = try HTTPParser.parse(trimmed) } catch {
                throw WorkbenchError(.data, "\(origin): \(error.message)" + (error.line.map { " (line \($0))" } ?? ""))
            }
        } else if case let text = String(decoding: input, as: UTF8.self), CurlParser.looksLikeCurl(text) {
            do { message = try CurlParser.parse(text) } catch { throw WorkbenchError(.data, "\(origin): \(error.message)") }
        }
        if let message { body = message.body }
        guard body.contains(where: { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 }) else {
            throw WorkbenchError(.data, message == nil ? "\(origin) is empty: nothing to decode" : "the \(message!.kind.rawValue) has an empty body")
        }
        let value: JSONValue
        let invalidUTF8: [Int]
        do {
            (value, invalidUTF8) = try JSONParser.parseLenient(bytes: body)
        } catch {
            throw WorkbenchError(.data, "\(origin) is not valid JSON: \(error.message) at line \(error.line), column \(error.column)",
                                 context: JSONCaret.lines(body, offset: error.offset),
                                 hint: error.message.contains("truncated") ? "the body looks cut off — was it copied whole?" : nil)
        }
        var records = decoder.decode(value)
        if !invalidUTF8.isEmpty, !records.isEmpty {
            for offset in invalidUTF8 {
                let (line, column) = JSONParser.location(of: offset, in: body)
                records[0].warnings.append(DecodeWarning("invalid-utf8", "", "invalid UTF-8 in a string at line \(line), column \(column) (shown as �)"))
            }
        }
        var verification: Verification?
        if let message, let verifier, let credentials {
            verification = verifier.verifyIfPossible(message, vendor: records.first?.vendor, credentials: credentials)
        }
        var document = DecodedDocument(records: records, message: message, verification: verification)
        if records.count == 1, records[0].vendor == nil {
            document.origins = PayloadOrigin.candidates(for: value, adapters: decoder.adapters)
        }
        return document
    }
}

extension Array where Element == UInt8 {
    /// The index of the first byte at or after `start` that is not JSON whitespace (or `count`).
    public func firstNonBlank(from start: Int = 0) -> Int {
        var i = start
        while i < count, self[i] == 0x20 || self[i] == 0x0A || self[i] == 0x0D || self[i] == 0x09 { i += 1 }
        return i
    }
}

/// The line of a JSON text around a byte offset, with a caret under it.
public enum JSONCaret {
    public static func lines(_ bytes: [UInt8], offset: Int) -> [String] {
        let at = Swift.min(offset, bytes.count)
        var start = at
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        var end = at
        while end < bytes.count, bytes[end] != 0x0A { end += 1 }
        // Keep long lines readable: at most 60 characters either side of the spot.
        var line = String(decoding: bytes[start..<end], as: UTF8.self)
        var before = String(decoding: bytes[start..<at], as: UTF8.self)
        if before.count > 60 {
            let cut = before.count - 60
            line = "…" + String(line.dropFirst(cut))
            before = "…" + String(before.dropFirst(cut))
        }
        if line.count > before.count + 60 { line = String(line.prefix(before.count + 60)) + "…" }
        return [line.replacing("\r", with: ""), String(repeating: " ", count: TextWidth.of(before)) + "^"]
    }
}
