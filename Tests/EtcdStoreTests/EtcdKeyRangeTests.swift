import Testing

@testable import EtcdStore

@Suite("etcd key ranges")
struct EtcdKeyRangeTests {
    @Test("a prefix ends at the prefix with its last byte incremented")
    func prefixEnd() {
        #expect(
            EtcdKeyRange.prefix("/v3/task/")
                == EtcdKeyRange(key: Array("/v3/task/".utf8), rangeEnd: Array("/v3/task0".utf8)))
        #expect(EtcdKeyRange.prefixEnd(Array("aa".utf8)) == Array("ab".utf8))
    }

    @Test(
        "trailing 0xff bytes are dropped before incrementing",
        arguments: [
            ([0x61, 0xff] as [UInt8], [0x62] as [UInt8]),
            ([0x61, 0xfe, 0xff, 0xff], [0x61, 0xff]),
            ([0xff], [0x00]),
            ([0xff, 0xff], [0x00]),
        ])
    func prefixEndWithFF(prefix: [UInt8], end: [UInt8]) {
        #expect(EtcdKeyRange.prefixEnd(prefix) == end)
    }

    @Test("the empty prefix is every key")
    func emptyPrefix() {
        #expect(EtcdKeyRange.prefix("") == EtcdKeyRange(key: [0], rangeEnd: [0]))
        #expect(!EtcdKeyRange.prefix("").isEmpty)
    }

    @Test("paging continues at the key after startAfter, which is startAfter plus a zero byte")
    func startAfter() {
        let range = EtcdKeyRange.prefix("/a/", startAfter: "/a/k1")
        #expect(range.key == Array("/a/k1".utf8) + [0])
        #expect(range.rangeEnd == Array("/a0".utf8))
        #expect(!range.isEmpty)
    }

    @Test("a startAfter before the prefix reads the whole prefix")
    func startAfterBeforePrefix() {
        #expect(EtcdKeyRange.prefix("/b/", startAfter: "/a/zzz") == EtcdKeyRange.prefix("/b/"))
    }

    @Test("a startAfter at or past the end of the prefix gives an empty range")
    func startAfterPastPrefix() {
        #expect(EtcdKeyRange.prefix("/a/", startAfter: "/a0").isEmpty)
        #expect(EtcdKeyRange.prefix("/a/", startAfter: "/b").isEmpty)
        #expect(!EtcdKeyRange.prefix("/a/", startAfter: "/a/\u{7f}").isEmpty)
    }

    @Test("startAfter with the empty prefix is unbounded above")
    func startAfterEverything() {
        let range = EtcdKeyRange.prefix("", startAfter: "/x")
        #expect(range == EtcdKeyRange(key: Array("/x".utf8) + [0], rangeEnd: [0]))
        #expect(!range.isEmpty)
    }
}
