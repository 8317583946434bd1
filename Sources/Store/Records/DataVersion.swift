import Foundation

/// The data version record at `/version`: `{current_version, target_version}` as JSON.
///
/// Exists because the start-up decision (serve, migrate, or shut down) depends only on it and on the
/// version compiled into the binary. `current` names the root that holds the data; `target` the root a
/// migration is writing (equal to `current` when none runs).
public struct DataVersion: Sendable, Equatable, Codable, CustomStringConvertible {
    public var current: Int
    public var target: Int

    public init(current: Int, target: Int) {
        self.current = current
        self.target = target
    }

    enum CodingKeys: String, CodingKey {
        case current = "current_version"
        case target = "target_version"
    }

    /// The stored JSON bytes.
    public func encoded() throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return Array(try encoder.encode(self))
    }

    /// Parses the stored JSON; a clear error when it is not a version record.
    public static func decode(_ bytes: [UInt8]) throws -> DataVersion {
        do {
            return try JSONDecoder().decode(DataVersion.self, from: Data(bytes))
        } catch {
            throw StoreError.corruptRecord(
                "the data version record at \(KeyLayout.versionKey) is not valid JSON of the form "
                    + "{\"current_version\":N,\"target_version\":M}: \(String(decoding: bytes.prefix(200), as: UTF8.self))")
        }
    }

    public var description: String { "{current: \(current), target: \(target)}" }
}

extension Backend {
    /// The data version record with its revision, or nil on a fresh store.
    public func readDataVersion() async throws -> (DataVersion, revision: Int64)? {
        guard let kv = try await get(KeyLayout.versionKey) else { return nil }
        return (try DataVersion.decode(kv.value), kv.modRevision)
    }

    /// Writes the data version record unconditionally.
    @discardableResult
    public func writeDataVersion(_ version: DataVersion) async throws -> Int64 {
        try await put(KeyLayout.versionKey, try version.encoded(), condition: .none)
    }
}
