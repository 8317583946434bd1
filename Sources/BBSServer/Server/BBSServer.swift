import Logging
import Models
import RPC
import Services
import Store

/// The composition root of the bbs server: which services are served, in which interceptor order, over
/// which store, behind which lock.
///
/// The interceptor order is part of the design and is written here once:
/// 1. health and reflection first (`StandardServicesFirst`): every instance answers them itself;
/// 2. master or redirect (`MasterInterceptor`): a standby redirects to the master named in the lock;
/// 3. migration gate (`MigrationGateInterceptor`): 503 until start-up and migrations are done;
/// 4. API version (`APIVersionInterceptor`): the `bbs-api-version` rule;
/// 5. access log (`AccessLogInterceptor`): one line per call that reached a service.
///
/// Every write the services make goes through a `FencedBackend` on the election's lock fence, so a
/// master that lost its lock can never write again. The life cycle (election, start-up, serving,
/// SIGTERM) is in `BBSServer+Lifecycle.swift`.
public final class BBSServer: Sendable {
    let settings: BBSServerSettings
    let store: StoreConnection
    let logger: Logger
    let election: MasterElection
    let state = ServingState()
    /// The store as the master writes it: every write fenced on the lock.
    let fencedBackend: FencedBackend
    let rpcServer: RPCServer

    public init(settings: BBSServerSettings, store: StoreConnection, logger: Logger) {
        self.settings = settings
        self.store = store
        self.logger = logger
        let election = MasterElection(
            lock: store.lock, owner: LockOwner(id: settings.instanceID, url: settings.advertiseURL),
            ttl: settings.lockTTL, retryInterval: settings.lockRetryInterval, logger: logger)
        self.election = election
        let fenced = FencedBackend(store.backend, fences: election)
        self.fencedBackend = fenced

        var rpc = settings.rpc
        rpc.initialHealthStatus = .notServing
        self.rpcServer = RPCServer(
            configuration: rpc, router: Self.router(settings: settings, backend: fenced, state: state),
            interceptors: [
                StandardServicesFirst(then: [
                    MasterInterceptor(election: election),
                    MigrationGateInterceptor(state: state),
                    APIVersionInterceptor(server: .current),
                    AccessLogInterceptor(logger: Logger(label: "bbs.access")),
                ])
            ])
    }

    /// The BBS services of this release, each registering its own methods, and their descriptors for
    /// reflection.
    static func router(settings: BBSServerSettings, backend: any Backend, state: ServingState) -> RPCRouter {
        var router = RPCRouter()
        router.addFileDescriptorSet(base64: ModelDescriptors.fileDescriptorSetBase64)
        router.register(PingService(state: state))
        router.register(DomainService(domains: DomainRepository(backend: backend, codec: settings.codec)))
        router.register(CellService(cells: CellRepository(backend: backend, codec: settings.codec)))
        router.register(
            AdminService(
                backend: backend, state: state, binaryDataVersion: settings.migrator.newestVersion,
                masterURL: settings.advertiseURL))
        return router
    }

    /// The BBS services' names, whose health follows the server's.
    static let serviceNames = [
        BBSMethods.Ping.service, BBSMethods.Domain.service, BBSMethods.Cell.service, BBSMethods.Admin.service,
    ]
}
