"""The demo seller's catalogue: real books (their ISBN-10 as ASIN, as Amazon does), music,
video and invented household goods."""

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class Product:
    """One product the demo seller sells."""

    sku: str
    asin: str
    title: str
    category: str
    price: Decimal
    handling_days: int


def _p(sku: str, asin: str, title: str, category: str, price: str, days: int = 2) -> Product:
    return Product(sku, asin, title, category, Decimal(price), days)


CATALOG = (
    _p("BK-0141439513-U-VG", "0141439513", "Pride and Prejudice (Penguin Classics)", "Books",
       "8.99"),
    _p("BK-0743273567-U-G", "0743273567", "The Great Gatsby", "Books", "10.99"),
    _p("BK-0316769487-U-VG", "0316769487", "The Catcher in the Rye", "Books", "8.49"),
    _p("BK-0061120081-NEW", "0061120081", "To Kill a Mockingbird", "Books", "11.49"),
    _p("BK-0307277674-NEW", "0307277674", "The Road", "Books", "12.95"),
    _p("BK-0451524934-NEW", "0451524934", "1984 (Signet Classics)", "Books", "9.99"),
    _p("BK-038549081X-U-G", "038549081X", "The Handmaid's Tale", "Books", "10.49"),
    _p("BK-0062315005-NEW", "0062315005", "The Alchemist", "Books", "13.50"),
    _p("BK-0679720200-U-VG", "0679720200", "The Stranger", "Books", "9.25"),
    _p("CD-HARBOR-NC-U", "B00004T9QK", "Northern Crossing [Audio CD] Harbor Lights", "Music",
       "11.98"),
    _p("CD-QUARTET-LIVE", "B000002KH3", "Live at the Lantern [Audio CD] Blue Meridian Quartet",
       "Music", "14.99"),
    _p("DVD-FRONTIER-S1", "B01M7Y2R8D", "Frontier Town: The Complete First Season [DVD]",
       "Video DVD", "19.99"),
    _p("DVD-OCEANS-4D", "B08F5K3W1N", "Oceans Deep: A Four-Part Series [Blu-ray]", "Video DVD",
       "34.95"),
    _p("BV-65W-2P-WHT", "B0C4X9R2LM", "Bright Volt 65W USB-C Wall Charger, 2-Port, Foldable Plug",
       "Electronics", "29.99", 1),
    _p("BV-PB20K-BLK", "B0D1K7Q3ZP", "VoltPak 20000mAh Portable Power Bank with USB-C PD",
       "Electronics", "39.99", 1),
    _p("KV-BX200-BLK", "B0B6T2VQ9H", "Kelvo BX-200 Portable Bluetooth Speaker, Water Resistant",
       "Electronics", "45.00", 2),
    _p("RS-MUG12-SLT", "B0BZ7T4N6W", "Riverside Ceramic Travel Mug with Lid, 12 oz, Slate Blue",
       "Kitchen", "18.50", 2),
    _p("SP-GRIND-SS2", "B0CJ9M4PLS", "Salt & Pepper Grinder Set <2 pcs>, Stainless Steel",
       "Kitchen", "21.96", 2),
    _p("TP-BTL32-GRN", "B09X3M8R1K", "Trailpoint 32 oz Insulated Water Bottle, Forest Green",
       "Sports", "24.95", 1),
    _p("CT-100-ASST", "B07QW3JH2N", "Nylon Cable Ties, Assorted Sizes, 100 Pack",
       "Tools", "7.49", 1),
    _p("HL-THROW-OAT", "B0B8N2W7QX", "Hearthline Knit Throw Blanket, 50 x 60 in, Oatmeal",
       "Home", "42.00", 3),
    _p("OL-PZ1000-CV", "B0CH2L9V5T", "Old Lighthouse 1000-Piece Jigsaw Puzzle", "Toys", "19.99", 2),
)
