import Store

// MARK: - Transactions

extension EtcdBackend {
    /// One etcd Txn: the conditions as compares, the operations (folded by `EtcdTransactionPlan`)
    /// as its success branch. A failed condition answers `succeeded: false` and writes nothing.
    public func commit(_ transaction: Transaction) async throws -> TransactionResult {
        for key in transaction.keys { try Self.checkKey(key) }
        let plan = EtcdTransactionPlan(transaction)
        let limit = configuration.maxTransactionOperations
        guard plan.conditions.count <= limit, plan.writes.count <= limit else {
            throw StoreError.invalidArgument(
                "transaction has \(plan.conditions.count) conditions and \(plan.writes.count) etcd operations; "
                    + "etcd allows at most \(limit) of each in one Txn (its --max-txn-ops flag, 128 by default). "
                    + "A transaction is atomic and is never split: raise --max-txn-ops and "
                    + "EtcdConfiguration.maxTransactionOperations together, or write fewer keys per transaction")
        }
        let (response, outcomeUnknown) = try await perform(EtcdKV.txn) { outcomeUnknown in
            plan.request(verifying: outcomeUnknown)
        }
        if !response.succeeded, outcomeUnknown, plan.isApplied(according: response.responses) {
            // An earlier attempt whose answer was lost applied every write: report it as ours.
            return TransactionResult(succeeded: true, revision: response.header.revision)
        }
        return TransactionResult(succeeded: response.succeeded, revision: response.header.revision)
    }
}

extension Transaction {
    /// Every single key named by a condition or a put/delete (prefixes may be empty).
    var keys: [String] {
        conditions.map { condition in
            switch condition {
            case .exists(let key), .absent(let key), .revision(let key, _), .created(let key, _): key
            }
        }
            + operations.compactMap { operation in
                switch operation {
                case .put(let key, _), .delete(let key): key
                case .deletePrefix: nil
                }
            }
    }
}
