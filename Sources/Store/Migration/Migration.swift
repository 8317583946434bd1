/// One stored record as a migration sees it: a key relative to the data-version root and its stored bytes.
public struct Record: Sendable, Equatable, CustomStringConvertible {
    /// Relative to the root, e.g. `task/<guid>` or `desired_lrp/run/<guid>` (see `RecordKeys`).
    public var key: String
    /// The stored bytes (envelope and all; decode with `context.codec`).
    public var value: [UInt8]

    public init(key: String, value: [UInt8]) {
        self.key = key
        self.value = value
    }

    public var description: String { "\(key) (\(value.count) bytes)" }
}

/// What a migration may use besides the records: the codec that writes the current envelope.
public struct MigrationContext: Sendable {
    /// Decodes every envelope; encodes in the configured one (`"02"` with keys, else `"01"`).
    public var codec: RecordCodec

    public init(codec: RecordCodec) {
        self.codec = codec
    }
}

/// One step between two adjacent data versions: `version - 1 → version` (up) and back (down).
///
/// A migration works on a *record group* (`RecordKeys.groupMembers`): every record of one group arrives
/// together and the migration returns the group's records in the other version. So one record can become
/// several (the DesiredLRP split) and several can become one (its down, the merge). A migration is pure:
/// no I/O, no clock; the `Migrator` reads, chains and writes. Migrations are append-only, one per file
/// (Sources/Store/Migrations/), registered in version order.
public protocol Migration: Sendable {
    /// The data version this migration produces; it migrates from `version - 1`.
    var version: Int { get }
    /// A short operator-readable name, e.g. "base64 protobuf".
    var name: String { get }
    /// The records of data version `version` for one group of data version `version - 1`.
    func up(_ group: [Record], context: MigrationContext) throws -> [Record]
    /// The records of data version `version - 1` for one group of data version `version`.
    func down(_ group: [Record], context: MigrationContext) throws -> [Record]
}

/// A migration written as two closures, for `Migrator.registerMigration(version:name:up:down:)`.
public struct ClosureMigration: Migration {
    public typealias Step = @Sendable (_ group: [Record], _ context: MigrationContext) throws -> [Record]

    public let version: Int
    public let name: String
    let upStep: Step
    let downStep: Step

    public init(version: Int, name: String, up: @escaping Step, down: @escaping Step) {
        self.version = version
        self.name = name
        self.upStep = up
        self.downStep = down
    }

    public func up(_ group: [Record], context: MigrationContext) throws -> [Record] {
        try upStep(group, context)
    }

    public func down(_ group: [Record], context: MigrationContext) throws -> [Record] {
        try downStep(group, context)
    }
}

/// Why a migration run stopped, with what an operator should do.
public struct MigrationError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
