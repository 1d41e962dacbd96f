/// The toolkit's version, recorded in every output it writes.
public let toolkitVersion = "0.1.0"
