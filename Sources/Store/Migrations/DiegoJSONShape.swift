/// The shape of the JSON Diego's Go structs wrote (gogoproto `jsontag`s and `embed`s), as a table per
/// message: which JSON keys Go used for which proto field, and which embedded messages Go flattened
/// into their parent. `DiegoJSON` uses it to read Diego-era legacy records.
///
/// Taken from cloudfoundry/bbs models/*.proto: e.g. `DesiredLRP.root_fs` is `"rootfs"`,
/// `environment_variables` is `"env"`, an `Action`'s `run_action` is `"run"`, and `ActualLRP` writes
/// its key, instance key and net info fields at top level.
struct DiegoJSONShape: Sendable {
    /// A proto field whose JSON key in Diego's shape differs, or whose value has a shape of its own.
    struct Field: Sendable {
        var protoName: String
        var goName: String
        var value: Value
    }

    /// What a field's value is.
    indirect enum Value: Sendable {
        /// Same JSON in both shapes.
        case plain
        /// A message (or repeated / map-valued messages) with its own shape.
        case message(DiegoJSONShape)
        /// `ProtoRoutes`: Go wrote `{router: <raw JSON>}`, proto JSON `{"routes": {router: "<base64>"}}`.
        case routes
    }

    /// An embedded (`gogoproto.embed`) message: Go wrote its fields into the parent object.
    struct Embedded: Sendable {
        var protoName: String
        /// Every field of the embedded message, by its Go JSON key.
        var shape: DiegoJSONShape
        var goKeys: [String]
    }

    var fields: [Field] = []
    var embedded: [Embedded] = []

    // MARK: - Diego's messages

    static let action: DiegoJSONShape = {
        let wrapper = DiegoJSONShape(fields: [Field(protoName: "action", goName: "action", value: .message(.actionRef))]
        )
        let list = DiegoJSONShape(fields: [Field(protoName: "actions", goName: "actions", value: .message(.actionRef))])
        let timeout = DiegoJSONShape(fields: [
            Field(protoName: "action", goName: "action", value: .message(.actionRef)),
            Field(protoName: "deprecated_timeout_ns", goName: "timeout", value: .plain),
        ])
        return DiegoJSONShape(fields: [
            Field(protoName: "download_action", goName: "download", value: .plain),
            Field(protoName: "upload_action", goName: "upload", value: .plain),
            Field(protoName: "run_action", goName: "run", value: .plain),
            Field(protoName: "timeout_action", goName: "timeout", value: .message(timeout)),
            Field(protoName: "emit_progress_action", goName: "emit_progress", value: .message(wrapper)),
            Field(protoName: "try_action", goName: "try", value: .message(wrapper)),
            Field(protoName: "parallel_action", goName: "parallel", value: .message(list)),
            Field(protoName: "serial_action", goName: "serial", value: .message(list)),
            Field(protoName: "codependent_action", goName: "codependent", value: .message(list)),
        ])
    }()

    /// A marker resolved to `action` when walking (the action tree is recursive).
    static let actionRef = DiegoJSONShape(fields: [], embedded: [], isActionReference: true)
    var isActionReference = false

    static let sidecar = DiegoJSONShape(fields: [
        Field(protoName: "action", goName: "action", value: .message(actionRef))
    ])

    static let desiredLRPKey = ["process_guid", "domain", "log_guid"]
    static let modificationTag = ["epoch", "index"]

    static let desiredLRP = DiegoJSONShape(fields: [
        Field(protoName: "root_fs", goName: "rootfs", value: .plain),
        Field(protoName: "environment_variables", goName: "env", value: .plain),
        Field(protoName: "deprecated_start_timeout_s", goName: "deprecated_timeout_ns", value: .plain),
        Field(protoName: "PlacementTags", goName: "placement_tags", value: .plain),
        Field(protoName: "routes", goName: "routes", value: .routes),
        Field(protoName: "setup", goName: "setup", value: .message(actionRef)),
        Field(protoName: "action", goName: "action", value: .message(actionRef)),
        Field(protoName: "monitor", goName: "monitor", value: .message(actionRef)),
        Field(protoName: "sidecars", goName: "sidecars", value: .message(sidecar)),
    ])

    static let schedulingInfo = DiegoJSONShape(
        fields: [
            Field(protoName: "PlacementTags", goName: "placement_tags", value: .plain),
            Field(protoName: "routes", goName: "routes", value: .routes),
        ],
        embedded: [
            Embedded(protoName: "desired_lrp_key", shape: DiegoJSONShape(), goKeys: desiredLRPKey),
            Embedded(
                protoName: "desired_lrp_resource",
                shape: DiegoJSONShape(fields: [Field(protoName: "root_fs", goName: "rootfs", value: .plain)]),
                goKeys: ["memory_mb", "disk_mb", "rootfs", "max_pids"]),
            Embedded(protoName: "modification_tag", shape: DiegoJSONShape(), goKeys: modificationTag),
        ])

    static let runInfo = DiegoJSONShape(
        fields: [
            Field(protoName: "environment_variables", goName: "env", value: .plain),
            Field(protoName: "deprecated_start_timeout_s", goName: "start_timeout", value: .plain),
            Field(protoName: "setup", goName: "setup", value: .message(actionRef)),
            Field(protoName: "action", goName: "action", value: .message(actionRef)),
            Field(protoName: "monitor", goName: "monitor", value: .message(actionRef)),
            Field(protoName: "sidecars", goName: "sidecars", value: .message(sidecar)),
        ],
        embedded: [Embedded(protoName: "desired_lrp_key", shape: DiegoJSONShape(), goKeys: desiredLRPKey)])

    static let actualLRP = DiegoJSONShape(embedded: [
        Embedded(protoName: "actual_lrp_key", shape: DiegoJSONShape(), goKeys: ["process_guid", "index", "domain"]),
        Embedded(protoName: "actual_lrp_instance_key", shape: DiegoJSONShape(), goKeys: ["instance_guid", "cell_id"]),
        Embedded(
            protoName: "actual_lrp_net_info", shape: DiegoJSONShape(),
            goKeys: ["address", "ports", "instance_address", "preferred_address", "instance_ipv6_address"]),
    ])

    static let taskDefinition = DiegoJSONShape(fields: [
        Field(protoName: "root_fs", goName: "rootfs", value: .plain),
        Field(protoName: "environment_variables", goName: "env", value: .plain),
        Field(protoName: "action", goName: "action", value: .message(actionRef)),
    ])

    /// Every Go JSON key of a TaskDefinition (its proto names, with Diego's two renames).
    static let taskDefinitionKeys = [
        "rootfs", "env", "action", "disk_mb", "memory_mb", "cpu_weight", "privileged", "log_source", "log_guid",
        "metrics_guid", "result_file", "completion_callback_url", "annotation", "egress_rules", "cached_dependencies",
        "legacy_download_user", "trusted_system_certificates_path", "volume_mounts", "network", "placement_tags",
        "max_pids", "certificate_properties", "image_username", "image_password", "image_layers", "log_rate_limit",
        "metric_tags", "volume_mounted_files",
    ]

    static let task = DiegoJSONShape(embedded: [
        Embedded(protoName: "task_definition", shape: taskDefinition, goKeys: taskDefinitionKeys)
    ])

    static let cellPresence = DiegoJSONShape(fields: [
        Field(protoName: "rootfs_providers", goName: "rootfs_provider_list", value: .plain)
    ])
}
