"""Prospecting: the lead framework, A/B/C tiers, lead-list import, key contacts and inbound leads."""
