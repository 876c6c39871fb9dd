"""Contracts (采购合同): created from a result (later also from an e-mall order), signed online by
both parties with keys bound to their organisations, published and filed. A domain of its own
because both the transaction system and the e-mall produce contracts."""
