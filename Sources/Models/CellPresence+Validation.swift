extension Diego_Bbs_CellPresence {
    /// Diego's rules for a cell presence (models/cell_presence.go): a cell id and a rep address, a
    /// capacity that is not negative, a rep URL that is http(s) when given, named rootfs providers.
    public func validate() throws(ModelError) {
        var v = Validator()
        v.check(!cellID.isEmpty, "cell_id", "must not be empty")
        v.check(cellID.utf8.count <= 1024, "cell_id", "must be at most 1024 bytes")
        v.check(!repAddress.isEmpty, "rep_address", "must not be empty")
        if !repURL.isEmpty {
            v.check(repURL.hasPrefix("http://") || repURL.hasPrefix("https://"), "rep_url", "must be an http(s) URL")
        }
        v.check(capacity.memoryMb >= 0, "capacity.memory_mb", "must not be negative")
        v.check(capacity.diskMb >= 0, "capacity.disk_mb", "must not be negative")
        v.check(capacity.containers >= 0, "capacity.containers", "must not be negative")
        for (index, provider) in rootfsProviders.enumerated() {
            v.check(!provider.name.isEmpty, "rootfs_providers[\(index)].name", "must not be empty")
        }
        try v.finish()
    }
}
