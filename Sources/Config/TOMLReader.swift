import Glibc
import JSONText

/// Reads a TOML file into JSON values with Python's standard `tomllib` (a maintained, complete
/// TOML 1.0 parser), run as a child process only when a profile is asked for. Linking a Swift TOML
/// library (TOMLKit) pulls all of Foundation and ICU into the binary and added 5.5 ms to every
/// start of a trivial program here (bench/RESULTS.md); this costs nothing until it is used.
enum TOMLReader {
    static let script = """
    import json, sys, tomllib
    try:
        with open(sys.argv[1], "rb") as f:
            data = tomllib.load(f)
    except tomllib.TOMLDecodeError as e:
        print(str(e), file=sys.stderr); sys.exit(3)
    except OSError as e:
        print(e.strerror or str(e), file=sys.stderr); sys.exit(4)
    json.dump(data, sys.stdout, default=str)
    """

    static func read(path: String, environment: [String: String]) throws(ConfigError) -> JSONValue {
        var env: [String: String] = [:]
        for key in ["PATH", "LANG", "LC_ALL", "HOME"] { env[key] = environment[key] }
        if env["PATH"] == nil { env["PATH"] = "/usr/local/bin:/usr/bin:/bin" }
        // The system's interpreter when there is one: version managers' shims cost 100 ms more.
        let python = access("/usr/bin/python3", X_OK) == 0 ? "/usr/bin/python3" : "python3"
        guard let result = ChildProcess.run([python, "-I", "-c", script, path], environment: env) else {
            throw ConfigError("reading \(path) needs python3 (3.11 or later, for tomllib)", hint: "install it: apt-get install python3")
        }
        let message = String(decoding: result.stderr, as: UTF8.self).split(separator: "\n").last.map(String.init) ?? ""
        switch result.status {
        case 0: break
        case 3: throw ConfigError("\(path): \(message)")
        case 4: throw ConfigError("cannot read \(path): \(message)")
        default:
            if message.contains("No module named 'tomllib'") {
                throw ConfigError("reading \(path) needs python3 3.11 or later (tomllib)")
            }
            throw ConfigError("reading \(path) failed: \(message)")
        }
        do { return try JSONParser.parse(bytes: result.stdout) } catch { throw ConfigError("reading \(path) failed: \(error.message)") }
    }
}

/// A configuration file that cannot be used: what and where.
public struct ConfigError: Error, Sendable, Equatable {
    public var message: String
    public var hint: String?
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
}
