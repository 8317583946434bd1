import Models
import RPC

extension AdminService: RegistrableService {
    public func registerMethods(with router: inout RPCRouter) {
        router.register(BBSMethods.Admin.getDataVersion) { request, _ in
            try await BBSError.mapping { try await self.getDataVersion(request) }
        }
    }
}
