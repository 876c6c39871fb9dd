"""Inquiries (询问), challenges (质疑), complaints (投诉) and suspensions of procurements."""
