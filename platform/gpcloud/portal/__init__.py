"""The portal (the "1"): everything published, in one public, searchable place.

Publishing services write a Notice in the same transaction as the change they publish; the
public API reads only notices, so nothing unpublished, secret or internal can reach it.
"""
