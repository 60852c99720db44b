import Adapters
import JSONText
import Signing

/// What is checked before signing: a pinned value the vendor does not accept is refused; a
/// timestamp in the other unit, a missing required body field, an empty secret, and a secret or
/// body ending in a newline are warned about (each is a classic cause of "invalid signature").
public enum SignInputCheck {
    /// Pinned values outside the ones the adapter declares; a usage error names the allowed ones.
    public static func refusal(pins: [String: String], adapter: Adapter) -> WorkbenchError? {
        for spec in adapter.pins where !spec.values.isEmpty {
            guard let given = pins[spec.name], !spec.values.contains(given) else { continue }
            return WorkbenchError(.usage, "\(adapter.id) does not accept \(spec.label ?? spec.name) '\(given)'",
                                  hint: "accepted: \(spec.values.joined(separator: ", "))")
        }
        return nil
    }

    public static func warnings(_ request: SignRequest, operation: Operation?, adapter: Adapter, credentials: [String: String]) -> [String] {
        var warnings: [String] = []
        for spec in adapter.pins {
            guard let unit = spec.unit, let given = request.pins[spec.name], let number = Int64(given), number > 0 else { continue }
            let digits = String(number).count
            if unit == .milliseconds, digits <= 11 {
                warnings.append("\(spec.name) \(given) looks like seconds; \(adapter.id) expects milliseconds (13 digits)")
            } else if unit == .seconds, digits >= 12 {
                warnings.append("\(spec.name) \(given) looks like milliseconds; \(adapter.id) expects seconds (10 digits)")
            }
        }
        for credential in adapter.credentials where credential.secret {
            guard let value = credentials[credential.name] else { continue }
            if value.isEmpty { warnings.append("\(credential.name) is empty") }
            else if value.hasSuffix("\n") || value.hasSuffix("\r") { warnings.append("\(credential.name) ends in a newline, which is signed with it") }
        }
        if let body = request.body, body.hasSuffix("\n") {
            warnings.append("the body ends in a newline, which is signed with it (is it in what you send?)")
        }
        if let operation, let body = request.body, case .object(let members)? = try? JSONParser.parse(body) {
            let present = Set(members.map(\.key))
            let missing = operation.body.filter { $0.required && !$0.path.contains(".") && !$0.path.contains("[") && !present.contains($0.path) }
            if !missing.isEmpty {
                warnings.append("\(operation.name): required field\(missing.count == 1 ? "" : "s") \(missing.map(\.path).joined(separator: ", ")) missing from the body")
            }
        }
        return warnings
    }
}
