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
        switch self.protocol {
        case "tcp", "udp":
            validatePorts(into: &v)
            v.check(!hasIcmpInfo, "icmp_info", "is only allowed for icmp rules")
        case "icmp", "icmpv6":
            v.check(!hasPortRange, "port_range", "is not allowed for \(self.protocol) rules")
            v.check(ports.isEmpty, "ports", "are not allowed for \(self.protocol) rules")
            v.check(hasIcmpInfo, self.protocol == "icmp" ? "icmp_info" : "icmpv6_info", "is required")
        case "all":
            v.check(!hasPortRange, "port_range", "is not allowed for rules of protocol all")
            v.check(ports.isEmpty, "ports", "are not allowed for rules of protocol all")
            v.check(!hasIcmpInfo, "icmp_info", "is not allowed for rules of protocol all")
        default:
            v.fail("protocol", "must be tcp, udp, icmp, icmpv6 or all, not \"\(self.protocol)\"")
        }
        let destinations = destinations.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
        if destinations.isEmpty {
            v.fail("destinations", "must have at least 1 destination")
        }
        for destination in destinations where !IPAddressText.isDestination(String(destination)) {
            v.fail("destinations", "\"\(destination)\" is not an IP address, CIDR block or ascending IP range")
        }
    }

    private func validatePorts(into v: inout Validator) {
        switch (hasPortRange, ports.isEmpty) {
        case (false, true):
            v.fail("ports", "tcp and udp rules need ports or a port_range")
        case (true, false):
            v.fail("ports", "ports and port_range are mutually exclusive")
        case (true, true):
            v.check(
                portRange.start >= 1 && portRange.end >= 1 && portRange.start <= portRange.end, "port_range",
                "needs 1 <= start <= end")
        case (false, false):
            v.check(ports.allSatisfy { $0 >= 1 }, "ports", "must be 1 or more")
        }
    }
}

extension Diego_Bbs_CachedDependency {
    func validate(into v: inout Validator) {
        v.check(!from.isEmpty, "from", "is required")
        v.check(!to.isEmpty, "to", "is required")
        v.check(checksumAlgorithm.isEmpty == checksumValue.isEmpty, "checksum", "algorithm and value go together")
        if !checksumAlgorithm.isEmpty && !checksumValue.isEmpty {
            v.check(
                ["md5", "sha1", "sha256"].contains(checksumAlgorithm.lowercased()), "checksum_algorithm",
                "must be md5, sha1 or sha256, not \(checksumAlgorithm)")
        }
    }
}

extension Diego_Bbs_ImageLayer {
    func validate(into v: inout Validator) {
        v.check(!url.isEmpty, "url", "is required")
        v.check(!destinationPath.isEmpty, "destination_path", "is required")
        v.check(layerType == .shared || layerType == .exclusive, "layer_type", "must be SHARED or EXCLUSIVE")
        v.check([.tgz, .tar, .zip].contains(mediaType), "media_type", "must be TGZ, TAR or ZIP")
        if (!digestValue.isEmpty || layerType == .exclusive) && digestAlgorithm == .invalid {
            v.fail("digest_algorithm", "is required for exclusive layers and with a digest_value")
        }
        if (digestAlgorithm != .invalid || layerType == .exclusive) && digestValue.isEmpty {
            v.fail("digest_value", "is required for exclusive layers and with a digest_algorithm")
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

    /// Diego's `validateImageLayers` extra rule: exclusive layers are downloaded as `legacy_download_user`.
    static func imageLayers(_ layers: [Diego_Bbs_ImageLayer], legacyDownloadUser: String, into v: inout Validator) {
        list("image_layers", layers, into: &v) { $0.validate(into: &$1) }
        if layers.contains(where: { $0.layerType == .exclusive }) {
            v.check(!legacyDownloadUser.isEmpty, "legacy_download_user", "is required with exclusive image layers")
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
