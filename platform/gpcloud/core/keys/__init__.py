"""The registry of organisations' public keys: Ed25519 to sign (contracts, bids), X25519 to seal
bids. In core because contracts and transaction both use it and neither may import the other."""
