"""sellerbot: Amazon's order and customer-service rules, kept in Slack."""

__version__ = "0.1.0"
