/// One validated booking line, as a reader hands it on. The byte views are valid only during the call.
public struct BookingLine {
    /// Physical line in the file (0 when the line comes from a workspace).
    public var line: Int
    public var orderID: UnsafeBufferPointer<UInt8>
    public var lineID: UnsafeBufferPointer<UInt8>
    /// Index into the dataset's partners.
    public var partner: Int
    public var partnerID: UnsafeBufferPointer<UInt8>
    public var bookedOn: Day
    public var shippedOn: Day?
    public var sku: UnsafeBufferPointer<UInt8>
    /// As written; empty when not given.
    public var quantity: UnsafeBufferPointer<UInt8>
    /// Cents in the line's currency.
    public var amount: Int64
    /// As written (any case).
    public var currency: UnsafeBufferPointer<UInt8>
    /// Normalised (`managed_services`); empty when untagged.
    public var intendedUse: UnsafeBufferPointer<UInt8>
    /// The SKU's id in the dataset's products (`Dataset.products`), -1 when not known there.
    public var catalogueSKU: Int32

    public init(
        line: Int, orderID: UnsafeBufferPointer<UInt8>, lineID: UnsafeBufferPointer<UInt8>, partner: Int, partnerID: UnsafeBufferPointer<UInt8>,
        bookedOn: Day, shippedOn: Day?, sku: UnsafeBufferPointer<UInt8>, quantity: UnsafeBufferPointer<UInt8>, amount: Int64,
        currency: UnsafeBufferPointer<UInt8>, intendedUse: UnsafeBufferPointer<UInt8>, catalogueSKU: Int32 = -1
    ) {
        self.catalogueSKU = catalogueSKU
        self.line = line
        self.orderID = orderID
        self.lineID = lineID
        self.partner = partner
        self.partnerID = partnerID
        self.bookedOn = bookedOn
        self.shippedOn = shippedOn
        self.sku = sku
        self.quantity = quantity
        self.amount = amount
        self.currency = currency
        self.intendedUse = intendedUse
    }
}
