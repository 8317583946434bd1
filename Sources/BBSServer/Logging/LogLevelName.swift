import Foundation
import Logging

// MARK: - Parsing `--log-level` and `log_level`

extension Logger.Level {
    /// The level named by `--log-level` or the config file's `log_level`: swift-log's names (`trace`,
    /// `debug`, `info`, `notice`, `warning`, `error`, `critical`) and Diego lager's `fatal` (= `critical`),
    /// in any case, surrounding spaces ignored.
    ///
    /// Exists so both places accept the same words, including the ones a Diego operator's existing
    /// `bbs.json` already uses (lager's `debug`, `info`, `error`, `fatal`).
    package init(logLevelName name: String) throws(LogLevelError) {
        let word = name.trimmingCharacters(in: .whitespaces).lowercased()
        if word == "fatal" {
            self = .critical
        } else if let level = Logger.Level(rawValue: word) {
            self = level
        } else {
            throw LogLevelError(value: name)
        }
    }

    /// Every accepted name, for help texts and errors.
    package static let acceptedNames = Logger.Level.allCases.map(\.rawValue) + ["fatal"]
}

/// A log level name that is none of `Logger.Level.acceptedNames`.
package struct LogLevelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text as given.
    package var value: String

    /// `unknown log level "verbose": use one of trace, debug, …, critical (or Diego's fatal)`, on one line
    /// whatever the value holds.
    package var description: String {
        let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
        return "unknown log level \(value.debugDescription): use one of \(names) (or Diego's fatal)"
    }
}
