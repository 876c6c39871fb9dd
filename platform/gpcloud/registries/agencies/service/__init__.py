"""Agencies (代理机构库): every rule of the registry. GraphQL and the import only call these.

Who: an agency's own users register and keep their agency (profile, tenants, rooms); the
provincial admins approve, reject, suspend and reactivate it; tenant admins and supervisors read
the agencies working in their region; anyone signed in finds approved agencies by name, without
their contacts. `readiness` answers whether an agency may run e-transactions in a tenant.

Modules: common (rows, access, formats), registration (profile and decisions), rooms, reads,
readiness.
"""
