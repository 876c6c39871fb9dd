"""digital_finance (数字财政): budget indicators in, usage and payments out.

The seed's transition mode exchanges files in an agreed format (CSV/XLSX); a plugin may
implement the live adapter hooks (gpcloud_fetch_budget_indicators / gpcloud_push_payment).
"""
