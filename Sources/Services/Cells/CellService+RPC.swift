import Models
import RPC

extension CellService: RegistrableService {
    public func registerMethods(with router: inout RPCRouter) {
        router.register(BBSMethods.Cell.heartbeatCell) { request, _ in
            try await BBSError.mapping { try await self.heartbeatCell(request) }
        }
        router.register(BBSMethods.Cell.listCells) { request, _ in
            try await BBSError.mapping { try await self.listCells(request) }
        }
    }
}
