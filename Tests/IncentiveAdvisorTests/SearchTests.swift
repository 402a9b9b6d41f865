import IncentiveEngine
import Testing

@testable import IncentiveAdvisor

/// The branch and bound finds what trying every set of credentials finds.
@Suite struct SearchTests {
    struct Generator {
        var state: UInt64
        mutating func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
    }

    @Test(arguments: 1...40)
    func agreesWithTryingEverySet(seed: Int) {
        var random = Generator(state: UInt64(seed))
        let ids = (0..<(4 + random.next(7))).map { "C\($0)" }
        let offers = Dictionary(
            uniqueKeysWithValues: ids.map {
                ($0, CredentialOffer(id: $0, name: $0, cost: Money(cents: Int64(random.next(50)) * 10_000), leadTimeDays: 0))
            })
        let candidates = (0..<(3 + random.next(12))).map { index in
            Recommender.Candidate(
                program: "P", path: "t/s\(index)", rebate: Money(cents: Int64(1 + random.next(100)) * 10_000), enrolled: false,
                groups: (0..<random.next(3)).map { _ in (0..<(1 + random.next(2))).map { _ in ids[random.next(ids.count)] } }, conditions: [])
        }
        let chosen = Recommender.search(candidates, relevant: ids, offers: offers)
        func net(_ set: Set<String>) -> Int64 {
            let rebate = candidates.filter { $0.groups.allSatisfy { $0.contains(where: set.contains) } }.reduce(Int64(0)) { $0 + $1.rebate.cents }
            return rebate - set.reduce(Int64(0)) { $0 + offers[$1]!.cost.cents }
        }
        var best = Int64.min
        for mask in 0..<(1 << ids.count) {
            best = max(best, net(Set(ids.indices.filter { mask & (1 << $0) != 0 }.map { ids[$0] })))
        }
        #expect(net(chosen) == best)
    }
}
