import ArgumentParser
import IncentiveEngine

@main
struct Incentives: ParsableCommand {
    func run() throws {}
}
