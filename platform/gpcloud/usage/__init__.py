"""Billable uses of commercial services (face verification, e-signatures) and the agencies'
monthly statements: the seed's 四(二) bills each use to the agency (按次计价，由代理机构支付)."""
