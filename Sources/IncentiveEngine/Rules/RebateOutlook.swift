extension Engine {
    /// One partner of `input` computed as if its enrolments were `enrollments`, its lines counted again: the
    /// partner's traced lines (`input` loaded with the partner traced) go through the one pass again, so that the
    /// late-enrolment cut-off of formats.md §5.3, which the pass applies, follows those enrolments and not the ones
    /// the pass saw when the input was loaded. The advisor's "as if it enrolled today" needs it.
    ///
    /// The result holds that one partner; `nil` when `input` does not know it. The traced lines passed the pass once
    /// already, so counting them again finds no problem.
    public static func computeAgain(partnerID: String, input: LoadedInput, enrollments: [Enrollment]) -> ComputeResult? {
        guard let index = input.dataset.partnerIndex(partnerID) else { return nil }
        var base = Estimate.onePartner(input, index)
        base.dataset.enrollments = enrollments.filter { $0.partnerID.isExactly(partnerID) }
        var accumulator = BookingAccumulator(programs: base.programs, dataset: base.dataset, tracePartner: 0)
        var collector = DiagnosticCollector()
        let catalogue = base.dataset.products
        for traced in input.totals.traced {
            accumulator.add(
                line: traced.line, orderID: traced.orderID, lineID: traced.lineID, partnerID: partnerID, bookedOn: traced.bookedOn,
                shippedOn: traced.shippedOn, sku: traced.sku, amount: traced.amount, currency: traced.currency,
                intendedUse: traced.intendedUse, catalogue: catalogue, file: "bookings.csv", collector: &collector)
        }
        base.totals = accumulator.finish(file: "bookings.csv", collector: &collector)
        return compute(base)
    }
}
