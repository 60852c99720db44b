/// Counts over many records: per result, durations, answer rate, warnings.
public struct BatchSummary: Sendable {
    public private(set) var records = 0
    public private(set) var unrecognised = 0
    /// Records per result, with the result's meaning (the first one known).
    public var byResult: [String: (count: Int, meaning: String?)] {
        var all = countedResults
        for run in recentResults { BatchSummary.count(run, into: &all) }
        return all
    }
    private var countedResults: [String: (count: Int, meaning: String?)] = [:]
    /// Results counted since they were last folded into `countedResults`: a batch's records take
    /// a few results, so each is found among these by comparison (a decoder gives the same code
    /// as the same string, compared by identity) rather than by hashing it for every record.
    private var recentResults: [(code: String, count: Int, meaning: String?)] = []
    public private(set) var durations: [Int64] = []
    public private(set) var answered = 0
    public private(set) var answerKnown = 0
    public private(set) var warningsByCode: [String: Int] = [:]
    /// Records per "vendor kind".
    public var kinds: [String: Int] {
        var all = countedKinds
        for run in recentKinds { all[BatchSummary.name(run), default: 0] += run.count }
        return all
    }

    /// A kind's key in `kinds`: "vendor kind".
    private static func name(_ run: (vendor: String, kind: String, count: Int)) -> String { run.vendor + " " + run.kind }
    private var countedKinds: [String: Int] = [:]
    /// The kinds of the latest records, each with its count since it was last folded into
    /// `countedKinds`: a batch holds one kind or a few taking turns (orders and their calls), so a
    /// record's kind is found here by comparison, without building and hashing its name.
    private var recentKinds: [(vendor: String, kind: String, count: Int)] = []

    /// False for `--summary`: no field was checked, so warnings are not counted.
    public let countsWarnings: Bool

    public init(countsWarnings: Bool = true) { self.countsWarnings = countsWarnings }

    public mutating func add(_ record: DecodedRecord) {
        records += 1
        if record.vendor == nil { unrecognised += 1 }
        if let vendor = record.vendor, let kind = record.kind {
            if let i = recentKinds.firstIndex(where: { $0.kind == kind && $0.vendor == vendor }) {
                recentKinds[i].count += 1
            } else {
                if recentKinds.count == 4 {
                    for run in recentKinds { countedKinds[BatchSummary.name(run), default: 0] += run.count }
                    recentKinds.removeAll(keepingCapacity: true)
                }
                recentKinds.append((vendor, kind, 1))
            }
        }
        if let result = record.result {
            if let i = recentResults.firstIndex(where: { $0.code == result }) {
                recentResults[i].count += 1
                if recentResults[i].meaning == nil { recentResults[i].meaning = record.resultMeaning }
            } else {
                if recentResults.count == 8 {
                    for run in recentResults { BatchSummary.count(run, into: &countedResults) }
                    recentResults.removeAll(keepingCapacity: true)
                }
                recentResults.append((result, 1, record.resultMeaning))
            }
        }
        if let answered = record.answered {
            answerKnown += 1
            if answered {
                self.answered += 1
                if let d = record.durationSeconds { durations.append(d) }
            }
        } else if let d = record.durationSeconds {
            durations.append(d)
        }
        if countsWarnings {
            for warning in record.warnings { warningsByCode[warning.code, default: 0] += 1 }
        }
    }

    /// Adds `run`'s count to its code's (one lookup), keeping the first meaning known.
    private static func count(_ run: (code: String, count: Int, meaning: String?), into results: inout [String: (count: Int, meaning: String?)]) {
        func add(_ entry: inout (count: Int, meaning: String?)) {
            entry.count += run.count
            if entry.meaning == nil { entry.meaning = run.meaning }
        }
        add(&results[run.code, default: (0, nil)])
    }

    /// Adds the counts of another summary (of other records).
    public mutating func merge(_ other: BatchSummary) {
        records += other.records
        unrecognised += other.unrecognised
        for (code, entry) in other.byResult { BatchSummary.count((code, entry.count, entry.meaning), into: &countedResults) }
        durations += other.durations
        answered += other.answered
        answerKnown += other.answerKnown
        for (code, n) in other.warningsByCode { warningsByCode[code, default: 0] += n }
        for (kind, n) in other.kinds { countedKinds[kind, default: 0] += n }
    }

    /// The p-th percentile (0…100) of durations, nearest rank.
    public func percentile(_ p: Double) -> Int64? { percentiles([p])?.first }

    /// Several percentiles of durations from one sort (a night of records holds hundreds of
    /// thousands); nil when there are none.
    public func percentiles(_ ps: [Double]) -> [Int64]? {
        guard !durations.isEmpty else { return nil }
        let ranks = ps.map { p in max(0, min(durations.count - 1, Int((p / 100 * Double(durations.count)).rounded(.up)) - 1)) }
        // Durations in seconds mostly lie in a small range: counted by value, the ranks are read
        // off the counts in one pass (a sort of a night's records took as long as the summary).
        if durations.count > 64, let low = durations.min(), let high = durations.max(),
           case let (span, overflow) = high.subtractingReportingOverflow(low), !overflow, span < max(4096, 4 * Int64(durations.count)) {
            var counts = [Int32](repeating: 0, count: Int(span) + 1)
            for d in durations { counts[Int(d - low)] += 1 }
            let wanted = ranks.enumerated().sorted { $0.element < $1.element }
            var values = [Int64](repeating: 0, count: ranks.count)
            var next = 0, seen = 0
            for (offset, count) in counts.enumerated() where count > 0 {
                seen += Int(count)
                while next < wanted.count, wanted[next].element < seen {
                    values[wanted[next].offset] = low + Int64(offset)
                    next += 1
                }
                if next == wanted.count { break }
            }
            return values
        }
        let sorted = durations.sorted()
        return ranks.map { sorted[$0] }
    }

    public var answerRate: Double? { answerKnown == 0 ? nil : Double(answered) / Double(answerKnown) }
}
