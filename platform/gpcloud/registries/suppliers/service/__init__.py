"""Suppliers (供应商库): registered once, working in every region.

Who: a company registers itself (registration.py) or is migrated by a provincial admin's import
(../imports.py); its own users complete and keep its details and qualifications (own.py);
provincial admins, and tenant admins for suppliers of their region, suspend and reactivate it,
and provincial admins correct its name and credit code (admin.py). Every account reads and
searches the registry, contacts only where records.may_see_contact says (search.py).
"""
