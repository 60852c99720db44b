import Adapters
import Glibc
import Inspect
import JSONText
import Shell
import Wire
import Workbench

/// `decode [INPUT|@file|-]`: detect the vendor and payload, annotate every field, flag problems.
public var decodeCommand: CommandSpec {
    CommandSpec(
        name: "decode", aliases: ["d"], group: "inspect", summary: "detect, annotate and check a webhook body, record list or raw HTTP request",
        usage: "[JSON|@file|-] [--vendor V] [--kind K] [--all | --summary]",
        help: """
        Takes a JSON object, an array of records, NDJSON, a raw HTTP request (request line, headers,
        body; CRLF or LF) or a curl command — pasted, from @file, or from stdin with -. Detects the
        vendor and payload kind from fingerprint fields (--vendor / --kind override), explains every
        field (codes, timestamps with zone, durations in words, transcripts, a timeline of the call)
        and warns about unknown or missing fields, wrong types, codes outside their table, timing
        that does not add up, integers above 2^53, duplicate keys and invalid UTF-8.
        Many records give a summary (results, durations, answer rate); --all prints each in full;
        --summary prints only the counts, answer rate and duration percentiles, without checking
        each field (so no warnings), several times faster on a large stream.
        With --json: {"records":[…]} for one document, NDJSON (one record a line, then a summary)
        for a stream. Exit 1 when there are warnings, 65 when the input cannot be parsed.
        """,
        examples: ["decode @plugins/nxlink/fixtures/callback-seed.json", "decode @calls.ndjson --field callResult --field callElapsed --all", "decode {\"callId\":…}", "decode <<EOF",
                   "decode @records.ndjson --json > annotated.ndjson", "decode @last-night.ndjson --summary", "decode --vendor itniotech @push.json"],
        flags: [
            FlagSpec("vendor", .value(placeholder: "V"), summary: "decode as this vendor's payload", completion: AdapterCompletion.vendorIDs),
            FlagSpec("kind", .value(placeholder: "K"), summary: "decode as this payload kind",
                     completion: .dynamic { r in AdapterCompletion.adapters(for: r).flatMap { $0.payloads.map(\.kind) } }),
            FlagSpec("all", summary: "print every record of a batch in full"),
            FlagSpec("summary", summary: "only the batch summary: counts, answer rate, duration percentiles (no field checks)"),
            FlagSpec("field", .value(placeholder: "PATH"), summary: "only these fields (a payload path; repeatable)", repeatable: true,
                     completion: AdapterCompletion.payloadFieldPaths),
        ],
        arguments: [ArgumentSpec("input", summary: "JSON text, @file, or - for stdin", optional: true, completion: .files)],
        acceptsRawBody: true
    ) { context throws(CommandError) in
        try DecodeRun(context: context).run()
    }
}

/// One run of `decode`.
struct DecodeRun {
    let context: CommandContext
    var session: Session { context.session }

    func run() throws(CommandError) -> Outcome {
        let vendor = try context.arguments.value("vendor").map { (v) throws(CommandError) in try session.adapter(v).id }
        let kind = context.arguments.value("kind")
        if let kind, !session.adapters.contains(where: { a in (vendor == nil || a.id == vendor) && a.payload(kind) != nil }) {
            throw CommandError.usage("no payload kind '\(kind)'", hint: "kinds: \(session.adapters.flatMap { $0.payloads.map(\.kind) }.joined(separator: ", "))")
        }
        if summaryOnly, context.arguments.has("all") || context.arguments.has("field") {
            throw CommandError.usage("--summary prints no records: it does not go with --all or --field")
        }
        var decoder = PayloadDecoder(adapters: session.adapters, vendor: vendor, kind: kind)
        decoder.fieldFilter = context.arguments.values("field")
        switch try openSource() {
        case .stream(let stream, let total): return try streamNDJSON(stream, total: total, decoder: &decoder)
        case .document(let input): return try decodeDocument(input, decoder: &decoder)
        }
    }

    /// `--summary`: only the batch summary, no field checked.
    var summaryOnly: Bool { context.arguments.has("summary") }

    enum Source {
        /// NDJSON from a file or stdin, read line by line (total size when known, for progress).
        case stream(LineStream, total: Int?)
        case document(InputText)
    }

    /// Files and stdin are sniffed: NDJSON streams, anything else is read whole as one document.
    func openSource() throws(CommandError) -> Source {
        if let raw = try session.captureInput(context.positional(0)) {
            return .document(InputText(bytes: Array(raw.utf8), origin: context.positional(0)!))
        }
        guard context.rawBody == nil, let word = context.positional(0), word == "-" || word.hasPrefix("@") else {
            guard let input = try InputText.read(word: context.positional(0), rawBody: context.rawBody) else {
                throw CommandError.usage("nothing to decode", hint: "paste a payload, or give @file or - for stdin")
            }
            return .document(input)
        }
        let path = String(word.dropFirst())
        if word == "-" { InputText.noticeIfTerminal() }
        let fd: Int32 = word == "-" ? 0 : open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw CommandError(.dataError, "cannot read \(path): \(String(cString: strerror(errno)))") }
        var info = stat()
        let total: Int? = fstat(fd, &info) == 0 && (info.st_mode & S_IFMT) == S_IFREG ? Int(info.st_size) : nil
        let head = InputText.readAll(fd: fd, limit: 1 << 16)
        if isNDJSON(head) { return .stream(LineStream(fd: fd, prefix: head), total: total) }
        var bytes = head
        if head.count == 1 << 16 { bytes += InputText.readAll(fd: fd, limit: InputText.maxDocument + 1 - head.count) }
        if fd > 2 { close(fd) }
        return .document(try InputText.capped(bytes, origin: word == "-" ? "stdin" : path))
    }

    /// NDJSON: the first value is an object that ends its line, and another value follows.
    func isNDJSON(_ head: [UInt8]) -> Bool {
        let i = head.firstNonBlank()
        guard i < head.count, head[i] == UInt8(ascii: "{") || head[i] == UInt8(ascii: "[") else { return false }
        guard let nl = head[i...].firstIndex(of: 0x0A) else { return false }
        let firstLine = Array(head[i..<nl])
        guard (try? JSONParser.parse(bytes: firstLine.last == 0x0D ? Array(firstLine.dropLast()) : firstLine)) != nil else { return false }
        let j = head.firstNonBlank(from: nl + 1)
        return j < head.count && (head[j] == UInt8(ascii: "{") || head[j] == UInt8(ascii: "["))
    }
}
