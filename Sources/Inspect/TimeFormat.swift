/// Calendar arithmetic for annotations, without Foundation: epoch seconds <-> civil date-time.
public enum TimeFormat {
    /// "2025-03-19T09:58:49Z", or "2025-03-19T17:58:49+08:00" with an offset.
    public static func iso8601(_ epochSeconds: Int64, offsetMinutes: Int = 0) -> String {
        var out: [UInt8] = []
        appendISO8601(epochSeconds, offsetMinutes: offsetMinutes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `iso8601`, appended as UTF-8 (the streaming decoder writes it without building a string).
    public static func appendISO8601(_ epochSeconds: Int64, offsetMinutes: Int = 0, into out: inout [UInt8]) {
        appendISO8601(epochSeconds, offsetMinutes: offsetMinutes, to: &out)
    }

    static func appendISO8601<Out: ByteAppending>(_ epochSeconds: Int64, offsetMinutes: Int = 0, to out: inout Out) {
        var dates = CivilDates()
        appendISO8601(epochSeconds, offsetMinutes: offsetMinutes, to: &out, dates: &dates)
    }

    /// The calendar dates of the last two days converted: the times of a file fall on a few days,
    /// and a time is often written in UTC and in local time one after the other. A date of a
    /// four-digit year is kept written too (`yyyy-MM-ddT`, the first 11 of 16 bytes).
    struct CivilDates {
        typealias Date = (civil: (Int, Int, Int), written: (UInt64, UInt64))
        private var days: (Int64, Int64) = (.min, .min)
        private var dates: (Date, Date) = (((0, 0, 0), (0, 0)), ((0, 0, 0), (0, 0)))
        private var older = 0

        @inline(__always)
        mutating func date(_ day: Int64) -> Date {
            if days.0 == day { return dates.0 }
            if days.1 == day { return dates.1 }
            let civil = TimeFormat.civil(fromDays: day)
            var written: (UInt64, UInt64) = (0, 0)
            let (y, m, d) = civil
            if y >= 1000, y <= 9999 {
                withUnsafeMutableBytes(of: &written) { raw in
                    let b = raw.bindMemory(to: UInt8.self)
                    twoDigits(y / 100, b, 0); twoDigits(y % 100, b, 2)
                    b[4] = 0x2D; twoDigits(m, b, 5); b[7] = 0x2D; twoDigits(d, b, 8); b[10] = 0x54
                }
            }
            let date = (civil, written)
            if older == 0 { (days.0, dates.0) = (day, date) } else { (days.1, dates.1) = (day, date) }
            older ^= 1
            return date
        }
    }

    /// `appendISO8601`, the date found in `dates` when it was converted lately.
    static func appendISO8601<Out: ByteAppending>(_ epochSeconds: Int64, offsetMinutes: Int = 0, to out: inout Out,
                                                  dates: inout CivilDates) {
        let local = epochSeconds + Int64(offsetMinutes) * 60
        let days = floorDiv(local, 86_400)
        let secs = Int(local - days * 86_400)
        let date = dates.date(days)
        let (y, m, d) = date.civil
        if y >= 1000, y <= 9999, offsetMinutes.magnitude < 100 * 60 {
            // The usual case, written into one small buffer and appended once (a time is written
            // for every time field of every record; digit by digit it was a twelfth of decode),
            // the date as it was written for the day.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 32) { b in
                UnsafeMutableRawPointer(b.baseAddress!).storeBytes(of: date.written, as: (UInt64, UInt64).self)
                writeClock(secs, b, 11)
                let n = writeZone(offsetMinutes, b, 19)
                out.append(contentsOf: UnsafeBufferPointer(start: b.baseAddress, count: n))
            }
            return
        }
        // Years are padded to four digits ("0999"; a negative year keeps its sign after the zeros).
        if y < 1000 { for _ in 0..<(y < 10 ? 3 : y < 100 ? 2 : 1) { out.append(0x30) } }
        appendDecimal(y, into: &out)
        out.append(0x2D); appendPadded(m, into: &out)
        out.append(0x2D); appendPadded(d, into: &out)
        out.append(0x54); appendPadded(secs / 3600, into: &out)
        out.append(0x3A); appendPadded(secs % 3600 / 60, into: &out)
        out.append(0x3A); appendPadded(secs % 60, into: &out)
        appendZone(offsetMinutes, into: &out)
    }

    /// `appendISO8601(t, offsetMinutes:)` without its date and the `T` after it: `17:00:00+08:00`.
    static func appendTimeOfDay<Out: ByteAppending>(_ epochSeconds: Int64, offsetMinutes: Int, to out: inout Out, dates: inout CivilDates) {
        let local = epochSeconds &+ Int64(offsetMinutes) &* 60
        // Years 1 to 9999 have a date of ten characters; the rest are written whole and cut.
        guard local >= -62_135_596_800, local <= 253_402_300_799 else {
            var full: [UInt8] = []
            appendISO8601(epochSeconds, offsetMinutes: offsetMinutes, to: &full, dates: &dates)
            return out.append(contentsOf: Array(full.dropFirst(11)))
        }
        guard offsetMinutes.magnitude < 100 * 60 else {
            appendClock(epochSeconds, offsetMinutes: offsetMinutes, into: &out)
            return appendZone(offsetMinutes, into: &out)
        }
        let secs = Int(local - floorDiv(local, 86_400) * 86_400)
        // Written into one small buffer and appended once, as `appendISO8601` writes.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 16) { b in
            writeClock(secs, b, 0)
            out.append(contentsOf: UnsafeBufferPointer(start: b.baseAddress, count: writeZone(offsetMinutes, b, 8)))
        }
    }

    /// `v` (0–99) as two digits at `b[i]`, from a table of the hundred pairs.
    @inline(__always)
    private static func twoDigits(_ v: Int, _ b: UnsafeMutableBufferPointer<UInt8>, _ i: Int) {
        let pair = UnsafeRawPointer(digitPairs.utf8Start).loadUnaligned(fromByteOffset: 2 * Int(UInt8(truncatingIfNeeded: v) % 100), as: UInt16.self)
        UnsafeMutableRawPointer(b.baseAddress! + i).storeBytes(of: pair, as: UInt16.self)
    }
    private static let digitPairs: StaticString = """
        00010203040506070809101112131415161718192021222324252627282930313233343536373839\
        40414243444546474849505152535455565758596061626364656667686970717273747576777879\
        8081828384858687888990919293949596979899
        """

    /// `hh:mm:ss` of `secs` (seconds into a day) at `b[i]`.
    @inline(__always)
    private static func writeClock(_ secs: Int, _ b: UnsafeMutableBufferPointer<UInt8>, _ i: Int) {
        let s = UInt32(truncatingIfNeeded: secs)
        twoDigits(Int(s / 3600), b, i); b[i + 2] = 0x3A; twoDigits(Int(s % 3600 / 60), b, i + 3); b[i + 5] = 0x3A; twoDigits(Int(s % 60), b, i + 6)
    }

    /// `Z`, or `+hh:mm` / `-hh:mm` for an offset under 100 hours, at `b[i]`; where it ends.
    @inline(__always)
    private static func writeZone(_ offsetMinutes: Int, _ b: UnsafeMutableBufferPointer<UInt8>, _ i: Int) -> Int {
        guard offsetMinutes != 0 else {
            b[i] = 0x5A
            return i + 1
        }
        let a = Int(offsetMinutes.magnitude)
        b[i] = offsetMinutes < 0 ? 0x2D : 0x2B
        twoDigits(a / 60, b, i + 1); b[i + 3] = 0x3A; twoDigits(a % 60, b, i + 4)
        return i + 6
    }

    static func appendZone<Out: ByteAppending>(_ offsetMinutes: Int, into out: inout Out) {
        guard offsetMinutes != 0 else { out.append(0x5A); return }
        if offsetMinutes.magnitude < 100 * 60 {
            // Written into a small buffer and appended once (every timeline's picture has one).
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8) { b in
                out.append(contentsOf: UnsafeBufferPointer(start: b.baseAddress, count: writeZone(offsetMinutes, b, 0)))
            }
        }
        let a = abs(offsetMinutes)
        out.append(offsetMinutes < 0 ? 0x2D : 0x2B)
        appendPadded(a / 60, into: &out)
        out.append(0x3A)
        appendPadded(a % 60, into: &out)
    }

    /// Two digits at least ("07", "12", "123").
    static func appendPadded<Out: ByteAppending>(_ v: Int, into out: inout Out) {
        if v < 10 { out.append(0x30) }
        appendDecimal(v, into: &out)
    }

    static func appendDecimal<Out: ByteAppending>(_ v: Int, into out: inout Out) {
        if v < 0 { out.append(0x2D) }
        appendUnsigned(UInt64(v.magnitude), into: &out)
    }

    /// "17:58:49" in the given offset (for timelines).
    public static func clock(_ epochSeconds: Int64, offsetMinutes: Int) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(8)
        appendClock(epochSeconds, offsetMinutes: offsetMinutes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `clock`, appended to `out`.
    static func appendClock<Out: ByteAppending>(_ epochSeconds: Int64, offsetMinutes: Int, into out: inout Out) {
        let local = epochSeconds + Int64(offsetMinutes) * 60
        let secs = Int(local - floorDiv(local, 86_400) * 86_400)
        // Written into a small buffer and appended once (every event of every timeline has one).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8) { b in
            writeClock(secs, b, 0)
            out.append(contentsOf: UnsafeBufferPointer(b))
        }
    }

    public static func zone(_ offsetMinutes: Int) -> String {
        var out: [UInt8] = []
        appendZone(offsetMinutes, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Epoch seconds of "yyyy-MM-dd HH:mm:ss" (or with T) read in the given offset; nil if malformed.
    public static func parseLocal(_ text: String, offsetMinutes: Int) -> Int64? {
        let b = Array(text.utf8)
        return b.withUnsafeBufferPointer { parseLocal(bytes: $0, offsetMinutes: offsetMinutes) }
    }

    /// `parseLocal` over UTF-8 bytes.
    public static func parseLocal(bytes b: UnsafeBufferPointer<UInt8>, offsetMinutes: Int) -> Int64? {
        guard let (y, mo, d, h, mi, s) = localFields(b), (1...12).contains(mo), (1...31).contains(d), h < 24, mi < 60, s < 61 else { return nil }
        return days(fromCivil: y, mo, d) * 86_400 + Int64(h * 3600 + mi * 60 + s) - Int64(offsetMinutes) * 60
    }

    /// Year, month, day, hour, minute and second of `yyyy-MM-dd HH:mm:ss` (or with a `T`), when
    /// every place holds a digit; not checked against the calendar.
    /// (Read as three words, every digit and separator checked at once: a datetime-local field is
    /// in every record of some payloads, read for its meaning and again for the timeline.)
    @inline(__always)
    private static func localFields(_ b: UnsafeBufferPointer<UInt8>) -> (Int, Int, Int, Int, Int, Int)? {
        guard b.count == 19, let p = b.baseAddress.map(UnsafeRawPointer.init) else { return nil }
        // Little-endian words: byte i of a word is its bits 8i..8i+7.
        let date = UInt64(littleEndian: p.loadUnaligned(as: UInt64.self))                       // yyyy-MM-
        let middle = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))  // dd HH:mm
        let clock = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: 11, as: UInt64.self))  // HH:mm:ss
        // Digit places per word (the middle word's last five places are the clock word's first).
        let dateDigits: UInt64 = 0x00FF_FF00_FFFF_FFFF, middleDigits: UInt64 = 0x0000_0000_0000_FFFF
        let clockDigits: UInt64 = 0xFFFF_00FF_FF00_FFFF
        @inline(__always) func digits(_ w: UInt64, _ mask: UInt64) -> Bool {
            // 0x30–0x39: the high half is 3, and stays 3 with 6 added (no carry: each lane is at most 0x3F then).
            let high = mask & 0xF0F0_F0F0_F0F0_F0F0, three = mask & 0x3030_3030_3030_3030
            return w & high == three && (w &+ (mask & 0x0606_0606_0606_0606)) & high == three
        }
        guard digits(date, dateDigits), digits(middle, middleDigits), digits(clock, clockDigits),
              date & ~dateDigits == 0x2D00_002D_0000_0000,                      // '-' at 4 and 7
              clock & ~clockDigits == 0x0000_3A00_003A_0000,                    // ':' at 13 and 16
              middle & 0xFF_0000 == 0x20_0000 || middle & 0xFF_0000 == 0x54_0000 // ' ' or 'T' at 10
        else { return nil }
        @inline(__always) func two(_ w: UInt64, _ at: Int) -> Int {
            Int(truncatingIfNeeded: (w >> (8 * at)) & 0x0F) * 10 + Int(truncatingIfNeeded: (w >> (8 * at + 8)) & 0x0F)
        }
        return (two(date, 0) * 100 + two(date, 2), two(date, 5), two(middle, 0), two(clock, 0), two(clock, 3), two(clock, 6))
    }

    /// For a local time `b` that `parseLocal` reads as a real date of a four-digit year, without a
    /// leap second, on the same day in UTC as locally (the usual case): the UTC time of day in
    /// minutes, for `writeLocalAndUTC`. Nil otherwise.
    static func sameDayInUTC(local b: UnsafeBufferPointer<UInt8>, offsetMinutes: Int) -> Int? {
        guard offsetMinutes.magnitude < 100 * 60, let (y, mo, d, h, mi, s) = localFields(b),
              y >= 1000, mo >= 1, mo <= 12, d >= 1, h < 24, mi < 60, s < 60 else { return nil }
        if d > 28 {
            let leap = y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
            let monthDays = mo == 2 ? (leap ? 29 : 28) : (mo == 4 || mo == 6 || mo == 9 || mo == 11) ? 30 : 31
            guard d <= monthDays else { return nil }
        }
        let utc = h * 60 + mi - offsetMinutes
        guard utc >= 0, utc < 1440 else { return nil }
        return utc
    }

    /// `appendISO8601(t, offsetMinutes:)`, " = ", `appendISO8601(t)` for a local time `b` that
    /// `sameDayInUTC` accepted (giving `utcMinutes`): copied from its digits, no calendar arithmetic.
    static func writeLocalAndUTC<Out: ByteAppending>(local b: UnsafeBufferPointer<UInt8>, offsetMinutes: Int, utcMinutes: Int, to out: inout Out) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { o in
            let to = UnsafeMutableRawPointer(o.baseAddress!), from = UnsafeRawPointer(b.baseAddress!)
            @inline(__always) func copy(_ at: Int, from source: UnsafeRawPointer, _ offset: Int) {
                to.storeBytes(of: source.loadUnaligned(fromByteOffset: offset, as: UInt64.self), toByteOffset: at, as: UInt64.self)
            }
            // The local time (19 bytes, a T in the middle), its zone, " = ", the date again, the UTC time.
            copy(0, from: from, 0); copy(8, from: from, 8); copy(11, from: from, 11)
            o[10] = 0x54
            var n = writeZone(offsetMinutes, o, 19)
            o[n] = 0x20; o[n + 1] = 0x3D; o[n + 2] = 0x20
            n += 3
            copy(n, from: to, 0); copy(n + 3, from: to, 3)
            twoDigits(utcMinutes / 60, o, n + 11); o[n + 13] = 0x3A; twoDigits(utcMinutes % 60, o, n + 14)
            o[n + 16] = 0x3A; o[n + 17] = b[17]; o[n + 18] = b[18]; o[n + 19] = 0x5A
            out.append(contentsOf: UnsafeBufferPointer(start: o.baseAddress, count: n + 20))
        }
    }

    /// "2 min 17 s", "1 h 3 min", "45 s", "0 s".
    public static func duration(seconds: Int64) -> String {
        var out: [UInt8] = []
        appendDuration(seconds: seconds, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `duration(seconds:)`, appended as UTF-8: "7 s", "2 min 39 s", "3 h 5 min", "4 d 2 h", "1 y 3 d".
    static func appendDuration<Out: ByteAppending>(seconds: Int64, into out: inout Out) {
        if seconds < 0 { out.append(0x2D) }
        let n = seconds.magnitude
        func part(_ value: UInt64, _ unit: StaticString) {
            appendUnsigned(value, into: &out)
            out.append(0x20)
            out.append(literal: unit)
        }
        func rest(_ value: UInt64, _ unit: StaticString) {
            guard value != 0 else { return }
            out.append(0x20)
            part(value, unit)
        }
        if n < 60 { part(n, "s") }
        else if n < 3600 { part(n / 60, "min"); rest(n % 60, "s") }
        else if n < 86_400 { part(n / 3600, "h"); rest(n % 3600 / 60, "min") }
        else if n < 365 * 86_400 { part(n / 86_400, "d"); rest(n % 86_400 / 3600, "h") }
        else { part(n / (365 * 86_400), "y"); out.append(0x20); part(n % (365 * 86_400) / 86_400, "d") }
    }

    static func appendUnsigned<Out: ByteAppending>(_ v: UInt64, into out: inout Out) {
        if v < 10 { out.append(UInt8(v) + 0x30); return }
        if v < 100 { out.append(UInt8(v / 10) + 0x30); out.append(UInt8(v % 10) + 0x30); return }
        // Digits from the last, two a step, into a small buffer appended once (epochs are ten digits).
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var rest = v
            var start = 20
            while rest >= 100 {
                let pair = Int(truncatingIfNeeded: rest % 100)
                rest /= 100
                start -= 2
                twoDigits(pair, digits, start)
            }
            if rest >= 10 {
                start -= 2
                twoDigits(Int(truncatingIfNeeded: rest), digits, start)
            } else {
                start -= 1
                digits[start] = UInt8(truncatingIfNeeded: rest) &+ 0x30
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// "4.1 s" / "1 min 2.5 s" for milliseconds.
    public static func duration(milliseconds: Int64) -> String {
        var out: [UInt8] = []
        appendDuration(milliseconds: milliseconds, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `duration(milliseconds:)`, appended as UTF-8.
    static func appendDuration<Out: ByteAppending>(milliseconds: Int64, into out: inout Out) {
        guard milliseconds < 60_000 else { return appendDuration(seconds: milliseconds / 1000, into: &out) }
        let tenths = Int(milliseconds + 50) / 100
        appendDecimal(tenths / 10, into: &out)
        out.append(UInt8(ascii: "."))
        appendDecimal(tenths % 10, into: &out)
        out.append(literal: " s")
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 { a >= 0 ? a / b : -((-a + b - 1) / b) }


    /// Howard Hinnant's days-from-civil and its inverse.
    static func days(fromCivil year: Int, _ month: Int, _ day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civil(fromDays days: Int64) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(yoe + era * 400 + (m <= 2 ? 1 : 0)), Int(m), Int(d))
    }
}
