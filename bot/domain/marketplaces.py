"""Amazon's marketplaces: id, country, web domain and currency.

Source: https://developer-docs.amazon.com/sp-api/docs/marketplace-ids (the same ids as
python-amazon-sp-api's `sp_api.base.Marketplaces`; tests/test_domain_basics.py checks).
"""

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Marketplace:
    """One Amazon marketplace."""

    code: str
    marketplace_id: str
    country: str
    domain: str
    currency: str
    # Where its calendar days begin and end, unless SELLER_TIMEZONE says otherwise. Countries of
    # one zone have theirs; of several (UNCONFIRMED which Amazon counts in): amazon.com
    # Pacific, as its Seller Central reports; CA, MX, BR and AU the most populous zone.
    time_zone: str

    def order_url(self, order_id: str) -> str:
        """The order's page in this marketplace's Seller Central."""
        return f"https://sellercentral.{self.domain}/orders-v3/order/{order_id}"

    @property
    def unshipped_url(self) -> str:
        """Seller Central's list of unshipped merchant-fulfilled orders."""
        return f"https://sellercentral.{self.domain}/orders-v3/mfn/unshipped"

    @property
    def messages_url(self) -> str:
        """Seller Central's Buyer-Seller Messages, where a relayed message can also be answered
        or marked "No response needed"."""
        return f"https://sellercentral.{self.domain}/messaging/inbox"

    @property
    def sales_channel(self) -> str:
        """The name reports give it in `sales-channel`, e.g. "Amazon.com"."""
        return "A" + self.domain[1:]


MARKETPLACES: tuple[Marketplace, ...] = (
    Marketplace("US", "ATVPDKIKX0DER", "US", "amazon.com", "USD", "America/Los_Angeles"),
    Marketplace("CA", "A2EUQ1WTGCTBG2", "CA", "amazon.ca", "CAD", "America/Toronto"),
    Marketplace("MX", "A1AM78C64UM0Y8", "MX", "amazon.com.mx", "MXN", "America/Mexico_City"),
    Marketplace("BR", "A2Q3Y263D00KWC", "BR", "amazon.com.br", "BRL", "America/Sao_Paulo"),
    Marketplace("UK", "A1F83G8C2ARO7P", "GB", "amazon.co.uk", "GBP", "Europe/London"),
    Marketplace("IE", "A28R8C7NBKEWEA", "IE", "amazon.ie", "EUR", "Europe/Dublin"),
    Marketplace("DE", "A1PA6795UKMFR9", "DE", "amazon.de", "EUR", "Europe/Berlin"),
    Marketplace("FR", "A13V1IB3VIYZZH", "FR", "amazon.fr", "EUR", "Europe/Paris"),
    Marketplace("IT", "APJ6JRA9NG5V4", "IT", "amazon.it", "EUR", "Europe/Rome"),
    Marketplace("ES", "A1RKKUPIHCS9HS", "ES", "amazon.es", "EUR", "Europe/Madrid"),
    Marketplace("NL", "A1805IZSGTT6HS", "NL", "amazon.nl", "EUR", "Europe/Amsterdam"),
    Marketplace("BE", "AMEN7PMS3EDWL", "BE", "amazon.com.be", "EUR", "Europe/Brussels"),
    Marketplace("SE", "A2NODRKZP88ZB9", "SE", "amazon.se", "SEK", "Europe/Stockholm"),
    Marketplace("PL", "A1C3SOZRARQ6R3", "PL", "amazon.pl", "PLN", "Europe/Warsaw"),
    Marketplace("TR", "A33AVAJ2PDY3EV", "TR", "amazon.com.tr", "TRY", "Europe/Istanbul"),
    Marketplace("AE", "A2VIGQ35RCS4UG", "AE", "amazon.ae", "AED", "Asia/Dubai"),
    Marketplace("SA", "A17E79C6D8DWNP", "SA", "amazon.sa", "SAR", "Asia/Riyadh"),
    Marketplace("EG", "ARBP9OOSHTCHU", "EG", "amazon.eg", "EGP", "Africa/Cairo"),
    Marketplace("ZA", "AE08WJ6YKNBMC", "ZA", "amazon.co.za", "ZAR", "Africa/Johannesburg"),
    Marketplace("IN", "A21TJRUUN4KGV", "IN", "amazon.in", "INR", "Asia/Kolkata"),
    Marketplace("JP", "A1VC38T7YXB528", "JP", "amazon.co.jp", "JPY", "Asia/Tokyo"),
    Marketplace("AU", "A39IBJ37TRP1C6", "AU", "amazon.com.au", "AUD", "Australia/Sydney"),
    Marketplace("SG", "A19VAU5U5O7RUS", "SG", "amazon.sg", "SGD", "Asia/Singapore"),
)

_BY_KEY = {
    key.lower(): m
    for m in MARKETPLACES
    for key in (m.code, m.marketplace_id, m.domain, m.sales_channel)
}
# Amazon's own code for the United Kingdom marketplace is UK, its country code GB.
_BY_KEY["gb"] = _BY_KEY["uk"]


def find_marketplace(key: str) -> Marketplace | None:
    """Find a marketplace by code ("US"), id, domain or sales-channel name; None if unknown."""
    return _BY_KEY.get(key.strip().lower())
