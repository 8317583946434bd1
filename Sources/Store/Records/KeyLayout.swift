/// Where records live: one root `/v<N>/` per data version, and the kinds of records under it.
///
/// Exists so the migrator, services and tests agree on every key byte. A root is the whole data of one
/// data version; a migration writes a new root and deletes the old one only once the version record
/// says the new one is current. Keys relative to a root (`task/<guid>`) are what migrations see.
public struct KeyLayout: Sendable, Equatable {
    /// The data version whose root this layout addresses.
    public let version: Int

    public init(version: Int) {
        self.version = version
    }

    /// The key of the data version record (outside every root).
    public static let versionKey = "/version"

    /// `/v<N>/`: every record of this data version is under it.
    public var root: String { Self.root(version: version) }

    /// `/v<N>/` for any version.
    public static func root(version: Int) -> String { "/v\(version)/" }

    /// The absolute key of a key relative to the root.
    public func absolute(_ relativeKey: String) -> String { root + relativeKey }

    /// The key relative to the root, or nil when `key` is outside this root.
    public func relative(_ key: String) -> String? {
        key.hasPrefix(root) ? String(key.dropFirst(root.count)) : nil
    }

    // MARK: - Record kinds (absolute keys)

    /// The whole DesiredLRP of data version 1 (before the split).
    public func desiredLRP(_ processGuid: String) -> String { root + RecordKeys.desiredLRP(processGuid) }
    /// `/v<N>/desired_lrp/schedule/<guid>`: the scheduling half of a split DesiredLRP.
    public func desiredLRPSchedulingInfo(_ processGuid: String) -> String {
        root + RecordKeys.desiredLRPSchedulingInfo(processGuid)
    }
    /// `/v<N>/desired_lrp/run/<guid>`: the run half of a split DesiredLRP.
    public func desiredLRPRunInfo(_ processGuid: String) -> String { root + RecordKeys.desiredLRPRunInfo(processGuid) }
    /// `/v<N>/actual/<guid>/<index>/instance`, or `.../evacuating`.
    public func actualLRP(_ processGuid: String, index: Int32, evacuating: Bool = false) -> String {
        root + RecordKeys.actualLRP(processGuid, index: index, evacuating: evacuating)
    }
    /// `/v<N>/task/<guid>`.
    public func task(_ taskGuid: String) -> String { root + RecordKeys.task(taskGuid) }
    /// `/v<N>/domain/<name>`.
    public func domain(_ name: String) -> String { root + RecordKeys.domain(name) }
    /// `/v<N>/cell/<id>`.
    public func cell(_ cellID: String) -> String { root + RecordKeys.cell(cellID) }

    /// Prefixes (absolute) for listing each kind.
    public var desiredLRPs: String { root + RecordKeys.desiredPrefix }
    public var schedulingInfos: String { root + RecordKeys.schedulingInfoPrefix }
    public var runInfos: String { root + RecordKeys.runInfoPrefix }
    public var actualLRPs: String { root + RecordKeys.actualPrefix }
    public var tasks: String { root + RecordKeys.taskPrefix }
    public var domains: String { root + RecordKeys.domainPrefix }
    public var cells: String { root + RecordKeys.cellPrefix }
}

/// Record keys relative to a data-version root, as migrations see them.
///
/// Exists apart from `KeyLayout` because migrations transform records of one root into records of another
/// and should not care which root number they run under.
public enum RecordKeys {
    /// Prefixes of each record kind, relative to a root.
    public static let desiredPrefix = "desired/"
    public static let schedulingInfoPrefix = "desired_lrp/schedule/"
    public static let runInfoPrefix = "desired_lrp/run/"
    public static let actualPrefix = "actual/"
    public static let taskPrefix = "task/"
    public static let domainPrefix = "domain/"
    public static let cellPrefix = "cell/"

    /// `desired/<guid>` (data version 1's whole DesiredLRP).
    public static func desiredLRP(_ processGuid: String) -> String { desiredPrefix + processGuid }
    /// `desired_lrp/schedule/<guid>`.
    public static func desiredLRPSchedulingInfo(_ processGuid: String) -> String { schedulingInfoPrefix + processGuid }
    /// `desired_lrp/run/<guid>`.
    public static func desiredLRPRunInfo(_ processGuid: String) -> String { runInfoPrefix + processGuid }
    /// `actual/<guid>/<index>/instance` or `.../evacuating`.
    public static func actualLRP(_ processGuid: String, index: Int32, evacuating: Bool = false) -> String {
        actualPrefix + "\(processGuid)/\(index)/" + (evacuating ? "evacuating" : "instance")
    }
    /// `task/<guid>`.
    public static func task(_ taskGuid: String) -> String { taskPrefix + taskGuid }
    /// `domain/<name>`.
    public static func domain(_ name: String) -> String { domainPrefix + name }
    /// `cell/<id>`.
    public static func cell(_ cellID: String) -> String { cellPrefix + cellID }

    /// The prefixes whose records form multi-record groups (see `groupMembers`).
    public static let groupedPrefixes = [desiredPrefix, runInfoPrefix, schedulingInfoPrefix]

    /// Every key that belongs to the same record group as `relativeKey`, in key order.
    ///
    /// A group migrates together, so one migration can split a record into several or merge several into
    /// one: the scheduling and run halves of a DesiredLRP form one group with the pre-split whole
    /// DesiredLRP; every other record is a group of its own.
    public static func groupMembers(of relativeKey: String) -> [String] {
        for prefix in [desiredPrefix, runInfoPrefix, schedulingInfoPrefix] where relativeKey.hasPrefix(prefix) {
            let guid = String(relativeKey.dropFirst(prefix.count))
            return [desiredLRP(guid), desiredLRPRunInfo(guid), desiredLRPSchedulingInfo(guid)]
        }
        return [relativeKey]
    }
}
