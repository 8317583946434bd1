import Foundation

/// Collects every validation problem of a record before failing, as Diego's `ValidationError`
/// does, so a client learns all its mistakes from one answer.
struct Validator {
    private(set) var problems: [(field: String, reason: String)] = []

    /// Records `field` as invalid for `reason` when `condition` is false.
    mutating func check(_ condition: Bool, _ field: String, _ reason: @autoclosure () -> String) {
        if !condition { problems.append((field, reason())) }
    }

    /// Records a problem unconditionally.
    mutating func fail(_ field: String, _ reason: String) {
        problems.append((field, reason))
    }

    /// Runs a nested validation, prefixing its fields with `prefix` (as `action.run.path`).
    mutating func nested(_ prefix: String, _ body: (inout Validator) -> Void) {
        var inner = Validator()
        body(&inner)
        for problem in inner.problems {
            problems.append(("\(prefix).\(problem.field)", problem.reason))
        }
    }

    /// Throws a `ModelError.invalidRecord` listing every problem, if there is any.
    func finish() throws(ModelError) {
        if !problems.isEmpty { throw ModelError.invalidFields(problems) }
    }
}

/// Diego's size limits and patterns (models/desired_lrp.go, models/task.go).
public enum ModelLimits {
    /// Maximum annotation length of a desired LRP or a task: 10 KiB.
    public static let maximumAnnotationLength = 10 * 1024
    /// Maximum total length of a desired LRP's route values: 128 KiB.
    public static let maximumRoutesLength = 128 * 1024
    /// Maximum total content of the volume-mounted files: 1 MiB.
    public static let maximumVolumeMountedFilesSize = 1024 * 1024
    /// crash_reason, placement_error, failure_reason and rejection_reason are cut to this length.
    public static let maximumErrorMessageLength = 1024

    /// Whether `guid` matches Diego's process/task guid pattern `^[a-zA-Z0-9_-]+$`.
    public static func isValidGuid(_ guid: String) -> Bool {
        !guid.isEmpty
            && guid.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                    UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                    return true
                default:
                    return false
                }
            }
    }

    /// Whether `rootFS` is a URL with a scheme (`preloaded:cflinuxfs4`, `docker:///image`), as Go's
    /// `url.Parse(...).Scheme != ""` decides: a letter, then letters, digits, `+`, `-`, `.`, then `:`.
    public static func hasURLScheme(_ rootFS: String) -> Bool {
        guard let colon = rootFS.firstIndex(of: ":"), colon != rootFS.startIndex else { return false }
        let scheme = rootFS[..<colon]
        guard let first = scheme.unicodeScalars.first, first.isASCII, first.properties.isAlphabetic else {
            return false
        }
        return scheme.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "+-.".unicodeScalars.contains(scalar))
        }
    }

    /// Cuts an error message to Diego's 1024-character column limit.
    public static func truncated(_ message: String) -> String {
        message.count > maximumErrorMessageLength ? String(message.prefix(maximumErrorMessageLength)) : message
    }

    /// Total bytes of the route values, as Diego counts them against the 128 KiB limit.
    static func routesLength(_ routes: [String: Data]) -> Int {
        routes.values.reduce(0) { $0 + $1.count }
    }
}
