import Models
import RPC

extension PingService: RegistrableService {
    public func registerMethods(with router: inout RPCRouter) {
        router.register(BBSMethods.Ping.ping) { request, _ in self.ping(request) }
    }
}
