"""金融服务中心: financial institutions, electronic bid guarantees, contract financing, and the
events institutions receive (docs/finance-services.md)."""
