/// Diego's rules for the messages a run info and a task definition share: environment variables,
/// egress rules, cached dependencies, image layers, sidecars, volume mounts, checks, metric tags and
/// volume-mounted files. Each appends its problems to a `Validator`.
extension Diego_Bbs_EnvironmentVariable {
    func validate(into v: inout Validator) {
        v.check(!name.isEmpty, "name", "is required")
    }
}

extension Diego_Bbs_SecurityGroupRule {
    func validate(into v: inout Validator) {
        let hasPorts = !ports.isEmpty || hasPortRange
        switch self.protocol {
        case "tcp", "udp":
            v.check(!(ports.count > 0 && hasPortRange), "ports", "ports and port_range are mutually exclusive")
            v.check(hasPorts, "ports", "tcp and udp rules need ports or a port_range")
            v.check(ports.allSatisfy { $0 > 0 && $0 <= 65535 }, "ports", "must be between 1 and 65535")
            if hasPortRange {
                v.check(
                    portRange.start >= 1 && portRange.start <= portRange.end && portRange.end <= 65535,
                    "port_range", "needs 1 <= start <= end <= 65535")
            }
            v.check(!hasIcmpInfo, "icmp_info", "is only allowed for icmp rules")
        case "icmp":
            v.check(!hasPorts, "ports", "are not allowed for icmp rules")
            v.check(hasIcmpInfo, "icmp_info", "is required for icmp rules")
        case "all":
            v.check(!hasPorts, "ports", "are not allowed for rules of protocol all")
            v.check(!hasIcmpInfo, "icmp_info", "is not allowed for rules of protocol all")
        default:
            v.fail("protocol", "must be tcp, udp, icmp or all, not \"\(self.protocol)\"")
        }
        v.check(!destinations.isEmpty, "destinations", "must contain at least one destination")
        v.check(destinations.allSatisfy { !$0.isEmpty }, "destinations", "must not contain an empty destination")
    }
}

extension Diego_Bbs_CachedDependency {
    func validate(into v: inout Validator) {
        v.check(!from.isEmpty, "from", "is required")
        v.check(!to.isEmpty, "to", "is required")
        v.check(checksumAlgorithm.isEmpty == checksumValue.isEmpty, "checksum", "algorithm and value go together")
    }
}

extension Diego_Bbs_ImageLayer {
    func validate(into v: inout Validator) {
        v.check(!url.isEmpty, "url", "is required")
        v.check(!destinationPath.isEmpty, "destination_path", "is required")
        v.check(layerType == .shared || layerType == .exclusive, "layer_type", "must be SHARED or EXCLUSIVE")
        v.check([.tgz, .tar, .zip].contains(mediaType), "media_type", "must be TGZ, TAR or ZIP")
        if layerType == .exclusive {
            v.check(digestAlgorithm != .invalid, "digest_algorithm", "is required for exclusive layers")
            v.check(!digestValue.isEmpty, "digest_value", "is required for exclusive layers")
        }
        if !digestValue.isEmpty {
            v.check(digestAlgorithm != .invalid, "digest_algorithm", "is required when digest_value is set")
        }
        if digestAlgorithm != .invalid {
            v.check(!digestValue.isEmpty, "digest_value", "is required when digest_algorithm is set")
        }
    }
}

extension Diego_Bbs_Sidecar {
    func validate(into v: inout Validator) {
        if hasAction {
            v.nested("action") { action.validate(into: &$0) }
        } else {
            v.fail("action", "is required")
        }
        v.check(memoryMb >= 0, "memory_mb", "must not be negative")
        v.check(diskMb >= 0, "disk_mb", "must not be negative")
    }
}

extension Diego_Bbs_VolumeMount {
    func validate(into v: inout Validator) {
        v.check(!driver.isEmpty, "driver", "is required")
        v.check(!containerDir.isEmpty, "container_dir", "is required")
        v.check(mode == "r" || mode == "rw", "mode", "must be r or rw")
        v.check(hasShared && !shared.volumeID.isEmpty, "shared.volume_id", "is required")
    }
}

extension Diego_Bbs_CheckDefinition {
    func validate(into v: inout Validator) {
        for (index, check) in (checks + readinessChecks).enumerated() {
            v.nested("checks[\(index)]") { v in
                switch (check.hasTcpCheck, check.hasHTTPCheck) {
                case (true, false):
                    v.check(
                        check.tcpCheck.port > 0 && check.tcpCheck.port <= 65535, "tcp_check.port", "must be 1...65535")
                case (false, true):
                    v.check(
                        check.httpCheck.port > 0 && check.httpCheck.port <= 65535, "http_check.port",
                        "must be 1...65535")
                default:
                    v.fail("check", "must set exactly one of tcp_check and http_check")
                }
            }
        }
    }
}

extension Diego_Bbs_MetricTagValue {
    func validate(into v: inout Validator) {
        let hasDynamic = dynamic == .index || dynamic == .instanceGuid
        v.check(`static`.isEmpty == hasDynamic, "value", "must set exactly one of static and dynamic")
    }
}

enum SharedValidation {
    static func metricTags(_ tags: [String: Diego_Bbs_MetricTagValue], metricsGuid: String, into v: inout Validator) {
        for (name, value) in tags.sorted(by: { $0.key < $1.key }) {
            v.nested("metric_tags[\(name)]") { value.validate(into: &$0) }
        }
        if !tags.isEmpty && !metricsGuid.isEmpty {
            v.check(tags["source_id"]?.static == metricsGuid, "metric_tags", "source_id should match metrics_guid")
        }
    }

    static func volumeMountedFiles(_ files: [Diego_Bbs_File], into v: inout Validator) {
        let total = files.reduce(0) { $0 + $1.content.utf8.count }
        v.check(
            total <= ModelLimits.maximumVolumeMountedFilesSize, "volume_mounted_files",
            "total size of all file values exceeds 1MB")
    }

    static func imageCredentials(username: String, password: String, into v: inout Validator) {
        if username.isEmpty && !password.isEmpty { v.fail("image_username", "is required with image_password") }
        if !username.isEmpty && password.isEmpty { v.fail("image_password", "is required with image_username") }
    }

    static func logRateLimit(has: Bool, _ limit: Diego_Bbs_LogRateLimit, into v: inout Validator) {
        if has { v.check(limit.bytesPerSecond >= -1, "log_rate_limit", "bytes_per_second must be -1 or more") }
    }

    static func rootFS(_ rootFS: String, into v: inout Validator) {
        if rootFS.isEmpty {
            v.fail("rootfs", "is required")
        } else {
            v.check(
                ModelLimits.hasURLScheme(rootFS), "rootfs", "must be a URL with a scheme, like preloaded:cflinuxfs4")
        }
    }

    static func guid(_ name: String, _ guid: String, into v: inout Validator) {
        v.check(ModelLimits.isValidGuid(guid), name, "must match ^[a-zA-Z0-9_-]+$")
    }

    static func list<T>(_ name: String, _ items: [T], into v: inout Validator, _ each: (T, inout Validator) -> Void) {
        for (index, item) in items.enumerated() {
            v.nested("\(name)[\(index)]") { each(item, &$0) }
        }
    }
}
