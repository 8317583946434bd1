/// Why a `--config` file was refused, as one line that names the file (and the key, if one is at fault).
package struct ConfigFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for callers and tests that must tell the cases apart.
    package enum Kind: Sendable, Equatable {
        /// The file could not be read (missing, a directory, no permission).
        case unreadable
        /// The bytes are not JSON.
        case invalidJSON
        /// The file has a key that bbs does not know.
        case unknownKey
        /// A value has the wrong JSON type, or the file is not a JSON object.
        case wrongType
        /// A value has the right type but is not acceptable (an unknown log level, a size of 0).
        case invalidValue
    }

    /// The case.
    package var kind: Kind
    /// The path as given to `--config`.
    package var file: String
    /// The key at fault (the first, sorted, of several unknown ones); nil when the whole file is.
    package var key: String?
    /// `config file bbs.json: …`.
    package var description: String

    private init(_ kind: Kind, file: String, key: String? = nil, _ what: String) {
        self.kind = kind
        self.file = file
        self.key = key
        self.description = Self.oneLine("config file \(file): \(what)")
    }

    /// `text` with its control characters escaped: a key, a path or a value may hold a newline, the
    /// message may not.
    private static func oneLine(_ text: String) -> String {
        var line = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": line += "\\n"
            case "\r": line += "\\r"
            case "\t": line += "\\t"
            case "\u{00}"..."\u{1F}", "\u{7F}": line += "\\u{\(String(scalar.value, radix: 16))}"
            default: line.unicodeScalars.append(scalar)
            }
        }
        return line
    }

    static func unreadable(_ file: String, reason: String) -> ConfigFileError {
        ConfigFileError(.unreadable, file: file, "cannot read it: \(reason)")
    }

    static func invalidJSON(_ file: String, detail: String) -> ConfigFileError {
        ConfigFileError(.invalidJSON, file: file, "not valid JSON: \(detail)")
    }

    static func notAnObject(_ file: String) -> ConfigFileError {
        ConfigFileError(.wrongType, file: file, #"must be a JSON object like {"listen_address": "0.0.0.0:8889"}"#)
    }

    static func unknownKeys(_ file: String, _ keys: [String], known: [String]) -> ConfigFileError {
        let described = keys.map { key in
            guard let near = nearest(to: key, in: known) else { return "'\(key)'" }
            return "'\(key)' (did you mean '\(near)'?)"
        }
        let noun = keys.count == 1 ? "unknown key" : "unknown keys"
        return ConfigFileError(.unknownKey, file: file, key: keys.first, "\(noun) \(described.joined(separator: ", "))")
    }

    static func wrongType(_ file: String, key: String, expectation: String) -> ConfigFileError {
        ConfigFileError(.wrongType, file: file, key: key, "'\(key)' must be \(expectation)")
    }

    static func invalidValue(_ file: String, key: String, why: String) -> ConfigFileError {
        ConfigFileError(.invalidValue, file: file, key: key, "bad '\(key)': \(why)")
    }

    /// The known key within two edits of `key` (a transposition counts as two), if there is one.
    private static func nearest(to key: String, in known: [String]) -> String? {
        known.map { ($0, editDistance(key, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }?.0
    }

    private static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
