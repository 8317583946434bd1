import Models
import RPC

extension DomainService: RegistrableService {
    public func registerMethods(with router: inout RPCRouter) {
        router.register(BBSMethods.Domain.upsertDomain) { request, _ in
            try await BBSError.mapping { try await self.upsertDomain(request) }
        }
        router.register(BBSMethods.Domain.listDomains) { request, _ in
            try await BBSError.mapping { try await self.listDomains(request) }
        }
    }
}
